// Rules about `uses`: its syntax, local actions (exist, inputs given/known) and local
// reusable workflows (exist, are callable, `with` and `secrets` match their declaration).
#include <charconv>

#include <fmt/format.h>

#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

bool is_reusable_path(std::string_view path) {
  return path.starts_with(".github/workflows/") &&
         (path.ends_with(".yml") || path.ends_with(".yaml"));
}

void check_action_inputs(const LintContext& c, const Step& step, const Action& action,
                         const std::string& file) {
  std::vector<std::string> names;
  for (const ActionInput& input : action.inputs)
    names.push_back(input.id.value);
  for (const auto& [key, value] : step.with.entries) {
    // Docker actions also take `args` and `entrypoint`.
    if (key.value == "args" || key.value == "entrypoint") continue;
    bool known = false;
    for (const std::string& n : names)
      known = known || iequals(n, key.value);
    if (!known)
      c.error(key.location,
              fmt::format("input '{}' is not defined by action '{}' ({})", key.value,
                          step.uses.value, file),
              "action-inputs", suggestion(key.value, names));
  }
  for (const ActionInput& input : action.inputs) {
    if (!input.required.value_or(false) || input.default_value.present()) continue;
    bool given = false;
    for (const auto& [key, value] : step.with.entries)
      given = given || iequals(key.value, input.id.value);
    if (!given)
      c.error(step.uses.location,
              fmt::format("input '{}' is required by action '{}' but not given in 'with'",
                          input.id.value, step.uses.value),
              "action-inputs");
  }
}

bool is_number(std::string_view v) {
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  return !v.empty() && ec == std::errc() && end == v.data() + v.size();
}

void check_call_inputs(const LintContext& c, const Job& job, const Event& call) {
  std::vector<std::string> names;
  for (const InputDefinition& input : call.inputs)
    names.push_back(input.id.value);
  for (const auto& [key, value] : job.with.entries) {
    const InputDefinition* def = nullptr;
    for (const InputDefinition& input : call.inputs)
      if (iequals(input.id.value, key.value)) def = &input;
    if (!def) {
      c.error(key.location,
              fmt::format("input '{}' is not defined in the called workflow '{}'", key.value,
                          job.uses.value),
              "reusable-workflow", suggestion(key.value, names));
      continue;
    }
    if (value.has_expressions() || !def->input_type) continue;
    const yaml::Node* node = value.node;
    bool quoted = node && node->style != yaml::ScalarStyle::plain;
    std::string_view expected;
    if (*def->input_type == InputType::boolean &&
        (quoted || (value.value != "true" && value.value != "false")))
      expected = "boolean";
    else if (*def->input_type == InputType::number && (quoted || !is_number(value.value)))
      expected = "number";
    if (!expected.empty())
      c.error(value.location,
              fmt::format("input '{}' of '{}' is a {}, but '{}' is given", key.value,
                          job.uses.value, expected, value.value),
              "reusable-workflow");
  }
  for (const InputDefinition& input : call.inputs) {
    if (!input.required.value_or(false) || input.default_value.present()) continue;
    bool given = false;
    for (const auto& [key, value] : job.with.entries)
      given = given || iequals(key.value, input.id.value);
    if (!given)
      c.error(job.uses.location,
              fmt::format("input '{}' is required by '{}' but not provided in 'with'",
                          input.id.value, job.uses.value),
              "reusable-workflow");
  }
}

void check_call_secrets(const LintContext& c, const Job& job, const Event& call) {
  if (job.secrets_inherit) return;
  std::vector<std::string> names;
  for (const SecretDefinition& s : call.secrets)
    names.push_back(s.id.value);
  for (const auto& [key, value] : job.secrets.entries) {
    bool known = false;
    for (const std::string& n : names)
      known = known || iequals(n, key.value);
    if (!known)
      c.error(key.location,
              fmt::format("secret '{}' is not declared by the called workflow '{}'", key.value,
                          job.uses.value),
              "reusable-workflow", suggestion(key.value, names));
  }
  for (const SecretDefinition& s : call.secrets) {
    if (!s.required.value_or(false)) continue;
    bool given = false;
    for (const auto& [key, value] : job.secrets.entries)
      given = given || iequals(key.value, s.id.value);
    if (!given)
      c.error(job.uses.location,
              fmt::format("secret '{}' is required by '{}' but not passed in 'secrets'", s.id.value,
                          job.uses.value),
              "reusable-workflow", "pass it under 'secrets:' or use 'secrets: inherit'");
  }
}

}  // namespace

