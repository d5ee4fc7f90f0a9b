// Rules about the `with:` of actions the linter knows without fetching them (known_actions.h)
// and of local actions: inputs a version does not declare, required inputs left out,
// deprecated inputs, versions GitHub has switched off, and the Docker-only inputs
// `entrypoint` / `args` given to an action that does not run in a container.
#include <fmt/format.h>

#include "pipewright/workflow/lint/known_actions.h"
#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

bool is_docker_only_input(std::string_view name) {
  return name == "entrypoint" || name == "args";
}

void check_known_inputs(const LintContext& c, const Step& step, const KnownAction& action) {
  std::vector<std::string> names;
  for (const KnownInput& input : action.inputs)
    if (input.renamed_to.empty()) names.emplace_back(input.name);
  for (const auto& [key, value] : step.with.entries) {
    if (is_docker_only_input(key.value)) continue;  // check_docker_inputs reports these
    const KnownInput* known = nullptr;
    for (const KnownInput& input : action.inputs)
      if (iequals(input.name, key.value)) known = &input;
    if (known && !known->renamed_to.empty()) {
      c.error(key.location,
              fmt::format("input '{}' is not defined by action '{}'", key.value, step.uses.value),
              "action-inputs", fmt::format("use '{}'", known->renamed_to));
    } else if (!known) {
      c.error(key.location,
              fmt::format("input '{}' is not defined by action '{}'", key.value, step.uses.value),
              "action-inputs", suggestion(key.value, names));
    } else if (!known->deprecated.empty()) {
      c.warning(key.location,
                fmt::format("input '{}' of action '{}' is deprecated", key.value, step.uses.value),
                "action-inputs", std::string(known->deprecated));
    }
  }
  for (const KnownInput& input : action.inputs) {
    if (!input.required) continue;
    bool given = false;
    for (const auto& [key, value] : step.with.entries)
      given = given || iequals(key.value, input.name);
    if (!given && !step.with.expression.present())
      c.error(step.uses.location,
              fmt::format("input '{}' is required by action '{}' but not given in 'with'",
                          input.name, step.uses.value),
              "action-inputs");
  }
}

// The remote action a step uses, when it names one of the known actions at a version.
const KnownAction* known_action_of(const Step& step) {
  if (!step.uses.present() || step.uses.has_expressions()) return nullptr;
  std::string error;
  auto ref = parse_uses(step.uses.value, error);
  if (!ref || ref->kind != UsesRef::Kind::remote || !ref->path.empty()) return nullptr;
  auto major = major_version(ref->ref);
  if (!major) return nullptr;
  return find_known_action(ref->owner + "/" + ref->repo, *major);
}

}  // namespace

void check_known_actions(const LintContext& c) {
  for (const Job& job : c.workflow.jobs)
    for (const Step& step : job.steps) {
      const KnownAction* action = known_action_of(step);
      if (!action) continue;
      if (!action->retired.empty()) {
        c.error(step.uses.location, fmt::format("'{}' no longer runs on GitHub", step.uses.value),
                "action-version", std::string(action->retired));
        continue;
      }
      check_known_inputs(c, step, *action);
    }
}

void check_docker_inputs(const LintContext& c) {
  for (const Job& job : c.workflow.jobs)
    for (const Step& step : job.steps) {
      if (!step.uses.present() || step.uses.has_expressions()) continue;
      std::string kind;
      const std::vector<ActionInput>* declared = nullptr;  // a local action's own inputs
      if (known_action_of(step)) {
        kind = "not a Docker container action";
      } else if (step.uses.value.starts_with("./")) {
        const ActionLoadResult* loaded = c.files.action(without_dot_slash(step.uses.value));
        if (!loaded || !loaded->action) continue;
        const Text& using_text = loaded->action->runs.using_text;
        if (!using_text.present() || iequals(using_text.value, "docker")) continue;
        declared = &loaded->action->inputs;
        kind = iequals(using_text.value, "composite")
                   ? "a composite action"
                   : fmt::format("a JavaScript action (runs.using: {})", using_text.value);
      } else {
        continue;
      }
      for (const auto& [key, value] : step.with.entries) {
        if (!is_docker_only_input(key.value)) continue;
        bool own_input = false;
        if (declared)
          for (const ActionInput& input : *declared)
            own_input = own_input || iequals(input.id.value, key.value);
        if (!own_input)
          c.error(key.location,
                  fmt::format("'{}' is only passed to Docker container actions; '{}' is {}, so "
                              "it is ignored",
                              key.value, step.uses.value, kind),
                  "docker-inputs",
                  "pass it as one of the action's inputs, or use a docker:// image step");
      }
    }
}

}  // namespace pipewright::workflow::lint
