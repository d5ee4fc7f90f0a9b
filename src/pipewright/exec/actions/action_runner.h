// Running `uses:` steps (issue 4 §1, gha-spec.md §8 and §13): a reference is resolved
// to a built-in (find_builtin), a local action (`./path` in the workspace) or a remote
// one (through the ActionCache), its action.yml loaded, and then run by kind:
//   - composite: the inner steps with their own `inputs`/`steps` contexts, env
//     isolation (GITHUB_ENV and GITHUB_PATH still reach the job), outputs mapped from
//     the inner steps, nesting up to k_max_composite_depth;
//   - JavaScript (node12..node24): `node <main>` with INPUT_*, GITHUB_ACTION*, STATE_*;
//     `pre` (remote actions, at job start) and `post` (at job end, in reverse order);
//   - Docker (`docker://` or runs.using: docker): reported skipped, no container runtime.
// The job runner owns the job's state and gives it through ActionHost; ActionRunner
// keeps what outlives one step (the loaded actions, the post-step queue).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipewright/exec/actions/action_cache.h"
#include "pipewright/exec/actions/action_ref.h"
#include "pipewright/exec/actions/action_settings.h"
#include "pipewright/exec/actions/builtin.h"
#include "pipewright/exec/step_runner.h"
#include "pipewright/expr/evaluator.h"
#include "pipewright/workflow/model.h"

namespace pipewright::exec::actions {

// GitHub's limit on composite actions calling composite actions.
inline constexpr int k_max_composite_depth = 9;

// What the job gives the action runner (implemented by the job runner; tests fake it).
class ActionHost {
 public:
  virtual ~ActionHost() = default;
  // The `env` context before a step's own `env:` (workflow < job < GITHUB_ENV).
  virtual EnvList context_env() const = 0;
  // The whole environment of a process whose step env is `step_env`: host and GitHub
  // defaults < context_env() < step_env; GITHUB_*/RUNNER_* kept; PATH with GITHUB_PATH.
  virtual EnvList process_env(const EnvList& step_env) const = 0;
  // Applies a finished step's GITHUB_ENV / GITHUB_PATH entries to the job.
  virtual void apply_files(const EnvList& env, const std::vector<std::string>& path_lines) = 0;
  // Runs a process step with the job's temp dir, masker, process scope, a fresh cancel
  // token, grace periods and argv prefix.
  virtual ScriptResult run_process(const ScriptStep& step, const StepOutputHandlers& handlers) = 0;
  // A fresh cancel token for an in-process step (built-ins); nullptr when none.
  virtual const os::CancelToken* begin_in_process_step() = 0;
  // github, runner, vars, secrets, inputs, matrix, strategy, needs, job (and hashFiles).
  virtual expr::EvalContext base_context() const = 0;
  // Whether the job was asked to cancel.
  virtual bool cancelled() const = 0;
  // Whether the job has succeeded so far.
  virtual bool job_succeeded() const = 0;
};

// The job-wide facts an action needs.
struct ActionJob {
  std::string workspace;    // GITHUB_WORKSPACE
  std::string runner_temp;  // RUNNER_TEMP
  std::string source_dir;   // the working tree the run started in (built-in checkout)
  const ActionSettings* settings = nullptr;
  Masker* masker = nullptr;
  bool verbose = false;
};

enum class ActionKind { builtin, composite, javascript, docker };

// A `uses:` resolved to what runs it.
struct ResolvedAction {
  ActionKind kind = ActionKind::docker;
  ActionRef ref;
  std::string dir;  // the action's directory ('' for built-ins and docker://)
  std::shared_ptr<const workflow::Action> action;  // action.yml (null: built-in, docker://)
  const BuiltinAction* builtin = nullptr;
  // The action's display name ("owner/repo/path@ref", "./path", "docker://…").
  std::string display() const { return ref.text; }
};

// Where one step's output goes: lines, groups, annotations of the (outer) step.
struct ActionOutput {
  StepOutputHandlers handlers;
  std::function<void(std::string_view)> summary;  // a GITHUB_STEP_SUMMARY (may be empty)
};

// How a step (main, pre or post part) ended.
struct ActionStepResult {
  Result outcome = Result::success;  // skipped: `detail` says why
  std::string detail;
  EnvList outputs;  // steps.<id>.outputs
  bool timed_out = false;
};

// One outer `uses:` step, evaluated by the job runner in its step context.
struct UsesStep {
  const workflow::Step* step = nullptr;
  std::string display_name;  // "Run ./x", `name:`
  std::string action_id;     // github.action: the id, or a generated "__owner_repo"
  EnvList env;               // the step's own `env:`, evaluated
  std::optional<std::chrono::milliseconds> timeout;
};

// A pre or post part waiting to run.
struct ActionPhase {
  std::string name;  // "Pre …" / "Post …"
  std::shared_ptr<const ResolvedAction> action;
  std::string action_id;
  std::string state_key;     // where GITHUB_STATE of this action instance is kept
  EnvList inputs;            // resolved inputs (defaults < with:)
  EnvList step_env;          // the step's own env, as evaluated for the main part
  EnvList state;             // built-ins: what main() saved
  workflow::Text condition;  // pre-if / post-if (absent = always())
  bool post = false;
};

// "Docker actions are not supported yet (no container runtime): <uses>".
std::string docker_skip_reason(const ResolvedAction& action);

class ActionRunner {
 public:
  ActionRunner(ActionHost& host, ActionJob job);