std::string without_dot_slash(std::string_view path) {
  while (path.starts_with("./"))
    path.remove_prefix(2);
  while (path.ends_with('/'))
    path.remove_suffix(1);
  return std::string(path);
}

void check_uses(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    if (job.is_reusable_call() && !job.uses.has_expressions()) {
      std::string error;
      auto ref = parse_uses(job.uses.value, error);
      if (ref && ref->kind == UsesRef::Kind::local && !is_reusable_path(ref->path))
        error = fmt::format("'{}' is not a workflow file; expected ./.github/workflows/<file>.yml",
                            job.uses.value);
      else if (ref && ref->kind == UsesRef::Kind::docker)
        error = "a job cannot use a Docker image; expected a reusable workflow";
      else if (ref && ref->kind == UsesRef::Kind::remote && !is_reusable_path(ref->path))
        error = fmt::format(
            "'{}' is not a reusable workflow; expected "
            "owner/repo/.github/workflows/<file>.yml@ref",
            job.uses.value);
      if (!error.empty()) c.error(job.uses.location, error, "uses");
    }
    for (const Step& step : job.steps) {
      if (!step.uses.present() || step.uses.has_expressions()) continue;
      std::string error;
      if (!parse_uses(step.uses.value, error)) c.error(step.uses.location, error, "uses");
    }
  }
}

// Can a step put files in the workspace other than this repository's own? A script, a
// remote action (but a plain checkout), a checkout of another repository or into a sub-path.
// Local actions come from this repository and are not counted.
bool may_create_files(const Step& step) {
  if (step.run.present()) return true;
  if (!step.uses.present() || step.uses.value.starts_with("./")) return false;
  if (!step.uses.value.starts_with("actions/checkout@")) return true;
  for (const auto& [key, value] : step.with.entries)
    if (iequals(key.value, "repository") || iequals(key.value, "path")) return true;
  return false;
}

void check_local_actions(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    bool created_earlier = false;  // an earlier step may have made the directory
    for (const Step& step : job.steps) {
      bool local = step.uses.present() && step.uses.value.starts_with("./");
      bool may_create = may_create_files(step);
      if (!local) {
        created_earlier = created_earlier || may_create;
        continue;
      }
      std::string dir = without_dot_slash(step.uses.value);
      std::string file;
      const ActionLoadResult* loaded = c.files.action(dir, &file);
      if (!loaded) {
        std::string message =
            fmt::format("local action '{}' not found: no action.yml or action.yaml in '{}'",
                        step.uses.value, dir.empty() ? "." : dir);
        if (created_earlier)
          c.warning(step.uses.location, message + " (an earlier step may create it)",
                    "local-action", "paths in 'uses: ./…' are relative to the repository root");
        else
          c.error(step.uses.location, message, "local-action",
                  "paths in 'uses: ./…' are relative to the repository root");
        created_earlier = created_earlier || may_create;
        continue;
      }
      created_earlier = created_earlier || may_create;
      if (loaded->action) check_action_inputs(c, step, *loaded->action, file);
    }
  }
}

void check_reusable_calls(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    if (!job.is_reusable_call() || !job.uses.value.starts_with("./")) continue;
    std::string path = without_dot_slash(job.uses.value);
    if (!is_reusable_path(path)) continue;  // check_uses reports it
    const LoadResult* callee = c.files.workflow(path);
    if (!callee) {
      c.error(job.uses.location, fmt::format("reusable workflow '{}' not found", job.uses.value),
              "reusable-workflow", "paths in 'uses: ./…' are relative to the repository root");
      continue;
    }
    if (!callee->workflow) continue;  // its own errors show when it is linted
    const Event* call = callee->workflow->find_event("workflow_call");
    if (!call) {
      c.error(job.uses.location,
              fmt::format("'{}' cannot be called: it has no 'on: workflow_call' trigger",
                          job.uses.value),
              "reusable-workflow");
      continue;
    }
    check_call_inputs(c, job, *call);
    check_call_secrets(c, job, *call);
  }
}

}  // namespace pipewright::workflow::lint
