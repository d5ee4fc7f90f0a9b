// The context table (gha-spec.md §4), one row per key kind, and the schema definitions
// that map onto each row. Mirrors the `context` arrays of workflow-v1.0.json; the schema
// coverage test checks that they agree.
#include "pipewright/workflow/contexts.h"

#include <array>

namespace pipewright::workflow {

namespace {

using Names = std::string_view;

constexpr std::array<Names, 3> k_giv = {"github", "inputs", "vars"};
constexpr std::array<Names, 4> k_giv_secrets = {"github", "inputs", "vars", "secrets"};
constexpr std::array<Names, 4> k_giv_jobs = {"github", "inputs", "vars", "jobs"};
constexpr std::array<Names, 4> k_needs = {"github", "inputs", "vars", "needs"};
constexpr std::array<Names, 6> k_strategy = {"github", "inputs",   "vars",
                                             "needs",  "strategy", "matrix"};
constexpr std::array<Names, 7> k_job_env = {"github",   "inputs", "vars",   "needs",
                                            "strategy", "matrix", "secrets"};
constexpr std::array<Names, 7> k_defaults_run = {"github", "inputs", "vars", "strategy",
                                                 "matrix", "needs",  "env"};
constexpr std::array<Names, 11> k_runner = {"github",   "inputs", "vars",    "needs",
                                            "strategy", "matrix", "secrets", "steps",
                                            "job",      "runner", "env"};
constexpr std::array<Names, 10> k_runner_no_secrets = {
    "github", "inputs", "vars", "needs", "strategy", "matrix", "steps", "job", "runner", "env"};
constexpr std::array<Names, 9> k_step_if_result = {
    "github", "inputs", "vars", "strategy", "matrix", "steps", "job", "runner", "env"};
constexpr std::array<Names, 5> k_credentials = {"github", "inputs", "vars", "secrets", "env"};
// action.yml (metadata-syntax docs): no secrets in actions.
constexpr std::array<Names, 2> k_action_input_default = {"github", "inputs"};
constexpr std::array<Names, 9> k_action_step = {"github", "inputs", "vars",   "strategy", "matrix",
                                                "steps",  "job",    "runner", "env"};

constexpr std::array<FunctionSpec, 0> k_no_functions = {};
constexpr std::array<FunctionSpec, 1> k_hash_files = {FunctionSpec{"hashFiles", 1, 255}};
constexpr std::array<FunctionSpec, 4> k_job_status = {
    FunctionSpec{"always", 0, 0}, FunctionSpec{"failure", 0, k_max_args},
    FunctionSpec{"cancelled", 0, 0}, FunctionSpec{"success", 0, k_max_args}};
constexpr std::array<FunctionSpec, 5> k_step_status = {
    FunctionSpec{"always", 0, 0}, FunctionSpec{"failure", 0, 0}, FunctionSpec{"cancelled", 0, 0},
    FunctionSpec{"success", 0, 0}, FunctionSpec{"hashFiles", 1, 255}};
constexpr std::array<FunctionSpec, 4> k_action_status = {
    FunctionSpec{"always", 0, 0}, FunctionSpec{"failure", 0, 0}, FunctionSpec{"cancelled", 0, 0},
    FunctionSpec{"success", 0, 0}};

// One row per KeyKind, in enum order.
constexpr std::array<ContextRule, 23> k_rules = {{
    {KeyKind::none, "none", {}, k_no_functions},
    {KeyKind::run_name, "run-name", k_giv, k_no_functions},
    {KeyKind::workflow_concurrency, "workflow-concurrency", k_giv, k_no_functions},
    {KeyKind::workflow_call_input_default, "workflow-call-input-default", k_giv, k_no_functions},
    {KeyKind::workflow_env, "workflow-env", k_giv_secrets, k_no_functions},
    {KeyKind::workflow_output, "workflow-output-context", k_giv_jobs, k_no_functions},
    {KeyKind::job_if, "job-if", k_needs, k_job_status},
    {KeyKind::needs_context, "needs-context", k_needs, k_no_functions},
    {KeyKind::strategy_context, "strategy-context", k_strategy, k_no_functions},
    {KeyKind::job_env, "job-env", k_job_env, k_no_functions},
    {KeyKind::job_defaults_run, "job-defaults-run", k_defaults_run, k_no_functions},
    {KeyKind::runner_context, "string-runner-context", k_runner, k_no_functions},
    {KeyKind::runner_context_no_secrets, "string-runner-context-no-secrets", k_runner_no_secrets,
     k_no_functions},
    {KeyKind::steps_context, "steps-context", k_runner, k_hash_files},
    {KeyKind::step_if, "step-if", k_runner_no_secrets, k_step_status},
    {KeyKind::step_if_result, "step-if-result", k_step_if_result, k_step_status},
    {KeyKind::container_credentials, "container-registry-credentials", k_credentials,
     k_no_functions},
    {KeyKind::action_input_default, "action-input-default", k_action_input_default, k_no_functions},
    {KeyKind::action_output_value, "action-output-value", k_action_step, k_no_functions},
    {KeyKind::action_runs_if, "action-runs-if", k_action_step, k_action_status},
    {KeyKind::action_step, "action-step", k_action_step, k_hash_files},
    {KeyKind::action_step_if, "action-step-if", k_action_step, k_step_status},
    {KeyKind::action_runs_env, "action-runs-env", k_action_input_default, k_no_functions},
}};

constexpr bool rules_in_enum_order() {
  for (size_t i = 0; i < k_rules.size(); ++i)
    if (static_cast<size_t>(k_rules[i].key) != i) return false;
  return true;
}
static_assert(rules_in_enum_order(), "k_rules must list the KeyKinds in enum order");

struct DefinitionRow {
  std::string_view definition;
  KeyKind key;
};

// Every schema definition with a `context` array → its row.
constexpr std::array<DefinitionRow, 39> k_definitions = {{
    {"run-name", KeyKind::run_name},
    {"workflow-call-input-default", KeyKind::workflow_call_input_default},
    {"workflow-output-context", KeyKind::workflow_output},
    {"workflow-env", KeyKind::workflow_env},
    {"job-if", KeyKind::job_if},
    {"job-if-result", KeyKind::job_if},
    {"strategy", KeyKind::needs_context},
    {"snapshot-if", KeyKind::strategy_context},
    {"runs-on", KeyKind::strategy_context},
    {"job-env", KeyKind::job_env},
    {"workflow-concurrency", KeyKind::workflow_concurrency},
    {"job-concurrency", KeyKind::strategy_context},
    {"job-environment", KeyKind::strategy_context},
    {"job-environment-name", KeyKind::strategy_context},
    {"job-defaults-run", KeyKind::job_defaults_run},
    {"step-continue-on-error", KeyKind::steps_context},
    {"step-if", KeyKind::step_if},
    {"step-if-result", KeyKind::step_if_result},
    {"step-env", KeyKind::steps_context},
    {"step-name", KeyKind::steps_context},
    {"step-timeout-minutes", KeyKind::steps_context},
    {"step-with", KeyKind::steps_context},
    {"container", KeyKind::strategy_context},
    {"services", KeyKind::strategy_context},
    {"services-container", KeyKind::strategy_context},
    {"container-registry-credentials", KeyKind::container_credentials},
    {"boolean-needs-context", KeyKind::needs_context},
    {"number-needs-context", KeyKind::needs_context},
    {"string-needs-context", KeyKind::needs_context},
    {"scalar-needs-context", KeyKind::strategy_context},
    {"scalar-needs-context-with-secrets", KeyKind::job_env},
    {"boolean-strategy-context", KeyKind::strategy_context},
    {"number-strategy-context", KeyKind::strategy_context},
    {"string-strategy-context", KeyKind::strategy_context},
    {"boolean-steps-context", KeyKind::steps_context},
    {"number-steps-context", KeyKind::steps_context},
    {"string-runner-context", KeyKind::runner_context},
    {"string-runner-context-no-secrets", KeyKind::runner_context_no_secrets},
    {"string-steps-context", KeyKind::steps_context},
}};

constexpr std::array<std::string_view, k_definitions.size()> definition_names() {
  std::array<std::string_view, k_definitions.size()> names{};
  for (size_t i = 0; i < k_definitions.size(); ++i)
    names[i] = k_definitions[i].definition;
  return names;
}

constexpr auto k_definition_names = definition_names();

}  // namespace

const ContextRule& context_rule(KeyKind key) {
  return k_rules[static_cast<size_t>(key)];
}

DefinitionContext key_kind_for_definition(std::string_view definition) {
  for (const DefinitionRow& row : k_definitions)
    if (row.definition == definition) return {true, row.key};
  return {};
}

std::span<const std::string_view> context_definitions() {
  return k_definition_names;
}

}  // namespace pipewright::workflow
