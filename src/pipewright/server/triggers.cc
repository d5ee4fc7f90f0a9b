#include "pipewright/server/triggers.h"

#include <nlohmann/json.hpp>

#include "pipewright/expr/json.h"
#include "pipewright/server/core.h"
#include "pipewright/server/cron_schedule.h"
#include "pipewright/server/payloads.h"
#include "pipewright/store/retention.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::server {

namespace {

using nlohmann::json;

std::chrono::sys_seconds now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string minute_text(std::chrono::sys_seconds at) {
  return std::to_string(std::chrono::floor<std::chrono::minutes>(at).time_since_epoch().count());
}

}  // namespace

Triggers::~Triggers() {
  stop();
}

void Triggers::start() {
  m_thread = std::thread([this] { loop(); });
}

void Triggers::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void Triggers::reload() {
  {
    std::lock_guard lock(m_mutex);
    m_reload = true;
  }
  m_wake.notify_all();
}

void Triggers::loop() {
  for (;;) {
    tick();
    // Wake on the next minute (crons) or the poll tick, whichever comes first.
    auto now = std::chrono::system_clock::now();
    auto next_minute = std::chrono::ceil<std::chrono::minutes>(now + std::chrono::milliseconds(1));
    auto until_minute = std::chrono::duration_cast<std::chrono::milliseconds>(next_minute - now);
    auto wait = std::min<std::chrono::milliseconds>(until_minute, m_core.options.poll_tick);
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, wait, [&] { return m_stop || m_reload; });
    if (m_stop) return;
    m_reload = false;
  }
}

void Triggers::tick() {
  if (m_core.draining) return;
  schedules();
  polls();
  retention();
}

void Triggers::retention() {
  auto now = std::chrono::steady_clock::now();
  if (m_last_retention != std::chrono::steady_clock::time_point() &&
      now - m_last_retention < std::chrono::hours(1))
    return;
  m_last_retention = now;
  store::RetentionPolicy policy;
  policy.max_age_days = m_core.options.retention_days;
  policy.keep_min_per_workflow = m_core.options.retention_keep;
  auto pruned = store::prune(*m_core.history, policy, now_ms());
  if (!pruned) {
    m_core.log("retention.error", {{"error", pruned.error().message}});
    return;
  }
  m_core.metrics->retention_deleted_runs_total.inc(static_cast<double>(pruned->runs));
  if (pruned->runs > 0 || !pruned->errors.empty())
    m_core.log("retention.pruned", {{"runs", std::to_string(pruned->runs)},
                                    {"log_bytes", std::to_string(pruned->log_bytes)},
                                    {"artifact_bytes", std::to_string(pruned->artifact_bytes)},
                                    {"errors", std::to_string(pruned->errors.size())}});
}

