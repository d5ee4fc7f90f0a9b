// Workflow commands GitHub deprecated (`::set-output`, `::save-state`) or disabled
// (`::set-env`, `::add-path`) written by `run:` scripts, with the environment-file line
// that replaces each.
#include <fmt/format.h>

#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

struct DeprecatedCommand {
  std::string_view name;
  // Disabled commands fail the step unless ACTIONS_ALLOW_UNSECURE_COMMANDS is set;
  // deprecated ones still work, with a warning in the run.
  bool disabled;
  std::string_view replacement;
};

constexpr DeprecatedCommand k_commands[] = {
    {"set-output", false, R"(echo "{name}={value}" >> "$GITHUB_OUTPUT")"},
    {"save-state", false, R"(echo "{name}={value}" >> "$GITHUB_STATE")"},
    {"set-env", true, R"(echo "{name}={value}" >> "$GITHUB_ENV")"},
    {"add-path", true, R"(echo "{path}" >> "$GITHUB_PATH")"},
};

bool allows_unsecure_commands(const TextMap& env) {
  for (const auto& [key, value] : env.entries)
    if (key.value == "ACTIONS_ALLOW_UNSECURE_COMMANDS") return true;
  return false;
}

void check_script(const LintContext& c, const Text& run, bool unsecure_allowed) {
  const std::string& text = run.value;
  for (size_t at = text.find("::"); at != std::string::npos; at = text.find("::", at + 2)) {
    // A commented-out line prints nothing (`#` starts a comment in bash, sh, pwsh, python).
    size_t line = text.rfind('\n', at);
    size_t first = text.find_first_not_of(" \t", line == std::string::npos ? 0 : line + 1);
    if (first != std::string::npos && text[first] == '#') continue;
    for (const DeprecatedCommand& command : k_commands) {
      std::string_view rest = std::string_view(text).substr(at + 2);
      if (!rest.starts_with(command.name)) continue;
      rest.remove_prefix(command.name.size());
      // `::name::value` or `::name key=value::value`.
      if (!rest.starts_with("::") && !rest.starts_with(' ')) continue;
      std::string message =
          command.disabled ? fmt::format("workflow command '{}' is disabled; GitHub fails the step",
                                         command.name)
                           : fmt::format("workflow command '{}' is deprecated", command.name);
      std::string hint =
          fmt::format("write to the environment file instead: {}", command.replacement);
      if (command.disabled && !unsecure_allowed)
        c.error(c.at(run, at), message, "deprecated-command", hint);
      else
        c.warning(c.at(run, at), message, "deprecated-command", hint);
    }
  }
}

}  // namespace

void check_deprecated_commands(const LintContext& c) {
  bool workflow_allows = allows_unsecure_commands(c.workflow.env);
  for (const Job& job : c.workflow.jobs) {
    bool job_allows = workflow_allows || allows_unsecure_commands(job.env);
    for (const Step& step : job.steps)
      if (step.run.present())
        check_script(c, step.run, job_allows || allows_unsecure_commands(step.env));
  }
}

}  // namespace pipewright::workflow::lint
