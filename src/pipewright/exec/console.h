// Console sinks: plain whole lines `[workflow/job] | text` (never interleaved), or
// `--json` (one JSON event per line), plus the end-of-run summary: a table of jobs
// (workflow, job, result, duration, reason), the annotations with file:line and the
// step summaries as text.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/events.h"

namespace pipewright::exec {

struct ConsoleOptions {
  bool verbose = false;
};

// What the summary shows about one finished job.
struct SummaryRow {
  std::string workflow;
  std::string job;
  Result result = Result::success;
  std::chrono::milliseconds duration{0};
  std::string reason;
  bool continue_on_error = false;
  size_t instance = 0;  // JobInfo::instance: rows of a workflow are in queue order
  std::string job_id{};
  bool matrix_leg = false;
};

// The end-of-run summary of one or several runs: a table of jobs (grouped by workflow
// in the order the runs started), a count line ("2 succeeded, 1 failed, 1 skipped"),
// the annotations with file:line and the step summaries as text. Thread-safe.
class RunSummary {
 public:
  // A run started: its jobs are listed after those of runs that started before it.
  void add_run(std::string_view workflow);
  void add_job(const JobInfo& j, const JobEnd& e);
  void add_annotation(const JobInfo& j, const Annotation& a);
  void add_step_summary(const JobInfo& j, std::string_view markdown);
  // The rows seen so far, grouped by workflow.
  std::vector<SummaryRow> rows() const;
  // The whole summary, starting with a blank line; the result column is coloured when
  // `colour`.
  std::string render(bool colour = false) const;

 private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_workflows;
  std::vector<SummaryRow> m_rows;
  std::vector<std::string> m_annotations;
  std::vector<std::string> m_summaries;
};

// "2 succeeded, 1 failed, 1 skipped" over `rows` (failures allowed by continue-on-error
// are said so); "no jobs ran" when empty.
std::string count_line(const std::vector<SummaryRow>& rows);

// An annotation as one line: "file:line:col: level: title: message".
std::string annotation_text(const Annotation& a);

// Prints events as plain lines to `out` and collects the end-of-run summary.
class PlainConsole : public EventSink {
 public:
  explicit PlainConsole(std::FILE* out, ConsoleOptions options = {});

  void run_started(const RunStart& e) override;
  void job_waiting(const JobInfo& j, std::string_view reason) override;
  void run_waiting(std::string_view workflow_name, std::string_view reason) override;
  void run_finished(const RunEnd& e) override;
  void step_started(const JobInfo& j, int index, std::string_view name) override;
  void step_line(const JobInfo& j, int index, std::string_view line) override;
  void step_lines(const JobInfo& j, int index, std::string_view lines) override;
  void step_group(const JobInfo& j, int index, std::string_view title) override;
  void step_finished(const JobInfo& j, int index, std::string_view name, const StepEnd& e) override;
  void annotation(const JobInfo& j, int step, const Annotation& a) override;
  void step_summary(const JobInfo& j, int step, std::string_view markdown) override;
  void job_message(const JobInfo& j, std::string_view text) override;
  void job_finished(const JobInfo& j, const JobEnd& e) override;
  void flush() override;

  // The summary table, annotations and step summaries of everything seen so far.
  void print_summary();
  RunSummary& summary() { return m_summary; }

 private:
  // Writes one whole line; flushed at once unless it is step output (see flush()).
  void line(const JobInfo& j, std::string_view marker, std::string_view text,
            bool step_output = false);

  std::FILE* m_out;
  ConsoleOptions m_options;
  std::mutex m_mutex;
  RunSummary m_summary;
  // One line per error: the last `##[error]` line of each running job (by instance), so
  // a failure whose detail it already says is not repeated, and the jobs whose failure a
  // step line already gave.
  std::map<size_t, std::string> m_last_error;
  std::set<size_t> m_failure_shown;
};

// Prints one JSON object per line: run.started, run.waiting, job.queued, job.waiting,
// job.started, step.started, step.log, step.finished, annotation, job.finished,
// run.finished.
class JsonConsole : public EventSink {
 public:
  explicit JsonConsole(std::FILE* out) : m_out(out) {}

  void run_started(const RunStart& e) override;
  void job_queued(const JobInfo& j) override;
  void job_waiting(const JobInfo& j, std::string_view reason) override;
  void run_waiting(std::string_view workflow_name, std::string_view reason) override;
  void job_started(const JobInfo& j) override;
  void step_started(const JobInfo& j, int index, std::string_view name) override;
  void step_line(const JobInfo& j, int index, std::string_view line) override;
  void step_group(const JobInfo& j, int index, std::string_view title) override;
  void step_finished(const JobInfo& j, int index, std::string_view name, const StepEnd& e) override;
  void annotation(const JobInfo& j, int step, const Annotation& a) override;
  void step_summary(const JobInfo& j, int step, std::string_view markdown) override;
  void job_message(const JobInfo& j, std::string_view text) override;
  void job_finished(const JobInfo& j, const JobEnd& e) override;
  void run_finished(const RunEnd& e) override;
  void flush() override;

  // The sink for the events of run `run_id` of `workflow` when several runs share this
  // console: its run.started and run.finished also carry "run_id", and run.finished
  // the workflow. The console must outlive the sink.
  std::unique_ptr<EventSink> run_sink(int64_t run_id, std::string workflow);

 private:
  class RunSink;
  void emit(const std::string& object, bool step_output = false);
  // `tag`: '' or the extra fields (",\"run_id\":3") of one run.
  void run_started_tagged(const RunStart& e, const std::string& tag);
  void run_finished_tagged(const RunEnd& e, const std::string& tag);
  void run_waiting_tagged(std::string_view workflow_name, std::string_view reason,
                          const std::string& tag);

  std::FILE* m_out;
  std::mutex m_mutex;
};

// `text` as a JSON string literal (invalid UTF-8 bytes become U+FFFD).
std::string json_string(std::string_view text);
// "1.2s", "2m03s", "45ms".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace pipewright::exec
