// Running one selected workflow (DESIGN.md "Data flow of pipewright run", steps 3-6):
// the run's contexts from the repository and event, then the scheduler with the host
// executor, reported to an EventSink. Loading and selecting (steps 1-2) are the
// caller's (pipeline/workflows.h), since they span several workflows.
#pragma once

#include <cstdint>
#include <string>

#include "pipewright/exec/actions/action_settings.h"
#include "pipewright/exec/events.h"
#include "pipewright/exec/masker.h"
#include "pipewright/exec/scheduler.h"
#include "pipewright/exec/step_runner.h"
#include "pipewright/expr/value.h"
#include "pipewright/plan/event.h"
#include "pipewright/plan/repository.h"
#include "pipewright/workflow/model.h"

namespace pipewright::exec {

struct RunSettings {
  std::string workflow_file;  // repository-relative
  int64_t run_id = 1;
  int64_t run_number = 1;
  int run_attempt = 1;  // github.run_attempt, GITHUB_RUN_ATTEMPT (a re-run's attempt)
  expr::Value secrets;  // object
  expr::Value vars;     // object
  expr::Value inputs;   // object or null
  EnvList extra_env;    // --env / --env-file, over the host environment
  SchedulerOptions scheduler;
  // The workflow- and job-level `concurrency:` groups shared with the other runs of this
  // process (nullptr: no sharing; the run's jobs still share groups among themselves).
  ConcurrencyGroups* concurrency = nullptr;
  std::string jobs_dir;  // parent of the per-job directories (exec/workspace.h)
  std::string data_dir;  // history, logs, caches: never copied into a workspace
  // The project the workflow belongs to when it is a subdirectory of the repository
  // (`-W sub/.github/workflows/ci.yml`): the workspace holds that directory only.
  std::string project_dir;
  bool bind = false;
  bool keep = false;
  bool verbose = false;
  bool dry_run = false;  // `run -n`: walk the plan, run no step
  Masker* masker = nullptr;
  actions::ActionSettings actions;  // uses: (issue 4)
};

// Runs `workflow` for `event`; reports run_started..run_finished to `sink`. With
// settings.concurrency, first takes the workflow's `concurrency:` group (reporting
// run_waiting while it waits); a run cancelled while pending runs no job. Fails only
// when the run cannot start (invalid needs graph, unknown -j job, a concurrency
// expression that fails).
util::Expected<ScheduleOutcome> run_workflow(const workflow::Workflow& workflow,
                                             const plan::Event& event,
                                             const plan::Repository& repository,
                                             const RunSettings& settings, EventSink& sink);

// The host's environment for steps: ours without GITHUB_*/RUNNER_* (a run inside CI
// must not leak its own) and without ACT.
EnvList host_environment();

}  // namespace pipewright::exec
