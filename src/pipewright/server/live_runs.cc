#include "pipewright/server/live_runs.h"

#include <nlohmann/json.hpp>

namespace pipewright::server {

using nlohmann::json;

void LiveRun::publish(std::string event, std::string data) {
  {
    std::lock_guard lock(m_mutex);
    m_bytes += data.size() + event.size();
    m_events.push_back(LiveEvent{m_next_id++, std::move(event), std::move(data)});
    while (m_bytes > k_max_bytes && m_events.size() > 1) {
      m_bytes -= m_events.front().data.size() + m_events.front().event.size();
      m_events.pop_front();
    }
  }
  m_changed.notify_all();
}

void LiveRun::finish() {
  {
    std::lock_guard lock(m_mutex);
    m_finished = true;
  }
  m_changed.notify_all();
}

bool LiveRun::finished() const {
  std::lock_guard lock(m_mutex);
  return m_finished;
}

std::vector<LiveEvent> LiveRun::events_after(int64_t after, std::chrono::milliseconds wait,
                                             bool* reset) {
  std::unique_lock lock(m_mutex);
  auto ready = [&] { return m_finished || m_next_id - 1 > after; };
  if (!ready()) m_changed.wait_for(lock, wait, ready);
  std::vector<LiveEvent> out;
  if (reset) *reset = !m_events.empty() && m_events.front().id > after + 1 && after > 0;
  for (const LiveEvent& e : m_events)
    if (e.id > after) out.push_back(e);
  return out;
}

namespace {
json job_json(const exec::JobInfo& job) {
  return json{{"job", job.job_id}, {"name", job.name}, {"instance", job.instance}};
}
}  // namespace

void LiveSink::job_queued(const exec::JobInfo& job) {
  json j = job_json(job);
  j["status"] = "queued";
  m_run->publish("job", j.dump());
}

void LiveSink::job_started(const exec::JobInfo& job) {
  json j = job_json(job);
  j["status"] = "in_progress";
  m_run->publish("job", j.dump());
}

void LiveSink::step_started(const exec::JobInfo& job, int index, std::string_view name) {
  json j = job_json(job);
  j["step"] = index + 1;
  j["step_name"] = name;
  j["status"] = "in_progress";
  m_run->publish("step", j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void LiveSink::step_line(const exec::JobInfo& job, int index, std::string_view line) {
  json j = job_json(job);
  j["step"] = index + 1;
  j["line"] = line;
  m_run->publish("log", j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void LiveSink::step_finished(const exec::JobInfo& job, int index, std::string_view name,
                             const exec::StepEnd& end) {
  json j = job_json(job);
  j["step"] = index + 1;
  j["step_name"] = name;
  j["status"] = "completed";
  j["conclusion"] = exec::result_name(end.conclusion);
  m_run->publish("step", j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void LiveSink::job_finished(const exec::JobInfo& job, const exec::JobEnd& end) {
  json j = job_json(job);
  j["status"] = "completed";
  j["conclusion"] = exec::result_name(end.result);
  m_run->publish("job", j.dump(-1, ' ', false, json::error_handler_t::replace));
}

void LiveSink::run_finished(const exec::RunEnd& end) {
  m_run->publish(
      "run", json{{"status", "completed"}, {"conclusion", exec::result_name(end.result)}}.dump());
}

std::shared_ptr<LiveRun> LiveRuns::open(int64_t run) {
  std::lock_guard lock(m_mutex);
  auto live = std::make_shared<LiveRun>();
  m_runs[run] = live;
  return live;
}

std::shared_ptr<LiveRun> LiveRuns::find(int64_t run) const {
  std::lock_guard lock(m_mutex);
  auto it = m_runs.find(run);
  return it == m_runs.end() ? nullptr : it->second;
}

void LiveRuns::close(int64_t run) {
  std::shared_ptr<LiveRun> live;
  {
    std::lock_guard lock(m_mutex);
    auto it = m_runs.find(run);
    if (it == m_runs.end()) return;
    live = it->second;
    m_runs.erase(it);
  }
  live->finish();
}

}  // namespace pipewright::server
