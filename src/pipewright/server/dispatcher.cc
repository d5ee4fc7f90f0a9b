#include "pipewright/server/dispatcher.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "pipewright/exec/concurrency.h"
#include "pipewright/exec/job_slots.h"
#include "pipewright/expr/json.h"
#include "pipewright/server/core.h"
#include "pipewright/server/payloads.h"

namespace pipewright::server {

namespace {

// Runs at once (each waits for job slots and concurrency groups inside the engine, so
// this only bounds threads, not work).
constexpr size_t k_max_active_runs = 256;

// GitHub: "You can't use workflow_run to chain together more than three levels".
constexpr int k_max_workflow_run_depth = 3;

double seconds_between(store::TimePoint from, store::TimePoint to) {
  return std::max(0.0, std::chrono::duration<double>(to - from).count());
}

// Feeds the metrics from a run's events: jobs by result, their durations, and the
// running gauge (a started job counts until it finishes, or until the run's end for
// one the engine never reported finished).
class MetricsSink : public exec::EventSink {
 public:
  explicit MetricsSink(ServerMetrics& metrics) : m_metrics(metrics) {}
  ~MetricsSink() override { m_metrics.jobs_running.dec(static_cast<double>(m_started.size())); }
  void job_started(const exec::JobInfo& job) override {
    std::lock_guard lock(m_mutex);
    m_started.push_back(job.instance);
    m_metrics.jobs_running.inc();
  }
  void job_finished(const exec::JobInfo& job, const exec::JobEnd& end) override {
    m_metrics.jobs_total.labels({exec::result_name(end.result)}).inc();
    if (end.duration.count() > 0)
      m_metrics.job_duration_seconds.observe(std::chrono::duration<double>(end.duration).count());
    std::lock_guard lock(m_mutex);
    auto it = std::find(m_started.begin(), m_started.end(), job.instance);
    if (it == m_started.end()) return;
    m_started.erase(it);
    m_metrics.jobs_running.dec();
  }

 private:
  ServerMetrics& m_metrics;
  std::mutex m_mutex;
  std::vector<size_t> m_started;
};

}  // namespace

Dispatcher::Dispatcher(Core& core)
    : m_core(core), m_concurrency(std::make_unique<exec::ConcurrencyGroups>()) {}

Dispatcher::~Dispatcher() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  if (m_thread.joinable()) m_thread.join();
  std::list<Active> left;
  {
    std::lock_guard lock(m_mutex);
    left.swap(m_active);
  }
  for (Active& a : left) {
    a.cancel->request_kill();
    if (a.thread.joinable()) a.thread.join();
  }
}

void Dispatcher::start() {
  m_thread = std::thread([this] { loop(); });
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(m_mutex);
    m_wake = true;
  }
  m_changed.notify_all();
}

void Dispatcher::loop() {
  for (;;) {
    {
      std::unique_lock lock(m_mutex);
      m_changed.wait_for(lock, std::chrono::seconds(2), [&] { return m_wake || m_stop; });
      if (m_stop) return;
      m_wake = false;
    }
    reap_finished();
    if (!m_core.draining) claim_queued();
  }
}

void Dispatcher::reap_finished() {
  std::list<Active> finished;
  {
    std::lock_guard lock(m_mutex);
    for (auto it = m_active.begin(); it != m_active.end();) {
      if (it->done) {
        auto next = std::next(it);
        finished.splice(finished.end(), m_active, it);
        it = next;
      } else {
        ++it;
      }
    }
  }
  for (Active& a : finished)
    if (a.thread.joinable()) a.thread.join();
}

