// What the engine reports while a run goes on: one EventSink receives every event,
// from any job thread, already masked. Console output, `--json`, and the run history
// (an adapter in cli/) are sinks; MultiSink fans out to several.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/workflow_commands.h"

namespace pipewright::exec {

// How a run, job or step ended.
enum class Result { success, failure, cancelled, skipped };

// "success", "failure", "cancelled", "skipped".
std::string_view result_name(Result result);

// Calls `each` with every line of `lines` (split at '\n', without it); a last
// line without '\n' counts too.
template <typename F>
void for_each_line(std::string_view lines, F&& each) {
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    each(lines.substr(0, nl));
    lines.remove_prefix(nl == std::string_view::npos ? lines.size() : nl + 1);
  }
}

using Clock = std::chrono::system_clock;

struct RunStart {
  std::string workflow_file;  // as given (relative to the repository when inside it)
  std::string workflow_name{};
  std::string event;
  std::string ref;
  std::string sha;
  Clock::time_point started_at;
};

// A job instance (one matrix leg). `instance` is unique within the run.
struct JobInfo {
  size_t instance = 0;
  std::string workflow_name{};
  std::string job_id;
  std::string name;         // display name, e.g. "test (3.11)"
  std::string matrix_json;  // compact JSON (one line), masked; '' without a matrix
};

struct StepEnd {
  Result outcome = Result::success;     // before continue-on-error
  Result conclusion = Result::success;  // after it
  std::chrono::milliseconds duration{0};
  std::string detail;  // "exited with code 2", skip reason, ...
};

struct JobEnd {
  Result result = Result::success;
  std::string reason;  // why skipped / cancelled / failed ('' when nothing to say)
  std::chrono::milliseconds duration{0};
  std::string kept_workspace;  // path, when the workspace was kept
  bool continue_on_error = false;
  // A re-run kept this job's result and outputs from an earlier attempt; no step ran.
  bool carried_over = false;
  // The job's outputs as a compact JSON object ('' when it has none): what a later
  // re-run carries over for `needs.<job>.outputs`.
  std::string outputs_json{};
};

struct RunEnd {
  Result result = Result::success;
  std::chrono::milliseconds duration{0};
  std::string reason{};  // why the run ended so when no job says it (a concurrency group)
  std::string workflow_name{};
};

// Receives events. Implementations must be thread-safe: jobs report concurrently.
// Every text is masked before it reaches a sink.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void run_started(const RunStart&) {}
  // A job instance exists (queued); called before job_started or job_finished for it.
  virtual void job_queued(const JobInfo&) {}
  // A queued job instance cannot start yet, and why ("waiting for a free job slot…",
  // "waiting for concurrency group 'deploy', held by run 12 (CI)"); sent when the reason
  // changes, so a sink may show one line each time.
  virtual void job_waiting(const JobInfo&, std::string_view /*reason*/) {}
  // Run `workflow_name` waits before any job starts (its workflow's concurrency group).
  virtual void run_waiting(std::string_view /*workflow_name*/, std::string_view /*reason*/) {}
  virtual void job_started(const JobInfo&) {}
  virtual void step_started(const JobInfo&, int /*index*/, std::string_view /*name*/) {}
  // One whole output line of step `index` (no line break).
  virtual void step_line(const JobInfo&, int /*index*/, std::string_view /*line*/) {}
  // Several whole output lines of step `index`, each ending in '\n' (a step's plain
  // output comes in such blocks). By default, step_line() for each line.
  virtual void step_lines(const JobInfo& job, int index, std::string_view lines);
  // A ::group:: title (also logged as a line).
  virtual void step_group(const JobInfo&, int /*index*/, std::string_view /*title*/) {}
  virtual void step_finished(const JobInfo&, int /*index*/, std::string_view /*name*/,
                             const StepEnd&) {}
  // An annotation from a workflow command or the engine; `step` is -1 for job-level.
  virtual void annotation(const JobInfo&, int /*step*/, const Annotation&) {}
  virtual void step_summary(const JobInfo&, int /*step*/, std::string_view /*markdown*/) {}
  // An engine message about the job (warnings like a dropped output).
  virtual void job_message(const JobInfo&, std::string_view /*text*/) {}
  virtual void job_finished(const JobInfo&, const JobEnd&) {}
  virtual void run_finished(const RunEnd&) {}
  // A batch of output has been reported (after each chunk a step printed): buffered
  // sinks write it out now, so a quiet step's last lines show without a flush per line.
  virtual void flush() {}
};

// Forwards every event to each of its sinks, in order.
class MultiSink : public EventSink {
 public:
  void add(EventSink* sink) { m_sinks.push_back(sink); }

  void run_started(const RunStart& e) override;
  void job_queued(const JobInfo& j) override;
  void job_waiting(const JobInfo& j, std::string_view reason) override;
  void run_waiting(std::string_view workflow_name, std::string_view reason) override;
  void job_started(const JobInfo& j) override;
  void step_started(const JobInfo& j, int index, std::string_view name) override;
  void step_line(const JobInfo& j, int index, std::string_view line) override;
  void step_lines(const JobInfo& j, int index, std::string_view lines) override;
  void step_group(const JobInfo& j, int index, std::string_view title) override;
  void step_finished(const JobInfo& j, int index, std::string_view name, const StepEnd& e) override;
  void annotation(const JobInfo& j, int step, const Annotation& a) override;
  void step_summary(const JobInfo& j, int step, std::string_view markdown) override;
  void job_message(const JobInfo& j, std::string_view text) override;
  void job_finished(const JobInfo& j, const JobEnd& e) override;
  void run_finished(const RunEnd& e) override;
  void flush() override;

 private:
  std::vector<EventSink*> m_sinks;
};

// One job's events, held back while deferring and replayed in order by release();
// forwarded at once otherwise. The job runner defers the end of one step and the
// start of the next until that next step's process runs, so that console and history
// writes overlap with the process instead of delaying its start. Used by one job
// thread only; the JobInfo given must outlive release(). Run events are never held.
class DeferredSink : public EventSink {
 public:
  explicit DeferredSink(EventSink& target) : m_target(target) {}
  DeferredSink(const DeferredSink&) = delete;
  DeferredSink& operator=(const DeferredSink&) = delete;
  ~DeferredSink() override { release(); }

  void defer() { m_deferring = true; }
  void release();

  void run_started(const RunStart& e) override { m_target.run_started(e); }
  void job_queued(const JobInfo& j) override { m_target.job_queued(j); }
  void job_waiting(const JobInfo& j, std::string_view reason) override {
    m_target.job_waiting(j, reason);
  }
  void run_waiting(std::string_view workflow_name, std::string_view reason) override {
    m_target.run_waiting(workflow_name, reason);
  }
  void run_finished(const RunEnd& e) override { m_target.run_finished(e); }
  void job_started(const JobInfo& j) override;
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

 private:
  EventSink& m_target;
  bool m_deferring = false;
  std::vector<std::function<void(EventSink&)>> m_held;
};

}  // namespace pipewright::exec