void Triggers::schedules() {
  auto repos = m_core.db->repos();
  if (!repos) return;
  auto now = now_seconds();
  for (const Repo& repo : *repos) {
    std::string key = "cron.last_check." + repo.full_name;
    auto last_text = m_core.db->state(key);
    if (!last_text) continue;
    std::optional<std::chrono::sys_seconds> last;
    if (*last_text) last = std::chrono::sys_seconds(std::chrono::seconds(std::stoll(**last_text)));
    // The workflows of the default branch's head, read from the mirror.
    std::vector<ScheduleEntry> entries;
    std::string sha;
    auto read = m_core.mirrors->with(repo, [&](Mirror& mirror) -> util::Expected<void> {
      PW_TRY_VOID(mirror.fetch());
      std::string branch = repo.default_branch;
      if (branch.empty()) {
        PW_TRY(found, mirror.default_branch());
        branch = found;
      }
      PW_TRY(head, mirror.resolve("refs/heads/" + branch));
      sha = head;
      PW_TRY(files, mirror.list_files(sha, ".github/workflows"));
      for (const std::string& name : files) {
        if (!name.ends_with(".yml") && !name.ends_with(".yaml")) continue;
        std::string path = ".github/workflows/" + name;
        auto text = mirror.read_file(sha, path);
        if (!text) continue;
        workflow::LoadResult loaded = workflow::load_workflow_text(*text, path);
        if (!loaded.workflow) continue;
        const workflow::Event* schedule = loaded.workflow->find_event("schedule");
        if (!schedule) continue;
        for (const workflow::CronEntry& cron : schedule->schedule)
          entries.push_back(
              ScheduleEntry{path, cron.cron.value, cron.timezone.value, cron.location});
      }
      return {};
    });
    if (!read) {
      m_core.log("schedule.error", {{"repo", repo.full_name}, {"error", read.error().message}});
      continue;
    }
    LoadedSchedules loaded = load_schedules(entries);
    for (const util::Error& refused : loaded.refused)
      m_core.log("schedule.refused",
                 {{"repo", repo.full_name}, {"error", util::format_error(refused)}});
    for (const Firing& firing : due_firings(loaded.schedules, last, now)) {
      const ScheduleEntry& entry = firing.schedule->entry;
      json payload{{"schedule", entry.cron}};
      json body{{"workflow", entry.workflow_file}, {"sha", sha}, {"payload", payload}};
      NewDelivery d;
      d.key = "schedule:" + repo.full_name + ":" + entry.workflow_file + ":" + entry.cron + ":" +
              minute_text(firing.at);
      d.source = Source::schedule;
      d.repo = repo.full_name;
      d.event = "schedule";
      d.body = body.dump();
      d.received_at = now_ms();
      auto accepted = m_core.db->accept(d);
      m_core.log(firing.missed > 1 ? "schedule.coalesced" : "schedule.fired",
                 {{"repo", repo.full_name},
                  {"workflow", entry.workflow_file},
                  {"cron", entry.cron},
                  {"missed", std::to_string(firing.missed)},
                  {"error", accepted ? "" : accepted.error().message}});
    }
    (void)m_core.db->set_state(key, std::to_string(now.time_since_epoch().count()));
  }
  if (m_core.on_delivery) m_core.on_delivery();
}

void Triggers::polls() {
  auto repos = m_core.db->repos();
  if (!repos) return;
  auto now = now_seconds();
  for (const Repo& repo : *repos) {
    if (repo.poll_seconds <= 0) continue;
    std::string key = "poll.heads." + repo.full_name;
    std::string due_key = "poll.next." + repo.full_name;
    auto due = m_core.db->state(due_key);
    if (due && *due && std::stoll(**due) > now.time_since_epoch().count()) continue;
    (void)m_core.db->set_state(due_key,
                               std::to_string(now.time_since_epoch().count() + repo.poll_seconds));
    std::vector<std::pair<std::string, std::string>> heads;
    auto fetched = m_core.mirrors->with(repo, [&](Mirror& mirror) -> util::Expected<void> {
      PW_TRY_VOID(mirror.fetch());
      PW_TRY(found, mirror.branch_heads());
      heads = std::move(found);
      return {};
    });
    if (!fetched) {
      m_core.log("poll.error", {{"repo", repo.full_name}, {"error", fetched.error().message}});
      continue;
    }
    json known = json::object();
    auto stored = m_core.db->state(key);
    bool first = !stored || !*stored;
    if (!first) known = json::parse(**stored, nullptr, false);
    if (known.is_discarded() || !known.is_object()) known = json::object();
    json next = json::object();
    for (const auto& [branch, sha] : heads) {
      next[branch] = sha;
      std::string before = known.contains(branch) && known[branch].is_string()
                               ? known[branch].get<std::string>()
                               : std::string(40, '0');
      if (first || before == sha) continue;
      std::string ref = "refs/heads/" + branch;
      expr::Value payload = poll_push_payload(ref, before, sha);
      json body{{"ref", ref}, {"sha", sha}};
      auto payload_json = json::parse(expr::to_json(payload, expr::JsonStyle::compact));
      body["payload"] = payload_json;
      NewDelivery d;
      d.key = "poll:" + repo.full_name + ":" + ref + ":" + sha;
      d.source = Source::poll;
      d.repo = repo.full_name;
      d.event = "push";
      d.body = body.dump();
      d.received_at = now_ms();
      auto accepted = m_core.db->accept(d);
      m_core.log("poll.push", {{"repo", repo.full_name},
                               {"ref", ref},
                               {"sha", sha},
                               {"error", accepted ? "" : accepted.error().message}});
    }
    (void)m_core.db->set_state(key, next.dump());
  }
  if (m_core.on_delivery) m_core.on_delivery();
}

}  // namespace pipewright::server
