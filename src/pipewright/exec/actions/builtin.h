// Native built-in actions (issue 4 §2): actions/checkout, cache (+/restore, /save),
// upload-artifact, download-artifact, setup-python/node/go/java run in-process, by
// name, whatever version the workflow asks for. The job runner resolves a `uses:`
// step; when find_builtin() returns an action (and --no-builtins does not exclude
// it), it calls main() instead of fetching and running the real action, and post()
// at job end (reverse order, like every post step) when main() asked for it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/exec/actions/action_ref.h"
#include "pipewright/exec/actions/action_settings.h"
#include "pipewright/exec/events.h"
#include "pipewright/exec/masker.h"
#include "pipewright/expr/value.h"
#include "pipewright/os/cancel.h"

namespace pipewright::exec::actions {

using BuiltinEnv = std::vector<std::pair<std::string, std::string>>;

// Everything one call of a built-in sees.
struct BuiltinCall {
  ActionRef ref;  // the parsed `uses:`
  // `with:` after evaluation, keyed by the input name as written in the workflow;
  // defaults are the built-in's own business (input() below helps).
  std::map<std::string, std::string> inputs;
  expr::Value github;       // the job's github context (sha, ref, repository, run_id, ...)
  std::string workspace;    // GITHUB_WORKSPACE of the job
  std::string runner_temp;  // RUNNER_TEMP of the job
  std::string source_dir;   // the repository the run was started in (for checkout)
  BuiltinEnv env;           // the step's whole environment (PATH, HOME, ...)
  // post(): what main() saved (its BuiltinResult::state). main(): empty.
  std::map<std::string, std::string> state;
  bool job_succeeded = true;  // post(): whether the job has succeeded so far
  const ActionSettings* settings = nullptr;
  Masker* masker = nullptr;
  const os::CancelToken* cancel = nullptr;
  std::function<void(std::string_view)> line;         // one log line (masked by the callee)
  std::function<void(const Annotation&)> annotation;  // ::warning:: etc. equivalents

  // The input `name` (GitHub compares input names case-insensitively), or `fallback`.
  std::string input(std::string_view name, std::string_view fallback = "") const;
};

// What a call produced; the job runner applies it like a step's environment files.
struct BuiltinResult {
  Result outcome = Result::success;
  std::string detail;                   // why it failed ('' on success)
  BuiltinEnv outputs;                   // steps.<id>.outputs
  BuiltinEnv env;                       // like GITHUB_ENV
  std::vector<std::string> path_lines;  // like GITHUB_PATH (prepended in order)
  BuiltinEnv state;                     // like GITHUB_STATE: handed to post()
  bool run_post = false;                // main(): post() must run at job end
};

// One built-in action (STYLE.md: a seam with one implementation per action).
class BuiltinAction {
 public:
  virtual ~BuiltinAction() = default;
  // "actions/cache", "actions/cache/restore", ...
  virtual std::string_view name() const = 0;
  virtual BuiltinResult main(const BuiltinCall& call) const = 0;
  // Runs at job end when main() set run_post (post-if: always(); the action decides
  // what to do from call.job_succeeded and call.state).
  virtual BuiltinResult post(const BuiltinCall& call) const;
};

// The built-in for a remote action reference (owner/repo[/path], any ref), or nullptr
// when there is none or `settings` excludes it (--no-builtins).
const BuiltinAction* find_builtin(const ActionRef& ref, const ActionSettings& settings);

}  // namespace pipewright::exec::actions
