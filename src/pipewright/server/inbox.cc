#include "pipewright/server/inbox.h"

#include <nlohmann/json.hpp>

#include "pipewright/expr/json.h"
#include "pipewright/plan/repository.h"
#include "pipewright/server/core.h"
#include "pipewright/server/payloads.h"
#include "pipewright/server/run_bridge.h"
#include "pipewright/server/webhook.h"

namespace pipewright::server {

namespace {

// How many deliveries one pass takes; the loop comes back at once while there are more.
constexpr int k_batch = 32;

// The branch or tag name of a ref ("refs/heads/main" -> "main"); "" for other refs.
std::string head_branch_of(std::string_view ref) {
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"})
    if (ref.starts_with(prefix)) return std::string(ref.substr(prefix.size()));
  return {};
}

// What a delivery asks to run: the event, payload, ref and commit (sha may be "" to be
// resolved from ref in the mirror), or why it runs nothing.
struct Request {
  std::string event;
  expr::Value payload;
  std::string ref, sha;
  std::string only_workflow;
  std::string ignored;
};

util::Expected<Request> request_of(const StoredDelivery& d, const Repo& repo,
                                   const std::string& default_branch) {
  Request r;
  if (d.source == Source::webhook) {
    // The forge was decided when the delivery was accepted: its key names it.
    server::Delivery hook;
    hook.forge = d.key.starts_with("gitea:") ? Forge::gitea : Forge::github;
    hook.id = d.key.substr(d.key.find(':') + 1);
    hook.event = d.event;
    hook.repo_full_name = d.repo;
    auto trigger = trigger_from_delivery(hook, d.body);
    if (!trigger) return util::fail(trigger.error().message);
    if (!trigger->ignored.empty()) {
      r.ignored = trigger->ignored;
      return r;
    }
    r.event = trigger->event;
    r.payload = trigger->payload;
    r.ref = trigger->ref;
    r.sha = trigger->sha;
    if (r.event == "pull_request" && !trigger->head_sha.empty()) r.sha = trigger->head_sha;
    if (r.ref.empty()) r.ref = "refs/heads/" + default_branch;
    return r;
  }
  auto body = expr::parse_json(d.body);
  if (!body || body->kind() != expr::Kind::object)
    return util::fail("delivery " + d.key + " has no readable body");
  auto text = [&](std::string_view key) {
    const expr::Value* v = body->member(key);
    return v && v->kind() == expr::Kind::string ? v->as_string() : std::string();
  };
  r.event = d.event;
  r.only_workflow = text("workflow");
  r.ref = text("ref");
  r.sha = text("sha");
  if (r.ref.empty()) r.ref = "refs/heads/" + default_branch;
  if (!r.ref.starts_with("refs/")) r.ref = "refs/heads/" + r.ref;
  const expr::Value* payload = body->member("payload");
  r.payload = payload ? *payload : expr::Value(expr::Object());
  r.payload = with_repository(r.payload, repo, default_branch);
  return r;
}

}  // namespace

Inbox::Inbox(Core& core, std::function<void()> queued)
    : m_core(core), m_queued(std::move(queued)) {}

Inbox::~Inbox() {
  stop();
}

void Inbox::start() {
  m_thread = std::thread([this] { loop(); });
}

void Inbox::wake() {
  {
    std::lock_guard lock(m_mutex);
    m_pending = true;
  }
  m_wake.notify_one();
}

void Inbox::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_one();
  if (m_thread.joinable()) m_thread.join();
}

void Inbox::loop() {
  for (;;) {
    {
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, std::chrono::seconds(5), [&] { return m_pending || m_stop; });
      if (m_stop) return;
      m_pending = false;
    }
    for (;;) {
      auto batch = m_core.db->pending_deliveries(k_batch);
      if (!batch) {
        m_core.log("inbox.error", {{"error", batch.error().message}});
        break;
      }
      for (const StoredDelivery& d : *batch) {
        {
          std::lock_guard lock(m_mutex);
          if (m_stop) return;
        }
        process(d);
      }
      if (batch->size() < static_cast<size_t>(k_batch)) break;
    }
  }
}

