// Helpers shared by the native built-in actions (builtin.h): reading inputs the way
// @actions/core does, the github context, the step environment, logging, and running
// git. Internal to exec/actions/builtins; not a public seam.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/actions/builtin.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::actions::builtins {

// A failed call: outcome failure, `detail` as the reason (also logged as an error).
BuiltinResult failure(const BuiltinCall& call, std::string detail);

// Logs one line (no-op when the call has no line sink).
void log(const BuiltinCall& call, std::string_view text);
// Emits a warning annotation (and logs it).
void warn(const BuiltinCall& call, std::string_view text);

// A boolean input as core.getBooleanInput reads it (true/True/TRUE, false/...); a
// missing or empty input is `fallback`. Fails with GitHub's "Input does not meet YAML
// 1.2 "Core Schema" specification: <name>" message.
util::Expected<bool> bool_input(const BuiltinCall& call, std::string_view name, bool fallback);

// A multi-line input as core.getMultilineInput reads it: lines trimmed, empty ones
// dropped; a comma-free single line stays one entry.
std::vector<std::string> lines_input(const BuiltinCall& call, std::string_view name);

// A string member of the github context ('' when absent or not a string).
std::string github_string(const BuiltinCall& call, std::string_view key);

// A variable of the step environment; nullopt when unset.
std::optional<std::string> env_value(const BuiltinCall& call, std::string_view name);

// The home directory for `~` (HOME of the step, else this process's).
std::string home_dir(const BuiltinCall& call);

// The step environment as KEY=VALUE strings (for os::spawn).
std::vector<std::string> env_strings(const BuiltinCall& call);

// Output of a finished command (stdout and stderr together, trailing newlines dropped).
struct CommandOutput {
  bool ok = false;  // exited with 0
  std::string output;
};
using GitOutput = CommandOutput;
// Runs `argv` with `env` (KEY=VALUE) in `cwd`, honouring the call's cancellation.
CommandOutput run_command(const BuiltinCall& call, std::vector<std::string> argv,
                          std::vector<std::string> env, const std::string& cwd = {});
// Runs `git args...` in `cwd` with the step's PATH and HOME, no prompts, C locale.
GitOutput run_git(const BuiltinCall& call, const std::vector<std::string>& args,
                  const std::string& cwd = {});

// A store directory: `configured` when set, else <data dir>/<name> with the data dir
// as the store layer defines it ($XDG_DATA_HOME/pipewright, ~/.local/share/pipewright).
std::string store_dir(const std::string& configured, std::string_view name);

// The run's cache scopes, searched in order: github.ref, then the pull request's base
// branch, then the repository's default branch (github.event.repository.default_branch).
std::vector<std::string> cache_scopes(const BuiltinCall& call);

// The major version a `uses:` ref names ("v3", "v3.1.0", "3" → 3); `fallback` for
// branches and commit SHAs.
int ref_major(const BuiltinCall& call, int fallback);

// Trims ASCII whitespace at both ends.
std::string trim(std::string_view text);
// ASCII lower case.
std::string lower(std::string_view text);

}  // namespace pipewright::exec::actions::builtins
