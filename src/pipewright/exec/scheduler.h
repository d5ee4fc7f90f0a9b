// Scheduling the jobs of one workflow run (DESIGN.md data flow step 4): a job starts
// as soon as its own `needs` are done; among ready jobs the longest remaining
// critical path goes first; global parallelism, `strategy.max-parallel`, `fail-fast`
// (running siblings cancelled, queued ones not started), job `if` with job-level
// status functions (skips cascade), `runs-on` mapped to this host or skipped with
// the reason, matrices expanded when the job becomes ready (they may use needs), job
// `concurrency:` groups (concurrency.h), jobs carried over by a re-run (rerun.h), and
// why a queued job instance waits (EventSink::job_waiting).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipewright/exec/concurrency.h"
#include "pipewright/exec/job_runner.h"
#include "pipewright/exec/job_slots.h"
#include "pipewright/exec/rerun.h"
#include "pipewright/os/cancel.h"

namespace pipewright::exec {

struct SchedulerOptions {
  size_t parallel = 1;  // global limit of concurrently running job instances
  // `-P LABEL=host|skip`: "host" runs the label here, "skip" skips it.
  std::map<std::string, std::string> platforms;
  // `--matrix k:v` filters.
  std::vector<std::pair<std::string, std::string>> matrix_filters;
  // `-j ID`: only these jobs and what they need ('' = all).
  std::vector<std::string> only_jobs;
  // Ctrl-C: graceful then immediate (nullptr: none).
  const os::CancelToken* cancel = nullptr;
  // The `-p` limit shared with other runs going on at once (workflows in parallel): a
  // slot is taken before each job instance starts and given back when it ends
  // (nullptr: only `parallel` limits).
  std::shared_ptr<JobSlots> slots;
  // Job-level `concurrency:` groups shared with other runs (nullptr: this run's own).
  ConcurrencyGroups* concurrency = nullptr;
  // The run's workflow-level group ticket: when a newer run asks it to cancel
  // (cancel-in-progress), the run is cancelled as by Ctrl-C, with GitHub's message
  // (nullptr: none).
  const ConcurrencyTicket* run_ticket = nullptr;
  // How other requests for a group name this run: "run 12 (CI)" ('' = "this run").
  std::string run_label;
  // A re-run's jobs (by `jobs:` key) that keep their earlier result and outputs: they
  // are reported finished with JobEnd::carried_over and run no step (rerun.h).
  PriorResults carried_over;
};

struct ScheduleOutcome {
  Result result = Result::success;  // failure when a required job failed
  bool cancelled = false;
};

// Runs every job of run.workflow through `executor`, reporting to run.sink. Fails only
// when the needs graph is invalid (unknown job, cycle) or `-j` names no job.
util::Expected<ScheduleOutcome> schedule_run(const RunContext& run, Executor& executor,
                                             const SchedulerOptions& options);

// Whether `runs-on` labels run on this host: "" when yes, else the reason a job with
// them is skipped ("unsupported on this host: windows-latest").
std::string runs_on_verdict(const std::vector<std::string>& labels,
                            const std::map<std::string, std::string>& platforms);

// Why a job of a `container:` is skipped.
std::string container_skip_reason(const workflow::Job& job);
// Why `job` will be skipped whatever happens before it (a `container:`, or `runs-on`
// labels without expressions this host does not run); "" when it may run.
std::string known_skip_reason(const workflow::Job& job,
                              const std::map<std::string, std::string>& platforms);

}  // namespace pipewright::exec