void Inbox::process(const StoredDelivery& d) {
  DeliveryState state = DeliveryState::processed;
  auto note = process_or_fail(d, &state);
  if (!note) {
    state = DeliveryState::failed;
    note = note.error().message;
  }
  if (auto settled = m_core.db->settle(d.id, state, *note); !settled)
    m_core.log("inbox.error", {{"delivery", d.key}, {"error", settled.error().message}});
  m_core.log("delivery." + std::string(to_string(state)),
             {{"delivery", d.key}, {"repo", d.repo}, {"event", d.event}, {"note", *note}});
}

util::Expected<std::string> Inbox::process_or_fail(const StoredDelivery& d, DeliveryState* state) {
  PW_TRY(found, m_core.db->find_repo(d.repo));
  if (!found) {
    *state = DeliveryState::ignored;
    return "repository " + d.repo + " is no longer registered";
  }
  const Repo& repo = *found;
  // The default branch as the mirror knows it (fetched at `repo add`, and since).
  std::string default_branch = repo.default_branch;
  if (default_branch.empty())
    (void)m_core.mirrors->with(repo, [&](Mirror& mirror) -> util::Expected<void> {
      if (auto branch = mirror.default_branch()) default_branch = *branch;
      return {};
    });
  PW_TRY(request, request_of(d, repo, default_branch.empty() ? "main" : default_branch));
  if (!request.ignored.empty()) {
    *state = DeliveryState::ignored;
    return request.ignored;
  }
  // The commit must be in the mirror before anything runs. A commit is immutable, so a
  // burst of pushes fetches once: later deliveries find their commits there already.
  PW_TRY_VOID(m_core.mirrors->with(repo, [&](Mirror& mirror) -> util::Expected<void> {
    bool named = !request.sha.empty() && request.sha != plan::k_zero_sha;
    if (!named || !mirror.resolve(request.sha)) PW_TRY_VOID(mirror.fetch());
    if (!named) {
      PW_TRY(sha, mirror.resolve(request.ref));
      request.sha = sha;
    }
    return {};
  }));
  PW_TRY(checkout, m_core.ensure_checkout(repo, request.sha, request.ref));

  SelectionRequest selection{checkout,    repo.full_name, request.event,        request.payload,
                             request.ref, request.sha,    request.only_workflow};
  PW_TRY(selected, select_runs(selection));
  if (selected.empty()) {
    *state = DeliveryState::ignored;
    return "no workflow runs on " + request.event + " at " + request.ref;
  }
  std::string payload_json = expr::to_json(request.payload, expr::JsonStyle::compact);
  std::string queued;
  for (const SelectedRun& run : selected) {
    PW_TRY(known, m_core.db->has_run_trigger(d.id, run.workflow_file));
    if (known) continue;  // queued before a crash; the delivery was not settled yet
    store::NewRun new_run;
    new_run.workflow_file = run.workflow_file;
    new_run.workflow_name = run.workflow_name;
    new_run.event = request.event;
    new_run.ref = request.ref;
    new_run.sha = request.sha;
    new_run.started_at = now_ms();
    new_run.repo = repo.full_name;
    new_run.head_branch = head_branch_of(request.ref);
    PW_TRY(record, m_core.history->queue_run(new_run));
    RunTrigger trigger;
    trigger.run_id = record.id;
    trigger.delivery_id = d.id;
    trigger.repo = repo.full_name;
    trigger.workflow_file = run.workflow_file;
    trigger.event = request.event;
    trigger.ref = request.ref;
    trigger.sha = request.sha;
    trigger.payload_json = payload_json;
    if (run.inputs.kind() == expr::Kind::object)
      trigger.inputs_json = expr::to_json(run.inputs, expr::JsonStyle::compact);
    PW_TRY(recorded, m_core.db->add_run_trigger(trigger));
    (void)recorded;
    queued += (queued.empty() ? "run " : ", ") + std::to_string(record.id);
    m_core.log("run.queued", {{"run", std::to_string(record.id)},
                              {"repo", repo.full_name},
                              {"workflow", run.workflow_file},
                              {"event", request.event},
                              {"sha", request.sha}});
  }
  if (m_queued) m_queued();
  return queued.empty() ? std::string("its runs were queued before a restart") : queued;
}

}  // namespace pipewright::server
