// Steps 3 to 6 of a run (DESIGN.md data flow) for ONE selected workflow whose run
// record already exists: plan and schedule its jobs (exec::run_workflow) in a fresh
// run directory, record every job, step and log line (RunRecorder), and finish the
// record with the result. `pipewright run` begins its records with begin_run; the
// server creates queued runs itself and passes their id, number and attempt.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pipewright/exec/engine.h"
#include "pipewright/exec/events.h"
#include "pipewright/exec/masker.h"
#include "pipewright/expr/value.h"
#include "pipewright/os/cancel.h"
#include "pipewright/pipeline/host.h"
#include "pipewright/pipeline/workflows.h"
#include "pipewright/plan/event.h"
#include "pipewright/plan/repository.h"
#include "pipewright/store/store.h"

namespace pipewright::pipeline {

struct RunRequest {
  const LoadedWorkflow* workflow = nullptr;  // selected (trigger matched)
  const plan::Event* event = nullptr;
  const plan::Repository* repository = nullptr;  // the working copy or checkout jobs copy
  store::RunId id = 0;     // the run's record (begin_run, or the server's queue)
  int64_t run_number = 1;  // github.run_number
  int run_attempt = 1;     // github.run_attempt (see to_run_settings)
  expr::Value inputs;      // run_inputs(): typed, or null
  expr::Value secrets;     // object (secrets.*)
  expr::Value vars;        // object (vars.*)
  exec::EnvList env;       // over the host environment of every step
  std::vector<std::pair<std::string, std::string>> matrix_filters;  // --matrix k:v
  std::vector<std::string> only_jobs;                               // -j: these and their needs
  // Cancels this run: the process's (Ctrl-C) or the run's own (the server's API);
  // nullptr: nothing cancels it.
  const os::CancelToken* cancel = nullptr;
  // The `concurrency:` groups shared with the other runs of this process (the workflows
  // of one `pipewright run`, every run of the server); nullptr: none shared.
  exec::ConcurrencyGroups* concurrency = nullptr;
  // A re-run's jobs that keep their earlier result and outputs (exec/rerun.h).
  exec::PriorResults carried_over;
  // Masks every sink, the record and the errors; holds `secrets` (see add_secrets).
  // nullptr: execute_run masks with a masker of `secrets` of its own.
  exec::Masker* masker = nullptr;
  bool dry_run = false;  // walk the plan; nothing is recorded (`id` may be 0)
  bool bind = false;     // run in the working copy itself
  bool keep = false;     // keep job workspaces
  bool verbose = false;
};

struct RunOutcome {
  exec::ScheduleOutcome schedule;  // result (failure when it could not run), cancelled
  bool started = false;            // false: cancelled before it began
  std::string error;               // why it could not run (masked); "" when it ran
  std::string recording_error;     // the first error recording it; "" when none
};

// Adds every secret's value to `masker`. Returns the warnings to show, e.g. "secret
// TOKEN: ..." (a value too short to mask safely), none of them holding a value.
std::vector<std::string> add_secrets(exec::Masker& masker, const expr::Object& secrets);

// Records a new run of `w` for `event` (status running, started now). Fails with the
// store's error.
util::Expected<store::RunRecord> begin_run(store::Store& store, const LoadedWorkflow& w,
                                           const plan::Event& event);

// The exec-level settings of `request` on `host`, jobs under `jobs_dir`: the one place a
// request maps to exec::RunSettings.
exec::RunSettings to_run_settings(const RunRequest& request, const HostSettings& host,
                                  const std::string& jobs_dir);

// Runs `request` to its end, reporting to `sink` (the caller's console, live logs...)
// and, unless a dry run, recording into `store` and finishing the record with the
// result. A run cancelled before it begins does not start and is finished cancelled.
// Never fails: what went wrong is in the outcome (and the run counts as failed).
RunOutcome execute_run(const RunRequest& request, const HostSettings& host, store::Store& store,
                       exec::EventSink& sink);

}  // namespace pipewright::pipeline
