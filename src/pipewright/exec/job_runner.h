// Running one job instance: the Executor seam (DESIGN.md) and the host executor,
// which gives the job a workspace, runs its steps in order (step `if` with the job
// status, env precedence, continue-on-error, outcome vs conclusion, steps.<id>.outputs,
// environment files), evaluates the job outputs at the end and ends what the steps
// left behind.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipewright/exec/actions/action_settings.h"
#include "pipewright/exec/events.h"
#include "pipewright/exec/masker.h"
#include "pipewright/exec/output_limits.h"
#include "pipewright/exec/step_runner.h"
#include "pipewright/expr/value.h"
#include "pipewright/os/cancel.h"
#include "pipewright/workflow/model.h"

namespace pipewright::exec {

class DirectoryJanitor;

// Cancellation of one job. A graceful request interrupts the running step (SIGINT,
// then escalation) and makes cancelled() true for the steps after it, which still run
// when their `if` says so (always(), cancelled()); a kill request ends everything at
// once. Thread-safe.
class JobControl {
 public:
  void request_cancel();
  void request_kill();
  bool cancelled() const { return m_level.load() >= 1; }
  bool killed() const { return m_level.load() >= 2; }
  // A fresh token for the next step: untouched after a graceful cancel (so always()
  // steps run), already at "immediate" after a kill. Fails when eventfd fails.
  util::Expected<std::shared_ptr<os::CancelToken>> begin_step();

 private:
  std::mutex m_mutex;
  std::shared_ptr<os::CancelToken> m_current;
  std::atomic<int> m_level{0};
};

// Everything run-wide a job needs (built once by the engine).
struct RunContext {
  const workflow::Workflow* workflow = nullptr;
  std::string workflow_name;  // `name:`, else the repository-relative file
  expr::Value github;         // run-wide github context
  expr::Value runner;         // runner context
  expr::Value vars;           // vars context (object)
  expr::Value secrets;        // secrets context (object)
  expr::Value inputs;         // inputs context (object or null)
  EnvList base_env;           // host environment + GitHub's default variables
  EnvList cli_env;            // --env / --env-file: also in the env context, below env:
  Masker* masker = nullptr;
  EventSink* sink = nullptr;
  std::string source_dir;                    // the working tree
  std::vector<std::string> workspace_files;  // relative to source_dir
  std::string jobs_dir;                      // parent of per-job directories
  std::string scratch_dir;                   // parent of per-job scratch dirs ('' = in RUNNER_TEMP)
  DirectoryJanitor* janitor = nullptr;       // removes finished jobs' directories (null: at once)
  // The workspace's directory name (exec/workspace.h: <repo>/<repo>).
  std::string repo_dir;
  bool bind = false;
  bool keep = false;
  bool verbose = false;
  os::GracePeriods grace;
  actions::ActionSettings actions;  // uses: (issue 4)
  // What the run's outputs have used of GitHub's 50 MB (shared by its jobs and by the
  // jobs of the reusable workflows it calls).
  std::shared_ptr<OutputBudget> outputs = std::make_shared<OutputBudget>();
};

// One job instance ready to run.
struct JobInstance {
  JobInfo info;
  const workflow::Job* job = nullptr;
  expr::Value matrix;    // object (empty without matrix)
  expr::Value strategy;  // object
  expr::Value needs;     // object of direct needs {result, outputs}
  std::chrono::milliseconds timeout{360 * 60 * 1000};
  // After `timeout`, how long the steps that still run (always(), cancelled()) have in
  // all: cancel-timeout-minutes, 5 by default as on GitHub.
  std::chrono::milliseconds cancel_timeout{5 * 60 * 1000};

  // The evaluated runs-on labels.
  std::vector<std::string> runs_on;
};

struct JobRunResult {
  Result result = Result::success;
  std::string reason;
  expr::Object outputs;
  std::string kept_workspace;
};

// Runs job instances (host today; sandbox and remote agents later).
class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `job` to its end, reporting through run.sink (job_started..step events; the
  // caller reports job_finished). Must honour `control`.
  virtual JobRunResult run_job(const RunContext& run, const JobInstance& job,
                               JobControl& control) = 0;
};

// The executor that runs steps as processes on this host.
std::unique_ptr<Executor> make_host_executor();
// The executor of `run -n`: reports the steps each job would run, runs nothing.
std::unique_ptr<Executor> make_plan_executor();

}  // namespace pipewright::exec
