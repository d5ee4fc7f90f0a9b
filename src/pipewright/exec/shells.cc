#include "pipewright/exec/shells.h"

#include <algorithm>
#include <cctype>

#include <unistd.h>

namespace pipewright::exec {

namespace {

struct ShellRow {
  std::string_view name;
  std::vector<std::string_view> argv;  // argv[0] looked up in PATH
  std::string_view extension;
  std::string_view prefix;
  std::string_view suffix;
};

constexpr std::string_view k_pwsh_prefix = "$ErrorActionPreference = 'stop'\n";
constexpr std::string_view k_pwsh_suffix =
    "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n";

// One row per built-in shell (STYLE.md rule 8).
const std::vector<ShellRow>& shell_table() {
  static const std::vector<ShellRow> table = {
      {"bash", {"bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"}, ".sh", "", ""},
      {"sh", {"sh", "-e", "{0}"}, ".sh", "", ""},
      {"python", {"python", "{0}"}, ".py", "", ""},
      {"pwsh", {"pwsh", "-command", ". '{0}'"}, ".ps1", k_pwsh_prefix, k_pwsh_suffix},
      {"powershell", {"powershell", "-command", ". '{0}'"}, ".ps1", k_pwsh_prefix, k_pwsh_suffix},
  };
  return table;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

ShellCommand from_row(const ShellRow& row, std::string program) {
  ShellCommand command;
  command.argv.push_back(std::move(program));
  for (size_t i = 1; i < row.argv.size(); ++i)
    command.argv.emplace_back(row.argv[i]);
  command.extension = row.extension;
  command.script_prefix = row.prefix;
  command.script_suffix = row.suffix;
  return command;
}

}  // namespace

std::string find_program(std::string_view name, std::string_view path) {
  if (name.find('/') != std::string_view::npos)
    return ::access(std::string(name).c_str(), X_OK) == 0 ? std::string(name) : "";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string_view::npos) end = path.size();
    std::string dir(path.substr(start, end - start));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

util::Expected<ShellCommand> resolve_shell(std::string_view shell, std::string_view path) {
  std::string name = lower(shell);
  if (name.empty()) {
    // Unset on Linux: bash -e, or sh -e without bash; no pipefail, no --noprofile.
    std::string bash = find_program("bash", path);
    ShellRow row{"", {"", "-e", "{0}"}, ".sh", "", ""};
    return from_row(row, bash.empty() ? "sh" : bash);
  }
  for (const ShellRow& row : shell_table()) {
    if (row.name != name) continue;
    std::string program = find_program(row.argv[0], path);
    if (program.empty() && row.name == "python") program = find_program("python3", path);
    if (program.empty())
      return util::fail("shell '" + std::string(shell) + "': " + std::string(row.argv[0]) +
                        " was not found in PATH");
    return from_row(row, program);
  }
  // Custom: `program args…{0}…`, split at the first space.
  if (shell.find("{0}") == std::string_view::npos)
    return util::fail(
        "Invalid shell option. Shell path should not be empty and must contain "
        "{0}: '" +
        std::string(shell) + "'");
  ShellCommand command;
  size_t space = shell.find(' ');
  command.argv.emplace_back(shell.substr(0, space));
  if (space != std::string_view::npos) {
    std::string_view rest = shell.substr(space + 1);
    size_t start = 0;
    while (start < rest.size()) {
      size_t end = rest.find(' ', start);
      if (end == std::string_view::npos) end = rest.size();
      if (end > start) command.argv.emplace_back(rest.substr(start, end - start));
      start = end + 1;
    }
  }
  return command;
}

std::vector<std::string> shell_argv(const ShellCommand& command, std::string_view script_path) {
  std::vector<std::string> argv;
  for (const std::string& arg : command.argv) {
    std::string out;
    size_t start = 0;
    for (size_t at; (at = arg.find("{0}", start)) != std::string::npos; start = at + 3)
      out += arg.substr(start, at - start) + std::string(script_path);
    out += arg.substr(start);
    argv.push_back(std::move(out));
  }
  return argv;
}

}  // namespace pipewright::exec
