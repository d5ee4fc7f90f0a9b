#include "pipewright/cli/api_records.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pipewright::cli {

namespace {

using nlohmann::json;

// A string field; '' when absent, null or not a string (the API omits what it lacks).
std::string text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t number(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

util::Expected<int64_t> required_id(const json& object, const char* what) {
  if (!object.is_object())
    return util::fail(fmt::format("the server sent a {} that is not an object", what));
  auto it = object.find("id");
  if (it == object.end() || !it->is_number_integer())
    return util::fail(fmt::format("the server sent a {} without a numeric \"id\"", what));
  return it->get<int64_t>();
}

const json& array_field(const json& object, const char* key) {
  static const json k_empty = json::array();
  if (!object.is_object()) return k_empty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : k_empty;
}

// GitHub's status and conclusion as the history's Status: queued and waiting are
// queued; a run whose process died is "interrupted" in both.
store::Status status_from_api(std::string_view status, std::string_view conclusion) {
  if (conclusion == "interrupted") return store::Status::interrupted;
  if (status == "completed") return store::Status::completed;
  if (status == "in_progress") return store::Status::running;
  return store::Status::queued;
}

std::optional<store::TimePoint> time_field(const json& object, const char* key) {
  return parse_api_time(text(object, key));
}

}  // namespace

std::optional<store::TimePoint> parse_api_time(std::string_view value) {
  std::string s(value);
  int year, month, day, hour, minute, second, used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &year, &month, &day, &hour,
                  &minute, &second, &used) != 6 ||
      used != 19)
    return std::nullopt;
  std::string_view rest = value.substr(19);
  int64_t millis = 0;
  if (rest.starts_with('.')) {
    size_t digits = 1;
    int scale = 100;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      millis += (rest[digits] - '0') * scale;
      scale /= 10;
      ++digits;
    }
    if (digits == 1) return std::nullopt;
    rest.remove_prefix(digits);
  }
  int64_t offset_s = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2)
      return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t seconds = static_cast<int64_t>(::timegm(&tm)) - offset_s;
  return store::TimePoint(std::chrono::milliseconds(seconds * 1000 + millis));
}

util::Expected<store::RunRecord> run_from_api(const json& run) {
  PW_TRY(id, required_id(run, "run"));
  store::RunRecord record;
  record.id = id;
  record.workflow_name = text(run, "name");
  record.workflow_file = text(run, "path");
  record.run_number = number(run, "run_number");
  record.event = text(run, "event");
  record.ref = text(run, "head_branch");
  record.sha = text(run, "head_sha");
  std::string conclusion = text(run, "conclusion");
  record.status = status_from_api(text(run, "status"), conclusion);
  record.result = store::parse_result(conclusion);
  auto started = time_field(run, "run_started_at");
  if (!started) started = time_field(run, "created_at");
  record.started_at = started.value_or(store::TimePoint{});
  if (record.status == store::Status::completed || record.status == store::Status::interrupted)
    record.finished_at = time_field(run, "updated_at");
  if (!started) record.finished_at.reset();  // no duration without a start
  return record;
}

util::Expected<store::RunDetail> run_detail_from_api(const json& run) {
  store::RunDetail detail;
  PW_TRY(record, run_from_api(run));
  detail.run = std::move(record);
  for (const json& job : array_field(run, "jobs")) {
    PW_TRY(job_id, required_id(job, "job"));
    store::JobDetail out;
    out.job.id = job_id;
    out.job.run_id = detail.run.id;
    out.job.job_id = text(job, "job_id");
    out.job.name = text(job, "name");
    if (out.job.name.empty()) out.job.name = out.job.job_id;
    std::string conclusion = text(job, "conclusion");
    out.job.status = status_from_api(text(job, "status"), conclusion);
    out.job.result = store::parse_result(conclusion);
    out.job.reason = text(job, "waiting_reason");
    out.job.started_at = time_field(job, "started_at");
    out.job.finished_at = time_field(job, "completed_at");
    for (const json& step : array_field(job, "steps")) {
      store::StepRecord s;
      s.job_id = job_id;
      s.index = static_cast<int>(number(step, "number")) - 1;
      s.name = text(step, "name");
      s.conclusion = store::parse_result(text(step, "conclusion"));
      s.outcome = s.conclusion;
      s.started_at = time_field(step, "started_at").value_or(store::TimePoint{});
      s.finished_at = time_field(step, "completed_at");
      out.steps.push_back(std::move(s));
    }
    detail.jobs.push_back(std::move(out));
  }
  return detail;
}

