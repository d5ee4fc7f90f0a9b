// Rules for local action metadata (action.yml) that workflows use: expressions in a
// composite action (contexts, inputs and earlier step ids, script injection), shells and
// `uses` of its steps.
#include <charconv>

#include <fmt/format.h>

#include "pipewright/workflow/contexts.h"
#include "pipewright/workflow/lint/expression_check.h"
#include "pipewright/workflow/lint/rule.h"
#include "pipewright/workflow/yaml/position.h"

namespace pipewright::workflow::lint {

namespace {

// "runs.steps[3].run" → 3 and ".run".
std::optional<size_t> step_of(std::string_view path, std::string& rest) {
  constexpr std::string_view prefix = "runs.steps[";
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  size_t n = 0;
  auto [ptr, ec] = std::from_chars(path.data(), path.data() + path.size(), n);
  if (ec != std::errc() || ptr == path.data() + path.size() || *ptr != ']') return std::nullopt;
  rest = std::string(ptr + 1, path.data() + path.size());
  return n;
}

ExpressionScope scope_for(const Action& action, const ExpressionSite& site) {
  const ContextRule& rule = context_rule(site.key);
  ExpressionScope scope;
  scope.key = site.path;
  for (std::string_view ctx : rule.contexts)
    scope.contexts.emplace_back(ctx);
  for (const FunctionSpec& fn : rule.functions) {
    if (iequals(fn.name, "hashFiles")) scope.hash_files = true;
    if (iequals(fn.name, "always") || iequals(fn.name, "success")) scope.status_functions = true;
  }
  scope.condition = site.is_condition;
  std::vector<std::string> inputs;
  for (const ActionInput& input : action.inputs)
    inputs.push_back(input.id.value);
  scope.inputs = inputs;
  scope.inputs_where = "under 'inputs' of this action";
  const std::vector<Step>& steps = action.runs.steps;
  std::string rest;
  std::optional<size_t> step = step_of(site.path, rest);
  std::vector<std::string> ids;
  for (size_t i = 0; i < steps.size() && (!step || i < *step); ++i)
    if (steps[i].id.present() && !steps[i].id.value.empty()) ids.push_back(steps[i].id.value);
  scope.step_ids = ids;
  if (step && *step < steps.size())
    scope.injection_sink =
        rest == ".run" ||
        (rest == ".with.script" && steps[*step].uses.value.starts_with("actions/github-script@"));
  return scope;
}

}  // namespace

void lint_action(const Action& action, std::vector<util::Diagnostic>& out) {
  for (const ExpressionSite& site : action.expressions) {
    if (site.error || site.key == KeyKind::none || !site.node || !site.node->is_scalar()) continue;
    ExpressionScope scope = scope_for(action, site);
    LocateFn locate = [&](size_t offset) {
      if (!action.document) return site.location;
      yaml::Mark mark = yaml::scalar_offset_mark(*site.node, action.document->source(), offset);
      return Location{site.location.file.empty() ? action.file : site.location.file, mark.line,
                      mark.column};
    };
    check_expressions(site.node->value, scope, locate, out);
  }
  for (const Step& step : action.runs.steps) {
    if (step.shell.present() && !step.shell.has_expressions())
      if (auto why = check_shell(step.shell.value))
        out.push_back({util::Severity::error, step.shell.location, *why, "shell", ""});
    if (step.uses.present() && !step.uses.has_expressions()) {
      std::string error;
      if (!parse_uses(step.uses.value, error))
        out.push_back({util::Severity::error, step.uses.location, error, "uses", ""});
    }
  }
}

}  // namespace pipewright::workflow::lint
