// What the run history holds: runs, jobs, steps, annotations and step summaries,
// as plain values the engine writes and the CLI reads back.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipewright::store {

using Clock = std::chrono::system_clock;
// Times are stored with millisecond precision (Unix epoch).
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

using RunId = int64_t;
using JobId = int64_t;
using StepId = int64_t;

// Where a run or job is in its life. `interrupted`: its process died before it ended.
enum class Status { queued, running, completed, interrupted };

// How a run, job or step ended (gha-spec: success, failure, cancelled, skipped).
enum class Result { success, failure, cancelled, skipped };

enum class Severity { notice, warning, error };

// The names used on disk and in output ("running", "success", "warning"...).
std::string_view to_string(Status status);
std::string_view to_string(Result result);
std::string_view to_string(Severity severity);
// The value for a name written by to_string; nullopt for anything else.
std::optional<Status> parse_status(std::string_view name);
std::optional<Result> parse_result(std::string_view name);
std::optional<Severity> parse_severity(std::string_view name);

// The most attempts a run may have (GitHub's limit on re-runs, 2026).
constexpr int k_max_run_attempts = 50;

// A run about to start (Store::begin_run assigns id, run_number and owner) or to be
// queued (Store::queue_run: no owner until claimed).
struct NewRun {
  std::string workflow_file;  // path relative to the repository, e.g. .github/workflows/ci.yml
  std::string workflow_name;  // `name:` of the workflow, or the file name
  std::string event;          // push, pull_request, workflow_dispatch...
  std::string ref;
  std::string sha;
  TimePoint started_at;  // begin_run: when it started; queue_run: when it was queued
  // Defaulted so that NewRun{file, name, event, ref, sha, at} still reads whole.
  std::string repo = {};         // the server's OWNER/NAME; '' for `pipewright run`
  std::string head_branch = {};  // the branch (or tag) name of `ref`; '' when none
};

struct RunRecord {
  RunId id = 0;
  std::string workflow_file;
  std::string workflow_name;
  int64_t run_number = 0;  // 1, 2, 3... per (repo, workflow file)
  std::string event;
  std::string ref;
  std::string sha;
  Status status = Status::running;
  std::optional<Result> result;  // set once completed
  TimePoint started_at;
  std::optional<TimePoint> finished_at;
  int64_t owner_pid = 0;      // the process that records the run; 0 while queued
  std::string owner_boot_id;  // the boot it ran in (/proc/sys/kernel/random/boot_id)
  std::string repo;           // '' for `pipewright run`
  std::string head_branch;
  int run_attempt = 1;         // 1..k_max_run_attempts
  TimePoint created_at;        // when it was queued (begin_run: = started_at)
  TimePoint updated_at;        // the last change to the run or its jobs
  std::string waiting_reason;  // why a queued run waits; '' otherwise
};

// A job instance (one per matrix combination).
struct NewJob {
  std::string job_id;       // the key under `jobs:`
  std::string name;         // display name, e.g. "test (3.11, ubuntu-latest)"
  std::string matrix_json;  // the matrix values as a JSON object; '' without a matrix
};

struct JobRecord {
  JobId id = 0;
  RunId run_id = 0;
  std::string job_id;
  std::string name;
  std::string matrix_json;
  Status status = Status::queued;
  std::optional<Result> result;
  std::string reason;  // why it was skipped or cancelled; '' otherwise
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  int run_attempt = 1;         // the run's attempt this job instance belongs to
  std::string waiting_reason;  // why a queued job waits; '' otherwise
  std::string outputs_json;    // the job's outputs as a JSON object; '' when none recorded
};

// Which runs Store::list_runs returns: every field set must match (fields default to
// unset, for designated initializers).
struct RunFilter {
  std::optional<std::string> repo = {};
  std::optional<std::string> branch = {};  // head_branch
  std::optional<std::string> event = {};
  std::optional<Status> status = {};
  std::optional<Result> result = {};  // GitHub's `status=success` etc. filter on the conclusion
  std::optional<std::string> workflow_file = {};
};

// A page of Store::list_runs.
struct RunPage {
  int64_t total_count = 0;      // runs matching the filter, on all pages
  std::vector<RunRecord> runs;  // newest first
};

// Log size, uncompressed: bytes and lines (a last line without '\n' counts).
struct LogStats {
  int64_t bytes = 0;
  int64_t lines = 0;
};

// What LogWriter::close() hands back: the log's size and, for a log that never
// needed its file (short, never flushed), the whole log as zstd frames.
struct ClosedLog {
  LogStats stats;
  std::optional<std::string> inline_zstd;  // nullopt: the log is in its file
};

// How a step ended: outcome before continue-on-error, conclusion after it.
struct StepEnd {
  Result outcome = Result::success;
  Result conclusion = Result::success;
  TimePoint finished_at;
  ClosedLog log;  // from LogWriter::close(); empty for a step without a log
};

struct StepRecord {
  StepId id = 0;
  JobId job_id = 0;
  int index = 0;  // 0-based position in the job
  std::string name;
  std::optional<Result> outcome;
  std::optional<Result> conclusion;
  TimePoint started_at;
  std::optional<TimePoint> finished_at;
  std::string log_ref;  // path of the log relative to the data dir; '' without a log
  LogStats log;
};

// A ::error::/::warning::/::notice:: workflow command (or an engine message).
struct Annotation {
  Severity severity = Severity::error;
  std::string file;  // '' when not about a file
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;
  std::string title;
  std::string message;
  std::optional<JobId> job;
  std::optional<StepId> step;
};

struct StepSummary {
  StepId step = 0;
  std::string markdown;  // the content the step appended to $GITHUB_STEP_SUMMARY
};

struct JobDetail {
  JobRecord job;
  std::vector<StepRecord> steps;  // by index
};

// One run with everything recorded about it.
struct RunDetail {
  RunRecord run;
  std::vector<JobDetail> jobs;  // in the order they were added
  std::vector<Annotation> annotations;
  std::vector<StepSummary> summaries;
};

}  // namespace pipewright::store
