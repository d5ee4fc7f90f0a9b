// Running one process step on this host: a `run:` script written to the job's scratch
// dir with the shell template, or a command line (`node main.js` of a JavaScript action); fresh
// environment files, the process in its own group (os::run),
// output split into whole lines, workflow commands processed, every text masked
// before it leaves, and the environment files read back afterwards.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/exec/events.h"
#include "pipewright/exec/masker.h"
#include "pipewright/exec/output_limits.h"
#include "pipewright/exec/shells.h"
#include "pipewright/exec/workflow_commands.h"
#include "pipewright/os/cancel.h"
#include "pipewright/os/process.h"
#include "pipewright/os/subreaper.h"

namespace pipewright::exec {

using EnvList = std::vector<std::pair<std::string, std::string>>;

// What one step runs.
struct ScriptStep {
  std::string script;  // the evaluated `run:` text
  std::string shell;   // as written ("" = unset)
  // When non-empty, this command runs instead of `script`/`shell` (e.g. {"node",
  // "/path/main.js"}); argv[0] is looked up in the step's PATH.
  std::vector<std::string> argv;
  std::string working_directory;  // absolute
  EnvList env;                    // the whole environment (file-command variables added here)
  std::optional<std::chrono::milliseconds> timeout;
  std::string workspace;  // for annotation paths
};

// Where a step's output goes (already masked); called on the running thread.
struct StepOutputHandlers {
  std::function<void(std::string_view line)> line;
  // Several whole plain lines, each ending in '\n' (may be empty: then each line
  // goes to `line`, without its '\n').
  std::function<void(std::string_view lines)> lines;
  std::function<void(std::string_view title)> group;
  std::function<void(const Annotation&)> annotation;
  std::function<void()> flush;  // after each chunk of output (may be empty)
  bool show_debug = false;      // ::debug:: lines shown (-v or ACTIONS_STEP_DEBUG)
};

// What one job's steps carry over from step to step, so that a trivial step costs
// little: the file-command files a step left empty (renamed to fresh names rather than
// deleted and created again), the next step's files (made ready while the current step
// runs, so no step waits for them) and the shells found along each PATH. Owned by the
// job; a job's steps run one at a time.
class StepReuse {
 public:
  StepReuse() = default;
  StepReuse(const StepReuse&) = delete;
  StepReuse& operator=(const StepReuse&) = delete;
  ~StepReuse();  // removes the files still held
  // Forgets the files held without removing them (their directory is about to go).
  void forget_files() {
    kept = ready = {};
    next_script.reset();
    spent_script.clear();
  }

  struct File {
    std::string path;
    uint64_t inode = 0;
  };
  using FileSet = std::array<std::optional<File>, 5>;  // GITHUB_ENV, _OUTPUT, _PATH,
                                                       // _STEP_SUMMARY, _STATE
  FileSet kept;   // left empty by a finished step, to be renamed for a later one
  FileSet ready;  // empty files under fresh names, for the next step
  // (shell as written, PATH) → the program found; checked again before each use.
  std::map<std::pair<std::string, std::string>, ShellCommand> shells;
  // The next step's script file, written while the current step runs when its text
  // is known before evaluation: used if its content and extension are what the next
  // step needs, removed otherwise.
  struct Script {
    std::string path;
    std::string content;
    std::string extension;
    uint64_t inode = 0;
  };
  std::optional<Script> next_script;
  std::string spent_script;  // the last step's script, removed once the next one runs
};

// The job-wide things a step needs.
struct StepEnvironment {
  std::string scratch_dir;  // scripts and file-command files go here (the job's scratch dir)
  Masker* masker = nullptr;
  os::ProcessScope* scope = nullptr;
  const os::CancelToken* cancel = nullptr;
  os::GracePeriods grace;
  // Prepended to every step's argv, e.g. {"nsenter", "--net=/run/netns/pw-…", "--"}
  // to run it inside the job's network namespace (services).
  std::vector<std::string> argv_prefix{};
  StepReuse* reuse = nullptr;  // nullptr: every step creates and deletes its own files
  // The run's outputs, which the step's outputs count against (nullptr: not counted).
  OutputBudget* outputs = nullptr;
  // The next step's `run:` text when it has no expressions (see StepReuse::next_script).
  const std::string* next_script = nullptr;
  // Called once the process runs, before its output is read: work that must not
  // delay the start (the job runner's held events).
  std::function<void()> spawned{};
};

struct ScriptResult {
  Result outcome = Result::success;
  std::string detail;  // "exited with code 1", "timed out after 1m", ...
  bool timed_out = false;
  bool cancelled = false;
  EnvList env;                          // GITHUB_ENV entries (in order; later wins)
  EnvList outputs;                      // GITHUB_OUTPUT and set-output entries
  std::vector<std::string> path_lines;  // GITHUB_PATH lines (and add-path)
  EnvList state;                        // GITHUB_STATE entries (and save-state)
  std::string summary;                  // GITHUB_STEP_SUMMARY (masked; '' when none)
};

// Runs `step` (its script, or its argv when set). Never throws; a step that cannot
// start fails with the reason as a line.
ScriptResult run_script_step(const ScriptStep& step, const StepEnvironment& environment,
                             const StepOutputHandlers& handlers);

// The value of `name` in `env` (last wins), or nullopt.
std::optional<std::string> env_lookup(const EnvList& env, std::string_view name);
// Sets `name` in `env` (replacing every earlier entry).
void env_set(EnvList& env, std::string name, std::string value);

}  // namespace pipewright::exec
