// Which contexts and special functions an expression may use, per key kind (gha-spec.md §4;
// the `context` arrays of GitHub's workflow schema are the reference). Written as a table.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace pipewright::workflow {

// The kind of value an expression sits in. Most are named after the schema definition
// (workflow-v1.0.json) whose `context` list they mirror; several definitions share a kind
// when their lists are equal.
enum class KeyKind {
  none,                         // no expressions (step id/uses, job uses, workflow defaults.run)
  run_name,                     // run-name
  workflow_concurrency,         // workflow-concurrency
  workflow_call_input_default,  // on.workflow_call.inputs.*.default
  workflow_env,                 // workflow env
  workflow_output,              // on.workflow_call.outputs.*.value
  job_if,                       // jobs.*.if (and job-if-result)
  needs_context,                // strategy, *-needs-context
  strategy_context,             // job name, runs-on, timeout, container, services, with.*, ...
  job_env,                      // jobs.*.env, jobs.*.secrets.*
  job_defaults_run,             // jobs.*.defaults.run
  runner_context,               // jobs.*.outputs.*, container/services env values
  runner_context_no_secrets,    // environment.url
  steps_context,                // steps[*].{name, env, with, run, working-directory, ...}
  step_if,                      // steps[*].if
  step_if_result,               // step-if-result
  container_credentials,        // container/services credentials
  // action.yml (not in the workflow schema; metadata-syntax docs).
  action_input_default,  // inputs.*.default
  action_output_value,   // outputs.*.value (composite)
  action_runs_if,        // runs.pre-if / runs.post-if
  action_step,           // composite steps (no secrets)
  action_step_if,        // composite steps[*].if
  action_runs_env,       // runs.env / runs.args (docker)
};

// A special function allowed at a key: name and argument count range.
struct FunctionSpec {
  std::string_view name;
  size_t min_args = 0;
  size_t max_args = 0;  // k_max_args for "MAX"
};

inline constexpr size_t k_max_args = static_cast<size_t>(-1);

struct ContextRule {
  KeyKind key = KeyKind::none;
  std::string_view name;                       // e.g. "job-if" (for messages)
  std::span<const std::string_view> contexts;  // allowed named values (lower-case)
  std::span<const FunctionSpec> functions;     // allowed special functions
};

// The rule for `key` (always found; KeyKind::none has no contexts and no functions).
const ContextRule& context_rule(KeyKind key);

// The key kind of a schema definition that carries a `context` array ("job-if" →
// KeyKind::job_if), or nullopt-like KeyKind::none with found=false when unknown.
struct DefinitionContext {
  bool found = false;
  KeyKind key = KeyKind::none;
};
DefinitionContext key_kind_for_definition(std::string_view definition);

// Every schema definition name with a `context` array that key_kind_for_definition knows.
std::span<const std::string_view> context_definitions();

}  // namespace pipewright::workflow
