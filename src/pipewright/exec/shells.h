// GitHub's shell templates for `run:` steps (gha-spec.md §8): which program runs the
// script file, with which arguments, file extension and wrapping.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::exec {

struct ShellCommand {
  std::vector<std::string> argv;  // with "{0}" still in place
  std::string extension;          // ".sh", ".py", ".ps1"
  std::string script_prefix;      // prepended to the script (pwsh)
  std::string script_suffix;      // appended to the script (pwsh)
};

// The command for `shell` as written ("" = unset). `path` is the step's PATH, used to
// find bash/pwsh/python. Fails with "Invalid shell option..." for a custom shell
// without {0}, and names the program when a built-in shell is not installed.
util::Expected<ShellCommand> resolve_shell(std::string_view shell, std::string_view path);

// `command.argv` with every "{0}" replaced by `script_path`.
std::vector<std::string> shell_argv(const ShellCommand& command, std::string_view script_path);

// The first executable `name` in the ':'-separated `path`, or "".
std::string find_program(std::string_view name, std::string_view path);

}  // namespace pipewright::exec
