#include "pipewright/server/json_views.h"

#include <ctime>

#include <nlohmann/json.hpp>

namespace pipewright::server {

using nlohmann::json;

std::string rfc3339(store::TimePoint time) {
  std::time_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string api_status(store::Status status) {
  switch (status) {
    case store::Status::queued:
      return "queued";
    case store::Status::running:
      return "in_progress";
    case store::Status::completed:
    case store::Status::interrupted:
      return "completed";
  }
  return "queued";
}

json api_conclusion(store::Status status, const std::optional<store::Result>& result) {
  if (status == store::Status::interrupted) return "interrupted";
  if (status != store::Status::completed || !result) return nullptr;
  return std::string(store::to_string(*result));
}

namespace {
json optional_time(const std::optional<store::TimePoint>& time) {
  return time ? json(rfc3339(*time)) : json(nullptr);
}
}  // namespace

json run_json(const store::RunRecord& run) {
  json j;
  j["id"] = run.id;
  j["name"] = run.workflow_name;
  j["path"] = run.workflow_file;
  j["repository"] = run.repo;
  j["event"] = run.event;
  j["status"] = api_status(run.status);
  j["conclusion"] = api_conclusion(run.status, run.result);
  j["head_sha"] = run.sha;
  j["head_branch"] = run.head_branch;
  j["ref"] = run.ref;
  j["run_number"] = run.run_number;
  j["run_attempt"] = run.run_attempt;
  j["created_at"] = rfc3339(run.created_at);
  j["run_started_at"] =
      run.status == store::Status::queued ? json(nullptr) : json(rfc3339(run.started_at));
  j["updated_at"] = rfc3339(run.updated_at);
  j["waiting_reason"] = run.waiting_reason;
  return j;
}

json job_json(const store::RunRecord& run, const store::JobDetail& detail) {
  const store::JobRecord& job = detail.job;
  json j;
  j["id"] = job.id;
  j["run_id"] = job.run_id;
  j["run_attempt"] = job.run_attempt;
  j["name"] = job.name;
  j["job_id"] = job.job_id;
  j["head_sha"] = run.sha;
  j["status"] = api_status(job.status);
  j["conclusion"] = api_conclusion(job.status, job.result);
  j["started_at"] = optional_time(job.started_at);
  j["completed_at"] = optional_time(job.finished_at);
  j["waiting_reason"] = job.waiting_reason;
  if (!job.reason.empty()) j["reason"] = job.reason;
  json steps = json::array();
  for (const store::StepRecord& step : detail.steps) {
    json s;
    s["number"] = step.index + 1;
    s["name"] = step.name;
    s["status"] = step.finished_at ? "completed" : "in_progress";
    s["conclusion"] =
        step.conclusion ? json(std::string(store::to_string(*step.conclusion))) : json(nullptr);
    s["started_at"] = rfc3339(step.started_at);
    s["completed_at"] = optional_time(step.finished_at);
    steps.push_back(std::move(s));
  }
  j["steps"] = std::move(steps);
  return j;
}

}  // namespace pipewright::server