util::Expected<std::vector<store::RunRecord>> runs_from_api(const json& page) {
  if (!page.is_object() || !page.contains("workflow_runs"))
    return util::fail("the server's run list has no \"workflow_runs\"");
  std::vector<store::RunRecord> runs;
  for (const json& run : array_field(page, "workflow_runs")) {
    PW_TRY(record, run_from_api(run));
    runs.push_back(std::move(record));
  }
  return runs;
}

std::optional<std::vector<std::string>> split_job_log(std::string_view text,
                                                      const std::vector<store::StepRecord>& steps) {
  constexpr std::string_view k_open = "##[group]", k_close = "##[endgroup]\n";
  auto header = [&](size_t i) { return std::string(k_open) + steps[i].name + "\n"; };
  std::vector<std::string> out;
  size_t pos = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (text.substr(pos).find(header(i)) != 0) return std::nullopt;
    size_t start = pos + header(i).size();
    // The step ends at the first "##[endgroup]" line followed by the next step's header
    // (or the end): a step's own log may hold group lines of its own.
    std::optional<size_t> end;
    for (size_t at = text.find(k_close, start); at != std::string_view::npos;
         at = text.find(k_close, at + 1)) {
      if (at != start && text[at - 1] != '\n') continue;
      std::string_view rest = text.substr(at + k_close.size());
      if (i + 1 < steps.size() ? rest.starts_with(header(i + 1)) : rest.empty()) {
        end = at;
        break;
      }
    }
    if (!end) return std::nullopt;
    out.emplace_back(text.substr(start, *end - start));
    pos = *end + k_close.size();
  }
  if (pos != text.size()) return std::nullopt;
  return out;
}

util::Expected<std::vector<ArtifactRow>> artifacts_from_api(const json& list) {
  if (!list.is_object() || !list.contains("artifacts"))
    return util::fail("the server's artifact list has no \"artifacts\"");
  std::vector<ArtifactRow> rows;
  for (const json& artifact : array_field(list, "artifacts")) {
    ArtifactRow row;
    row.id = "-";
    if (artifact.contains("id") && artifact["id"].is_number_integer())
      row.id = std::to_string(artifact["id"].get<int64_t>());
    row.name = text(artifact, "name");
    row.files = "-";
    if (artifact.contains("files") && artifact["files"].is_number_integer())
      row.files = std::to_string(artifact["files"].get<int64_t>());
    row.bytes = static_cast<uint64_t>(std::max<int64_t>(0, number(artifact, "size_in_bytes")));
    auto created = time_field(artifact, "created_at");
    row.created_s = created ? created->time_since_epoch().count() / 1000 : 0;
    rows.push_back(std::move(row));
  }
  return rows;
}

util::Expected<server::admin::RepoInfo> repo_from_api(const json& repo) {
  if (!repo.is_object() || text(repo, "full_name").empty())
    return util::fail("the server sent a repository without a \"full_name\"");
  server::admin::RepoInfo info;
  info.full_name = text(repo, "full_name");
  info.source = text(repo, "source");
  info.default_branch = text(repo, "default_branch");
  info.poll_seconds = number(repo, "poll_seconds");
  info.created_at = text(repo, "created_at");
  return info;
}

}  // namespace pipewright::cli