void Dispatcher::claim_queued() {
  store::RunFilter filter;
  filter.status = store::Status::queued;
  // Oldest first: list_runs answers newest first, so the last page holds the oldest.
  constexpr int64_t k_page = 100;
  auto page = m_core.history->list_runs(filter, 1, k_page);
  if (page && page->total_count > k_page)
    page = m_core.history->list_runs(filter, (page->total_count + k_page - 1) / k_page, k_page);
  if (!page) {
    m_core.log("dispatch.error", {{"error", page.error().message}});
    return;
  }
  m_core.metrics->queue_depth.set(static_cast<double>(page->total_count));
  std::vector<store::RunRecord> queued(page->runs.rbegin(), page->runs.rend());
  for (const store::RunRecord& record : queued) {
    {
      std::lock_guard lock(m_mutex);
      if (m_stop || m_core.draining) return;
      size_t active = static_cast<size_t>(
          std::count_if(m_active.begin(), m_active.end(), [](const Active& a) { return !a.done; }));
      if (active >= k_max_active_runs) return;
      if (std::any_of(m_active.begin(), m_active.end(),
                      [&](const Active& a) { return a.run == record.id; }))
        continue;
    }
    if (record.repo.empty()) continue;  // a `pipewright run` run is not ours to start
    auto claimed = m_core.history->claim_run(record.id, now_ms());
    if (!claimed) continue;  // cancelled or claimed meanwhile
    m_core.metrics->queue_wait_seconds.observe(seconds_between(record.created_at, now_ms()));
    auto token = os::CancelToken::create();
    if (!token) {
      m_core.log("dispatch.error", {{"error", token.error().message}});
      (void)m_core.history->finish_run(record.id, store::Result::failure, now_ms());
      continue;
    }
    std::lock_guard lock(m_mutex);
    Active& active = m_active.emplace_back();
    active.run = record.id;
    active.cancel = std::make_unique<os::CancelToken>(std::move(*token));
    active.thread = std::thread([this, &active, run = *claimed] { this->run(active, run); });
  }
}

