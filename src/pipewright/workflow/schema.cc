// The workflow schema as tables (GitHub's workflow-v1.0.json is the reference; definition
// names follow it). One Property row per key of each mapping.
#include "pipewright/workflow/schema.h"

#include <array>

#include "pipewright/workflow/schema_internal.h"

namespace pipewright::workflow::schema {

namespace {

using P = Property;
using V = std::string_view;

// Forward declarations for definitions used before their own row.
extern const Def k_steps_item;

}  // namespace

// Scalars and generic shapes ---------------------------------------------------------

const Def k_string{.name = "string", .shape = Shape::string};
const Def k_non_empty_string{.name = "non-empty-string", .shape = Shape::non_empty_string};
const Def k_boolean{.name = "boolean", .shape = Shape::boolean};
const Def k_number{.name = "number", .shape = Shape::number};
const Def k_null{.name = "null", .shape = Shape::null};
const Def k_any{.name = "any", .shape = Shape::any};
const Def k_sequence_of_string{
    .name = "sequence-of-string", .shape = Shape::sequence, .item = &k_string};
const Def k_sequence_of_non_empty_string{
    .name = "sequence-of-non-empty-string", .shape = Shape::sequence, .item = &k_non_empty_string};

namespace {
constexpr std::array<const Def*, 2> k_string_or_list_alternatives = {
    &k_non_empty_string, &k_sequence_of_non_empty_string};
}  // namespace
const Def k_string_or_list{.name = "string-or-sequence",
                           .shape = Shape::one_of,
                           .alternatives = k_string_or_list_alternatives};

namespace {

// Context-carrying scalars ------------------------------------------------------------

Def context_string(std::string_view name, KeyKind key, Shape shape = Shape::string) {
  return Def{.name = name, .shape = shape, .context = key, .has_context = true};
}

const Def k_run_name = context_string("run-name", KeyKind::run_name);
const Def k_string_needs_context = context_string("string-needs-context", KeyKind::needs_context);
const Def k_string_strategy_context =
    context_string("string-strategy-context", KeyKind::strategy_context);
const Def k_number_strategy_context =
    context_string("number-strategy-context", KeyKind::strategy_context, Shape::number);
const Def k_boolean_strategy_context =
    context_string("boolean-strategy-context", KeyKind::strategy_context, Shape::boolean);
const Def k_scalar_needs_context =
    context_string("scalar-needs-context", KeyKind::strategy_context);
const Def k_scalar_needs_context_with_secrets =
    context_string("scalar-needs-context-with-secrets", KeyKind::job_env);
const Def k_string_runner_context =
    context_string("string-runner-context", KeyKind::runner_context);
const Def k_string_runner_context_no_secrets =
    context_string("string-runner-context-no-secrets", KeyKind::runner_context_no_secrets);
const Def k_string_steps_context = context_string("string-steps-context", KeyKind::steps_context);
const Def k_step_name = context_string("step-name", KeyKind::steps_context);
const Def k_step_timeout_minutes =
    context_string("step-timeout-minutes", KeyKind::steps_context, Shape::number);
const Def k_step_continue_on_error =
    context_string("step-continue-on-error", KeyKind::steps_context, Shape::boolean);
const Def k_job_environment_name =
    context_string("job-environment-name", KeyKind::strategy_context);

Def condition(std::string_view name, KeyKind key) {
  Def def = context_string(name, key);
  def.condition = true;
  return def;
}

const Def k_job_if = condition("job-if", KeyKind::job_if);
const Def k_step_if = condition("step-if", KeyKind::step_if);
const Def k_snapshot_if = condition("snapshot-if", KeyKind::strategy_context);

const Def k_step_id{.name = "step-id", .shape = Shape::non_empty_string, .no_expressions = true};
const Def k_step_uses{
    .name = "step-uses", .shape = Shape::non_empty_string, .no_expressions = true};
const Def k_job_uses{.name = "job-uses", .shape = Shape::non_empty_string, .no_expressions = true};
const Def k_shell{.name = "shell", .shape = Shape::non_empty_string};
const Def k_working_directory{.name = "working-directory", .shape = Shape::non_empty_string};

// Permissions --------------------------------------------------------------------------

constexpr std::array<V, 3> k_level_any_values = {"read", "write", "none"};
constexpr std::array<V, 2> k_level_read_values = {"read", "none"};
constexpr std::array<V, 2> k_level_write_values = {"write", "none"};
constexpr std::array<V, 2> k_shorthand_values = {"read-all", "write-all"};
const Def k_level_any{
    .name = "permission-level-any", .shape = Shape::allowed_values, .values = k_level_any_values};
const Def k_level_read{.name = "permission-level-read-or-no-access",
                       .shape = Shape::allowed_values,
                       .values = k_level_read_values};
const Def k_level_write{.name = "permission-level-write-or-no-access",
                        .shape = Shape::allowed_values,
                        .values = k_level_write_values};
const Def k_permission_shorthand{.name = "permission-level-shorthand",
                                 .shape = Shape::allowed_values,
                                 .values = k_shorthand_values};

const std::array<P, 20> k_permission_scopes = {{
    {"actions", &k_level_any},
    {"artifact-metadata", &k_level_any},
    {"attestations", &k_level_any},
    {"checks", &k_level_any},
    {"code-quality", &k_level_any},
    {"contents", &k_level_any},
    {"copilot-requests", &k_level_write},
    {"deployments", &k_level_any},
    {"discussions", &k_level_any},
    {"drives", &k_level_any},
    {"id-token", &k_level_write},
    {"issues", &k_level_any},
    {"models", &k_level_read},
    {"packages", &k_level_any},
    {"pages", &k_level_any},
    {"pull-requests", &k_level_any},
    {"repository-projects", &k_level_any},
    {"security-events", &k_level_any},
    {"statuses", &k_level_any},
    {"vulnerability-alerts", &k_level_read},
}};
const Def k_permissions_mapping{
    .name = "permissions-mapping", .shape = Shape::mapping, .properties = k_permission_scopes};
const std::array<const Def*, 2> k_permissions_alternatives = {&k_permissions_mapping,
                                                              &k_permission_shorthand};
const Def k_permissions{
    .name = "permissions", .shape = Shape::one_of, .alternatives = k_permissions_alternatives};

// Concurrency, defaults, env ----------------------------------------------------------

constexpr std::array<V, 2> k_queue_values = {"single", "max"};
const Def k_concurrency_queue{
    .name = "concurrency-queue", .shape = Shape::allowed_values, .values = k_queue_values};
const std::array<P, 3> k_concurrency_properties = {{
    {"group", &k_non_empty_string, true},
    {"cancel-in-progress", &k_boolean},
    {"queue", &k_concurrency_queue},
}};
const Def k_concurrency_mapping{
    .name = "concurrency-mapping", .shape = Shape::mapping, .properties = k_concurrency_properties};
const std::array<const Def*, 2> k_workflow_concurrency_alternatives = {&k_string,
                                                                       &k_concurrency_mapping};
const Def k_workflow_concurrency{.name = "workflow-concurrency",
                                 .shape = Shape::one_of,
                                 .context = KeyKind::workflow_concurrency,
                                 .has_context = true,
                                 .alternatives = k_workflow_concurrency_alternatives};
const std::array<const Def*, 2> k_job_concurrency_alternatives = {&k_non_empty_string,
                                                                  &k_concurrency_mapping};
const Def k_job_concurrency{.name = "job-concurrency",
                            .shape = Shape::one_of,
                            .context = KeyKind::strategy_context,
                            .has_context = true,
                            .alternatives = k_job_concurrency_alternatives};

const std::array<P, 2> k_defaults_run_properties = {{
    {"shell", &k_shell},
    {"working-directory", &k_working_directory},
}};
const Def k_workflow_defaults_run{.name = "workflow-defaults-run",
                                  .shape = Shape::mapping,
                                  .no_expressions = true,
                                  .properties = k_defaults_run_properties};
const std::array<P, 1> k_workflow_defaults_properties = {{{"run", &k_workflow_defaults_run}}};
const Def k_workflow_defaults{.name = "workflow-defaults",
                              .shape = Shape::mapping,
                              .properties = k_workflow_defaults_properties};
const Def k_job_defaults_run{.name = "job-defaults-run",
                             .shape = Shape::mapping,
                             .context = KeyKind::job_defaults_run,
                             .has_context = true,
                             .properties = k_defaults_run_properties};
const std::array<P, 1> k_job_defaults_properties = {{{"run", &k_job_defaults_run}}};
const Def k_job_defaults{
    .name = "job-defaults", .shape = Shape::mapping, .properties = k_job_defaults_properties};

Def string_map(std::string_view name, KeyKind key, const Def* value = &k_string) {
  return Def{.name = name,
             .shape = Shape::mapping,
             .context = key,
             .has_context = key != KeyKind::none,
             .loose_value = value};
}

const Def k_workflow_env = string_map("workflow-env", KeyKind::workflow_env);
const Def k_job_env = string_map("job-env", KeyKind::job_env);
const Def k_step_env = string_map("step-env", KeyKind::steps_context);
const Def k_step_with = string_map("step-with", KeyKind::steps_context);
const Def k_job_outputs = string_map("job-outputs", KeyKind::none, &k_string_runner_context);
const Def k_container_env = string_map("container-env", KeyKind::none, &k_string_runner_context);
const Def k_workflow_job_with =
    string_map("workflow-job-with", KeyKind::none, &k_scalar_needs_context);
const Def k_workflow_job_secrets_mapping =
    string_map("workflow-job-secrets-mapping", KeyKind::none, &k_scalar_needs_context_with_secrets);
constexpr std::array<V, 1> k_inherit_values = {"inherit"};
const Def k_workflow_job_secrets_inherit{.name = "workflow-job-secrets-inherit",
                                         .shape = Shape::allowed_values,
                                         .values = k_inherit_values};
const std::array<const Def*, 2> k_workflow_job_secrets_alternatives = {
    &k_workflow_job_secrets_mapping, &k_workflow_job_secrets_inherit};
const Def k_workflow_job_secrets{.name = "workflow-job-secrets",
                                 .shape = Shape::one_of,
                                 .alternatives = k_workflow_job_secrets_alternatives};

// Strategy, runs-on, environment, container, services, snapshot -------------------------

const Def k_sequence_any{.name = "sequence", .shape = Shape::sequence, .item = &k_any};
const Def k_matrix_filter_item{
    .name = "matrix-filter-item", .shape = Shape::mapping, .loose_value = &k_any};
const Def k_matrix_filter{
    .name = "matrix-filter", .shape = Shape::sequence, .item = &k_matrix_filter_item};
const std::array<P, 2> k_matrix_properties = {{
    {"include", &k_matrix_filter},
    {"exclude", &k_matrix_filter},
}};
const Def k_matrix{.name = "matrix",
                   .shape = Shape::mapping,
                   .properties = k_matrix_properties,
                   .loose_value = &k_sequence_any};
const std::array<P, 3> k_strategy_properties = {{
    {"fail-fast", &k_boolean},
    {"max-parallel", &k_number},
    {"matrix", &k_matrix},
}};
const Def k_strategy{.name = "strategy",
                     .shape = Shape::mapping,
                     .context = KeyKind::needs_context,
                     .has_context = true,
                     .properties = k_strategy_properties};

const std::array<P, 2> k_runs_on_properties = {{
    {"group", &k_non_empty_string},
    {"labels", &k_string_or_list},
}};
const Def k_runs_on_mapping{
    .name = "runs-on-mapping", .shape = Shape::mapping, .properties = k_runs_on_properties};
const std::array<const Def*, 3> k_runs_on_alternatives = {
    &k_non_empty_string, &k_sequence_of_non_empty_string, &k_runs_on_mapping};
const Def k_runs_on{.name = "runs-on",
                    .shape = Shape::one_of,
                    .context = KeyKind::strategy_context,
                    .has_context = true,
                    .alternatives = k_runs_on_alternatives};

const std::array<P, 3> k_environment_properties = {{
    {"name", &k_job_environment_name, true},
    {"url", &k_string_runner_context_no_secrets},
    {"deployment", &k_boolean},
}};
const Def k_job_environment_mapping{.name = "job-environment-mapping",
                                    .shape = Shape::mapping,
                                    .properties = k_environment_properties};
const std::array<const Def*, 2> k_job_environment_alternatives = {&k_string,
                                                                  &k_job_environment_mapping};
const Def k_job_environment{.name = "job-environment",
                            .shape = Shape::one_of,
                            .context = KeyKind::strategy_context,
                            .has_context = true,
                            .alternatives = k_job_environment_alternatives};

const std::array<P, 2> k_credentials_properties = {{
    {"username", &k_non_empty_string},
    {"password", &k_non_empty_string},
}};
const Def k_credentials{.name = "container-registry-credentials",
                        .shape = Shape::mapping,
                        .context = KeyKind::container_credentials,
                        .has_context = true,
                        .properties = k_credentials_properties};
const std::array<P, 6> k_container_properties = {{
    {"image", &k_non_empty_string},
    {"options", &k_string},
    {"env", &k_container_env},
    {"ports", &k_sequence_of_non_empty_string},
    {"volumes", &k_sequence_of_non_empty_string},
    {"credentials", &k_credentials},
}};
const Def k_container_mapping{
    .name = "container-mapping", .shape = Shape::mapping, .properties = k_container_properties};
const std::array<const Def*, 2> k_container_alternatives = {&k_string, &k_container_mapping};
const Def k_container{.name = "container",
                      .shape = Shape::one_of,
                      .context = KeyKind::strategy_context,
                      .has_context = true,
                      .alternatives = k_container_alternatives};
const std::array<P, 8> k_service_properties = {{
    {"image", &k_non_empty_string},
    {"options", &k_string},
    {"env", &k_container_env},
    {"ports", &k_sequence_of_non_empty_string},
    {"volumes", &k_sequence_of_non_empty_string},
    {"credentials", &k_credentials},
    {"entrypoint", &k_string},
    {"command", &k_string},
}};
const Def k_service_container_mapping{.name = "service-container-mapping",
                                      .shape = Shape::mapping,
                                      .properties = k_service_properties};
const std::array<const Def*, 2> k_services_container_alternatives = {&k_non_empty_string,
                                                                     &k_service_container_mapping};
const Def k_services_container{.name = "services-container",
                               .shape = Shape::one_of,
                               .context = KeyKind::strategy_context,
                               .has_context = true,
                               .alternatives = k_services_container_alternatives};
const Def k_services{.name = "services",
                     .shape = Shape::mapping,
                     .context = KeyKind::strategy_context,
                     .has_context = true,
                     .loose_value = &k_services_container};

const std::array<P, 3> k_snapshot_properties = {{
    {"image-name", &k_non_empty_string, true},
    {"if", &k_snapshot_if},
    {"version", &k_non_empty_string},
}};
const Def k_snapshot_mapping{
    .name = "snapshot-mapping", .shape = Shape::mapping, .properties = k_snapshot_properties};
const std::array<const Def*, 2> k_snapshot_alternatives = {&k_non_empty_string,
                                                           &k_snapshot_mapping};
const Def k_snapshot{
    .name = "snapshot", .shape = Shape::one_of, .alternatives = k_snapshot_alternatives};

// Steps ---------------------------------------------------------------------------------

const std::array<P, 10> k_run_step_properties = {{
    {"name", &k_step_name},
    {"id", &k_step_id},
    {"if", &k_step_if},
    {"timeout-minutes", &k_step_timeout_minutes},
    {"run", &k_string_steps_context, true},
    {"continue-on-error", &k_step_continue_on_error},
    {"env", &k_step_env},
    {"working-directory", &k_string_steps_context},
    {"shell", &k_shell},
    {"background", &k_boolean},
}};
const Def k_run_step{
    .name = "run-step", .shape = Shape::mapping, .properties = k_run_step_properties};
const std::array<P, 9> k_regular_step_properties = {{
    {"name", &k_step_name},
    {"id", &k_step_id},
    {"if", &k_step_if},
    {"continue-on-error", &k_step_continue_on_error},
    {"timeout-minutes", &k_step_timeout_minutes},
    {"uses", &k_step_uses, true},
    {"with", &k_step_with},
    {"env", &k_step_env},
    {"background", &k_boolean},
}};
const Def k_regular_step{
    .name = "regular-step", .shape = Shape::mapping, .properties = k_regular_step_properties};
const std::array<P, 4> k_wait_step_properties = {{
    {"name", &k_step_name},
    {"id", &k_step_id},
    {"continue-on-error", &k_step_continue_on_error},
    {"wait", &k_string_or_list, true},
}};
const Def k_wait_step{
    .name = "wait-step", .shape = Shape::mapping, .properties = k_wait_step_properties};
const std::array<const Def*, 2> k_wait_all_alternatives = {&k_null, &k_boolean};
const Def k_wait_all_value{
    .name = "step-wait-all-value", .shape = Shape::one_of, .alternatives = k_wait_all_alternatives};
const std::array<P, 4> k_wait_all_step_properties = {{
    {"name", &k_step_name},
    {"id", &k_step_id},
    {"continue-on-error", &k_step_continue_on_error},
    {"wait-all", &k_wait_all_value, true},
}};
const Def k_wait_all_step{
    .name = "wait-all-step", .shape = Shape::mapping, .properties = k_wait_all_step_properties};
const std::array<P, 4> k_cancel_step_properties = {{
    {"name", &k_step_name},
    {"id", &k_step_id},
    {"continue-on-error", &k_step_continue_on_error},
    {"cancel", &k_non_empty_string, true},
}};
const Def k_cancel_step{
    .name = "cancel-step", .shape = Shape::mapping, .properties = k_cancel_step_properties};
const Def k_parallel_steps{
    .name = "parallel-steps", .shape = Shape::sequence, .item = &k_steps_item};
const std::array<P, 1> k_parallel_step_properties = {{{"parallel", &k_parallel_steps, true}}};
const Def k_parallel_step{
    .name = "parallel-step", .shape = Shape::mapping, .properties = k_parallel_step_properties};

// The step form is decided by its distinguishing key (run-step when none is present, so
// that the "required" error names `run`).
struct StepForm {
  std::string_view key;
  const Def* def;
};
const std::array<StepForm, 6> k_step_forms = {{
    {"run", &k_run_step},
    {"uses", &k_regular_step},
    {"wait", &k_wait_step},
    {"wait-all", &k_wait_all_step},
    {"cancel", &k_cancel_step},
    {"parallel", &k_parallel_step},
}};

const Def* select_step(const yaml::Node& mapping) {
  for (const StepForm& form : k_step_forms)
    if (mapping.find(form.key)) return form.def;
  return nullptr;
}

const std::array<const Def*, 6> k_steps_item_alternatives = {
    &k_run_step, &k_regular_step, &k_wait_step, &k_wait_all_step, &k_cancel_step, &k_parallel_step};

}  // namespace

namespace {
const Def k_steps_item{.name = "steps-item",
                       .shape = Shape::one_of,
                       .alternatives = k_steps_item_alternatives,
                       .select = select_step};
const Def k_steps{.name = "steps", .shape = Shape::sequence, .item = &k_steps_item};

// Jobs ----------------------------------------------------------------------------------

const std::array<const Def*, 2> k_needs_alternatives = {&k_sequence_of_non_empty_string,
                                                        &k_non_empty_string};
const Def k_needs{.name = "needs", .shape = Shape::one_of, .alternatives = k_needs_alternatives};

const std::array<P, 18> k_job_factory_properties = {{
    {"needs", &k_needs},
    {"if", &k_job_if},
    {"strategy", &k_strategy},
    {"name", &k_string_strategy_context},
    {"runs-on", &k_runs_on, true},
    {"timeout-minutes", &k_number_strategy_context},
    {"cancel-timeout-minutes", &k_number_strategy_context},
    {"continue-on-error", &k_boolean_strategy_context},
    {"container", &k_container},
    {"services", &k_services},
    {"env", &k_job_env},
    {"environment", &k_job_environment},
    {"permissions", &k_permissions},
    {"concurrency", &k_job_concurrency},
    {"outputs", &k_job_outputs},
    {"defaults", &k_job_defaults},
    {"steps", &k_steps},
    {"snapshot", &k_snapshot},
}};
const Def k_job_factory{
    .name = "job-factory", .shape = Shape::mapping, .properties = k_job_factory_properties};
const std::array<P, 9> k_workflow_job_properties = {{
    {"name", &k_string_strategy_context},
    {"uses", &k_job_uses, true},
    {"with", &k_workflow_job_with},
    {"secrets", &k_workflow_job_secrets},
    {"needs", &k_needs},
    {"if", &k_job_if},
    {"permissions", &k_permissions},
    {"concurrency", &k_job_concurrency},
    {"strategy", &k_strategy},
}};
const Def k_workflow_job{
    .name = "workflow-job", .shape = Shape::mapping, .properties = k_workflow_job_properties};

const Def* select_job(const yaml::Node& mapping) {
  return mapping.find("uses") ? &k_workflow_job : &k_job_factory;
}

const std::array<const Def*, 2> k_job_alternatives = {&k_job_factory, &k_workflow_job};
const Def k_job{.name = "job",
                .shape = Shape::one_of,
                .alternatives = k_job_alternatives,
                .select = select_job};
const Def k_jobs{
    .name = "jobs", .shape = Shape::mapping, .loose_value = &k_job, .loose_key = KeyCheck::job_id};

// The root ------------------------------------------------------------------------------

const std::array<P, 9> k_root_properties = {{
    {"on", &k_on, true},
    {"name", &k_string},
    {"description", &k_string},
    {"run-name", &k_run_name},
    {"defaults", &k_workflow_defaults},
    {"env", &k_workflow_env},
    {"permissions", &k_permissions},
    {"concurrency", &k_workflow_concurrency},
    {"jobs", &k_jobs, true},
}};
const Def k_root{.name = "workflow-root", .shape = Shape::mapping, .properties = k_root_properties};

const std::array<const Def*, 38> k_named = {
    &k_root,
    &k_workflow_defaults,
    &k_workflow_defaults_run,
    &k_workflow_env,
    &k_permissions,
    &k_permissions_mapping,
    &k_workflow_concurrency,
    &k_job_concurrency,
    &k_concurrency_mapping,
    &k_jobs,
    &k_job,
    &k_job_factory,
    &k_workflow_job,
    &k_workflow_job_with,
    &k_workflow_job_secrets,
    &k_workflow_job_secrets_mapping,
    &k_needs,
    &k_job_if,
    &k_strategy,
    &k_matrix,
    &k_matrix_filter_item,
    &k_snapshot_mapping,
    &k_runs_on,
    &k_runs_on_mapping,
    &k_job_env,
    &k_job_environment,
    &k_job_environment_mapping,
    &k_job_defaults,
    &k_job_defaults_run,
    &k_job_outputs,
    &k_run_step,
    &k_regular_step,
    &k_wait_step,
    &k_wait_all_step,
    &k_cancel_step,
    &k_parallel_step,
    &k_step_env,
    &k_step_with,
};
const std::array<const Def*, 6> k_named_more = {
    &k_container_mapping, &k_service_container_mapping,
    &k_credentials,       &k_container_env,
    &k_services,          &k_steps_item,
};

}  // namespace

std::span<const Def* const> workflow_definitions() {
  static const auto all = [] {
    std::array<const Def*, k_named.size() + k_named_more.size()> a{};
    size_t i = 0;
    for (const Def* d : k_named)
      a[i++] = d;
    for (const Def* d : k_named_more)
      a[i++] = d;
    return a;
  }();
  return all;
}

const Def& workflow_root() {
  return k_root;
}

const Def* find_definition(std::string_view name) {
  for (auto table : {workflow_definitions(), event_definitions(), action_definitions()})
    for (const Def* def : table)
      if (def->name == name) return def;
  return nullptr;
}

}  // namespace pipewright::workflow::schema