  // Resolves `uses` (text and location of a step's `uses:`): built-in first, then a
  // local directory under the workspace or the action cache; loads action.yml. Fails
  // with file:line:col of the problem (or of `uses:` when the action cannot be found).
  // Results are remembered for the job.
  util::Expected<std::shared_ptr<const ResolvedAction>> resolve(const workflow::Text& uses);

  // GitHub's "Prepare all required actions", before the job's first step: fetches
  // every remote action `steps` use (built-ins excepted), and those of the composite
  // actions among them. Fails at the first one that cannot be fetched, naming it and
  // how to provide it (--actions-url, `pipewright actions pull`, --offline).
  util::Expected<void> prepare(const std::vector<workflow::Step>& steps);

  // The Pre part of `step` when it uses a remote JavaScript action with `runs.pre`
  // (GitHub runs no pre for local actions), inputs evaluated in `ctx`; nullopt
  // otherwise, and when the action cannot be resolved (the step reports that).
  std::optional<ActionPhase> pre_phase(const UsesStep& step, const expr::EvalContext& ctx);

  // Runs the main part of an outer `uses:` step (resolved by resolve()); `ctx` is the
  // step's context (its env including the step env). Queues the post part, if any.
  // A Docker action ends `skipped` with docker_skip_reason().
  ActionStepResult run_main(const ResolvedAction& action, const UsesStep& step,
                            const expr::EvalContext& ctx, const ActionOutput& out);

  // Whether a pre or post part runs: its pre-if / post-if (not wrapped; absent means
  // always()) in `ctx`, the job's context now. Fails when the condition does.
  util::Expected<bool> phase_condition(const ActionPhase& phase, const expr::EvalContext& ctx);

  // Runs a pre or post part (phase_condition() said yes).
  ActionStepResult run_phase(const ActionPhase& phase, const ActionOutput& out);

  // The queued post parts in the order they must run (reverse of queuing); empties
  // the queue.
  std::vector<ActionPhase> take_posts();

 private:
  struct Frame;  // one composite level (composite_runner.cc)

  util::Expected<ActionCache> action_cache() const;
  util::Expected<void> prepare_at_depth(const std::vector<workflow::Step>& steps, int depth);

  ActionStepResult run_at_depth(const ResolvedAction& action, const UsesStep& step,
                                const std::string& state_key, const expr::EvalContext& ctx,
                                const ActionOutput& out, int depth);
  ActionStepResult run_javascript(const ResolvedAction& action, const std::string& entry,
                                  const std::string& action_id, const std::string& state_key,
                                  const EnvList& inputs, const EnvList& step_env,
                                  std::optional<std::chrono::milliseconds> timeout,
                                  const ActionOutput& out);
  ActionStepResult run_builtin(const ResolvedAction& action, const EnvList& inputs,
                               const EnvList& step_env, const EnvList& state, bool post,
                               const ActionOutput& out, BuiltinResult* raw);
  ActionStepResult run_composite(const ResolvedAction& action, const UsesStep& step,
                                 const std::string& state_key, const EnvList& inputs,
                                 const expr::EvalContext& outer, const ActionOutput& out,
                                 int depth);
  ActionStepResult run_inner_step(Frame& frame, const workflow::Step& inner, int depth);
  util::Expected<EnvList> resolve_inputs(const ResolvedAction& action, const workflow::Step& step,
                                         const expr::EvalContext& ctx, const ActionOutput* out);

  ActionHost& m_host;
  ActionJob m_job;
  std::map<std::string, std::shared_ptr<const ResolvedAction>> m_resolved;  // by uses text
  std::map<std::string, EnvList> m_states;  // GITHUB_STATE by state key
  std::vector<ActionPhase> m_posts;
};

// INPUT_<NAME>: the input id upper-cased with spaces as '_' (hyphens kept).
std::string input_variable(std::string_view input_id);

// GitHub's warning for `with:` keys the action does not declare, or "" when none:
// "Unexpected input(s) 'x', valid inputs are ['a', 'b']".
std::string unexpected_inputs_warning(const std::vector<std::string>& given,
                                      const std::vector<std::string>& valid);

// The generated github.action of a step without id: "__run" for `run:`, "__owner_repo"
// for `uses: owner/repo@v1`, "__self" for a local action; `taken` counts earlier uses
// and makes later ones "__run_2", ...
std::string generated_action_id(const workflow::Step& step, std::map<std::string, int>& taken);

}  // namespace pipewright::exec::actions