void Dispatcher::run(Active& active, store::RunRecord record) {
  auto fail = [&](const std::string& message) {
    m_core.log("run.failed_to_start", {{"run", std::to_string(record.id)}, {"error", message}});
    store::Annotation note;
    note.severity = store::Severity::error;
    note.message = message;
    (void)m_core.history->add_annotation(record.id, note);
    (void)m_core.history->finish_run(record.id, store::Result::failure, now_ms());
  };
  auto finish = [&] {
    {
      std::lock_guard lock(m_mutex);
      active.done = true;
      m_wake = true;
    }
    m_changed.notify_all();
  };
  auto trigger = m_core.db->run_trigger(record.id);
  auto repo = trigger && *trigger ? m_core.db->find_repo((*trigger)->repo)
                                  : util::Expected<std::optional<Repo>>(std::nullopt);
  if (!trigger || !*trigger || !repo || !*repo) {
    fail("the run's trigger or repository is gone");
    return finish();
  }
  auto secrets = m_core.secrets_of((*repo)->full_name);
  auto vars = m_core.db->variables((*repo)->full_name);
  auto checkout = m_core.ensure_checkout(**repo, (*trigger)->sha, (*trigger)->ref);
  auto payload = expr::parse_json((*trigger)->payload_json);
  if (!secrets || !vars || !checkout || !payload) {
    fail(!secrets    ? secrets.error().message
         : !vars     ? vars.error().message
         : !checkout ? checkout.error().message
                     : "the run's event payload is unreadable");
    return finish();
  }
  m_core.log("run.started", {{"run", std::to_string(record.id)},
                             {"attempt", std::to_string(record.run_attempt)},
                             {"repo", record.repo},
                             {"workflow", record.workflow_file}});
  auto live = m_core.live.open(record.id);
  LiveSink live_sink(live);
  MetricsSink metrics_sink(*m_core.metrics);
  exec::MultiSink sinks;
  sinks.add(&live_sink);
  sinks.add(&metrics_sink);

  ExecutionRequest request;
  request.checkout = *checkout;
  request.repo = (*repo)->full_name;
  request.workflow_file = (*trigger)->workflow_file;
  request.event = (*trigger)->event;
  request.payload = *payload;
  request.ref = (*trigger)->ref;
  request.sha = (*trigger)->sha;
  request.run = record;
  if (!(*trigger)->inputs_json.empty())
    if (auto inputs = expr::parse_json((*trigger)->inputs_json)) request.inputs = *inputs;
  request.secrets = *secrets;
  for (const Variable& v : *vars)
    request.vars.emplace_back(v.name, v.value);
  request.carry_json = (*trigger)->carry_json;
  request.cancel = active.cancel.get();
  request.concurrency = m_concurrency.get();
  request.extra_sink = &sinks;
  auto outcome = execute_run(m_core, request);
  m_core.live.close(record.id);
  std::string result = "failure";
  if (!outcome) {
    fail(outcome.error().message);
  } else {
    result = outcome->cancelled ? "cancelled" : std::string(exec::result_name(outcome->result));
  }
  m_core.metrics->runs_total.labels({result}).inc();
  LogFields completed{{"run", std::to_string(record.id)},
                      {"attempt", std::to_string(record.run_attempt)},
                      {"conclusion", result}};
  // With --public-url, where the run is read (the API's address of the run).
  if (!m_core.options.public_url.empty())
    completed.emplace_back("url",
                           m_core.options.public_url + "/api/v1/runs/" + std::to_string(record.id));
  m_core.log("run.completed", completed);

  // Workflows that run on workflow_run hear of this one (not for their own runs past
  // GitHub's depth limit).
  int depth = 0;
  if (const expr::Value* d = payload->member("pipewright_depth");
      d && d->kind() == expr::Kind::number)
    depth = static_cast<int>(d->as_number());
  if (record.event != "workflow_run" || depth < k_max_workflow_run_depth) {
    expr::Object run;
    run.set("id", expr::Value(static_cast<double>(record.id)));
    run.set("name", expr::Value(record.workflow_name));
    run.set("path", expr::Value(record.workflow_file));
    run.set("event", expr::Value(record.event));
    run.set("status", expr::Value("completed"));
    run.set("conclusion", expr::Value(result));
    run.set("head_branch", expr::Value(record.head_branch));
    run.set("head_sha", expr::Value(record.sha));
    run.set("run_number", expr::Value(static_cast<double>(record.run_number)));
    run.set("run_attempt", expr::Value(static_cast<double>(record.run_attempt)));
    expr::Object workflow;
    workflow.set("name", expr::Value(record.workflow_name));
    workflow.set("path", expr::Value(record.workflow_file));
    expr::Object event_payload;
    event_payload.set("action", expr::Value("completed"));
    event_payload.set("workflow_run", expr::Value(std::move(run)));
    event_payload.set("workflow", expr::Value(std::move(workflow)));
    event_payload.set(
        "pipewright_depth",
        expr::Value(static_cast<double>(record.event == "workflow_run" ? depth + 1 : 1)));
    expr::Object body;
    body.set("payload", expr::Value(std::move(event_payload)));
    NewDelivery d;
    d.key = "workflow_run:" + std::to_string(record.id) + ":" + std::to_string(record.run_attempt);
    d.source = Source::workflow_run;
    d.repo = record.repo;
    d.event = "workflow_run";
    d.body = expr::to_json(expr::Value(std::move(body)), expr::JsonStyle::compact);
    d.received_at = now_ms();
    if (auto accepted = m_core.db->accept(d); !accepted)
      m_core.log("run.error",
                 {{"run", std::to_string(record.id)}, {"error", accepted.error().message}});
    else if (m_core.on_delivery)
      m_core.on_delivery();
  }
  finish();
}

util::Expected<bool> Dispatcher::cancel(store::RunId run) {
  {
    std::lock_guard lock(m_mutex);
    for (Active& a : m_active)
      if (a.run == run && !a.done) {
        a.cancel->request_cancel();
        m_core.log("run.cancel_requested", {{"run", std::to_string(run)}});
        return true;
      }
  }
  PW_TRY(detail, m_core.history->run_detail(run, std::nullopt));
  if (!detail) return util::fail("run " + std::to_string(run) + " not found");
  if (detail->run.status != store::Status::queued) return false;
  // Queued: claimed here so the dispatcher cannot start it, then concluded.
  auto claimed = m_core.history->claim_run(run, now_ms());
  if (!claimed) return cancel(run);  // the dispatcher took it meanwhile
  PW_TRY_VOID(m_core.history->finish_run(run, store::Result::cancelled, now_ms()));
  m_core.log("run.cancelled", {{"run", std::to_string(run)}, {"while", "queued"}});
  return true;
}

