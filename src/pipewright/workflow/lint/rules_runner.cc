// Rules about where and how jobs run: runs-on labels, shells, environments. (Permission
// scopes and levels are checked by the loader against the schema.)
#include <fmt/format.h>

#include "pipewright/util/suggest.h"
#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

constexpr size_t k_max_environment_name = 255;

void check_shell_text(const LintContext& c, const Text& shell) {
  if (!shell.present() || shell.has_expressions()) return;
  if (auto why = check_shell(shell.value)) c.error(shell.location, *why, "shell");
}

}  // namespace

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  std::vector<std::string_view> views(candidates.begin(), candidates.end());
  std::string best = util::closest_match(word, views);
  return best.empty() ? std::string() : fmt::format("did you mean '{}'?", best);
}

void check_runs_on(const LintContext& c) {
  std::vector<std::string> known(known_runner_labels().begin(), known_runner_labels().end());
  for (const Job& job : c.workflow.jobs) {
    const RunsOn& runs_on = job.runs_on;
    if (!runs_on.present() || runs_on.group.present()) continue;
    bool self_hosted = false;
    for (const Text& label : runs_on.labels.items)
      self_hosted = self_hosted || iequals(label.value, "self-hosted");
    if (self_hosted) continue;  // custom labels of self-hosted runners are fine
    for (const Text& label : runs_on.labels.items) {
      if (label.has_expressions() || is_known_runner_label(label.value)) continue;
      std::string hint = suggestion(label.value, known);
      if (!hint.empty())
        c.error(label.location, fmt::format("unknown runner label '{}'", label.value), "runs-on",
                hint);
      else
        c.warning(label.location,
                  fmt::format("runner label '{}' is not a GitHub-hosted runner label", label.value),
                  "runs-on",
                  "for a self-hosted runner list 'self-hosted' too; for a larger runner this is "
                  "fine");
    }
  }
}

void check_shells(const LintContext& c) {
  check_shell_text(c, c.workflow.defaults.shell);
  for (const Job& job : c.workflow.jobs) {
    check_shell_text(c, job.defaults.shell);
    for (const Step& step : job.steps)
      check_shell_text(c, step.shell);
  }
}

void check_environment(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    const Environment& env = job.environment;
    if (!env.present()) continue;
    const Text& name = env.name;
    if (name.present() && !name.has_expressions()) {
      std::string_view v = name.value;
      std::string why;
      if (v.empty())
        why = "is empty";
      else if (v.size() > k_max_environment_name)
        why = fmt::format("is longer than {} characters", k_max_environment_name);
      else if (v.front() == ' ' || v.back() == ' ')
        why = "starts or ends with a space";
      for (char ch : v)
        if (why.empty() && static_cast<unsigned char>(ch) < 0x20)
          why = "contains a control character";
      if (!why.empty())
        c.error(name.location, fmt::format("environment name '{}' {}", v, why), "environment");
    }
    const Text& url = env.url;
    if (url.present() && !url.has_expressions() && !url.value.starts_with("https://") &&
        !url.value.starts_with("http://"))
      c.error(url.location,
              fmt::format("environment url '{}' must start with https:// or http://", url.value),
              "environment");
  }
}

}  // namespace pipewright::workflow::lint