util::Expected<int> Dispatcher::rerun(store::RunId run, CarryMode mode, std::string_view job_id) {
  PW_TRY(detail, m_core.history->run_detail(run, std::nullopt));
  if (!detail) return util::fail("run " + std::to_string(run) + " not found");
  PW_TRY(trigger, m_core.db->run_trigger(run));
  if (!trigger) return util::fail("run " + std::to_string(run) + " was not started by this server");
  if (detail->run.status != store::Status::completed &&
      detail->run.status != store::Status::interrupted)
    return util::fail("This workflow run is not completed");
  std::vector<store::JobRecord> prior;
  for (const store::JobDetail& job : detail->jobs)
    prior.push_back(job.job);
  // One job: named by its id in the API (a number) or its key under `jobs:`.
  std::string job_key;
  if (mode == CarryMode::job) {
    for (const store::JobRecord& j : prior)
      if (std::to_string(j.id) == job_id || j.job_id == job_id) job_key = j.job_id;
    if (job_key.empty())
      return util::fail("job " + std::string(job_id) + " not found in run " + std::to_string(run));
  }
  PW_TRY(found, m_core.db->find_repo(trigger->repo));
  if (!found) return util::fail("repository " + trigger->repo + " is no longer registered");
  PW_TRY(checkout, m_core.ensure_checkout(*found, trigger->sha, trigger->ref));
  PW_TRY(carry, carry_for_rerun(checkout, trigger->workflow_file, prior, mode, job_key));
  PW_TRY_VOID(m_core.db->set_carry(run, carry));
  PW_TRY(attempt, m_core.history->begin_attempt(run));
  m_core.log("run.rerun", {{"run", std::to_string(run)},
                           {"attempt", std::to_string(attempt)},
                           {"mode", mode == CarryMode::all      ? "all"
                                    : mode == CarryMode::failed ? "failed"
                                                                : "job"}});
  wake();
  return attempt;
}

void Dispatcher::requeue_interrupted() {
  // Every server run a crash left interrupted: its status is the durable mark, so a
  // crash during this very loop loses nothing (the rest are found at the next start).
  store::RunFilter filter;
  filter.status = store::Status::interrupted;
  for (int page = 1;; ++page) {
    auto found = m_core.history->list_runs(filter, page, 100);
    if (!found || found->runs.empty()) return;
    size_t requeued = 0;
    for (const store::RunRecord& record : found->runs) {
      if (record.repo.empty()) continue;
      auto attempt = rerun(record.id, CarryMode::failed);
      if (attempt) ++requeued;
      m_core.log("run.requeued", {{"run", std::to_string(record.id)},
                                  {"attempt", attempt ? std::to_string(*attempt) : "-"},
                                  {"error", attempt ? "" : attempt.error().message}});
    }
    // Requeued runs leave the filter: the same page holds the next ones.
    if (requeued > 0) --page;
  }
}

void Dispatcher::drain(std::chrono::seconds grace) {
  m_core.draining = true;
  auto deadline = std::chrono::steady_clock::now() + grace;
  std::unique_lock lock(m_mutex);
  auto idle = [&] {
    return std::all_of(m_active.begin(), m_active.end(), [](const Active& a) { return a.done; });
  };
  m_core.log("drain.started", {{"running", std::to_string(m_active.size())},
                               {"grace_seconds", std::to_string(grace.count())}});
  if (!m_changed.wait_until(lock, deadline, idle)) {
    // As GitHub cancels at the end of a grace: graceful first (always() steps and
    // cancel-timeout-minutes apply), which the engine escalates itself.
    for (Active& a : m_active)
      if (!a.done) a.cancel->request_cancel();
    m_core.log("drain.cancelling", {});
    m_changed.wait(lock, idle);
  }
  m_core.log("drain.done", {});
}

}  // namespace pipewright::server
