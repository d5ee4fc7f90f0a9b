// action.yml metadata as tables (docs: "Metadata syntax reference"; gha-spec.md §13).
#include <array>

#include "pipewright/workflow/schema_internal.h"

namespace pipewright::workflow::schema {

namespace {

using P = Property;
using V = std::string_view;

Def with_context(std::string_view name, KeyKind key, Shape shape = Shape::string) {
  return Def{.name = name, .shape = shape, .context = key, .has_context = true};
}

const Def k_input_default = with_context("action-input-default", KeyKind::action_input_default);
const std::array<P, 4> k_input_properties = {{
    {"description", &k_string},
    {"required", &k_boolean},
    {"default", &k_input_default},
    {"deprecationMessage", &k_string},
}};
const Def k_input{.name = "action-input",
                  .shape = Shape::mapping,
                  .properties = k_input_properties,
                  .ignores_unknown_keys = true};
const Def k_inputs{.name = "action-inputs", .shape = Shape::mapping, .loose_value = &k_input};

const Def k_output_value = with_context("action-output-value", KeyKind::action_output_value);
const std::array<P, 2> k_output_properties = {{
    {"description", &k_string},
    {"value", &k_output_value},
}};
const Def k_output{
    .name = "action-output", .shape = Shape::mapping, .properties = k_output_properties};
const Def k_outputs{.name = "action-outputs", .shape = Shape::mapping, .loose_value = &k_output};

// Composite steps: the contexts of a step, without secrets.
const Def k_step_string = with_context("action-step-string", KeyKind::action_step);
const Def k_step_boolean =
    with_context("action-step-boolean", KeyKind::action_step, Shape::boolean);
const Def k_step_number = with_context("action-step-number", KeyKind::action_step, Shape::number);
const Def k_step_map{.name = "action-step-map",
                     .shape = Shape::mapping,
                     .context = KeyKind::action_step,
                     .has_context = true,
                     .loose_value = &k_string};
Def condition(std::string_view name, KeyKind key) {
  Def def = with_context(name, key);
  def.condition = true;
  return def;
}
const Def k_step_if = condition("action-step-if", KeyKind::action_step_if);
const Def k_step_id{
    .name = "action-step-id", .shape = Shape::non_empty_string, .no_expressions = true};
const Def k_step_uses{
    .name = "action-step-uses", .shape = Shape::non_empty_string, .no_expressions = true};

const std::array<P, 9> k_run_step_properties = {{
    {"name", &k_step_string},
    {"id", &k_step_id},
    {"if", &k_step_if},
    {"run", &k_step_string, true},
    {"shell", &k_non_empty_string, true},
    {"working-directory", &k_step_string},
    {"env", &k_step_map},
    {"continue-on-error", &k_step_boolean},
    {"timeout-minutes", &k_step_number},
}};
const Def k_run_step{
    .name = "action-run-step", .shape = Shape::mapping, .properties = k_run_step_properties};
const std::array<P, 8> k_uses_step_properties = {{
    {"name", &k_step_string},
    {"id", &k_step_id},
    {"if", &k_step_if},
    {"uses", &k_step_uses, true},
    {"with", &k_step_map},
    {"env", &k_step_map},
    {"continue-on-error", &k_step_boolean},
    {"timeout-minutes", &k_step_number},
}};
const Def k_uses_step{
    .name = "action-uses-step", .shape = Shape::mapping, .properties = k_uses_step_properties};

const Def* select_step(const yaml::Node& mapping) {
  return mapping.find("uses") ? &k_uses_step : &k_run_step;
}

const std::array<const Def*, 2> k_step_alternatives = {&k_run_step, &k_uses_step};
const Def k_step{.name = "action-step",
                 .shape = Shape::one_of,
                 .alternatives = k_step_alternatives,
                 .select = select_step};
const Def k_steps{.name = "action-steps", .shape = Shape::sequence, .item = &k_step};

constexpr std::array<V, 6> k_using_values = {"composite", "node12", "node16",
                                             "node20",    "node24", "docker"};
const Def k_using{.name = "action-using", .shape = Shape::allowed_values, .values = k_using_values};
const Def k_runs_if = condition("action-runs-if", KeyKind::action_runs_if);
const Def k_runs_args{.name = "action-runs-args",
                      .shape = Shape::sequence,
                      .context = KeyKind::action_runs_env,
                      .has_context = true,
                      .item = &k_string};
const Def k_runs_env{.name = "action-runs-env",
                     .shape = Shape::mapping,
                     .context = KeyKind::action_runs_env,
                     .has_context = true,
                     .loose_value = &k_string};
const std::array<P, 13> k_runs_properties = {{
    {"using", &k_using, true},
    {"main", &k_non_empty_string},
    {"pre", &k_non_empty_string},
    {"post", &k_non_empty_string},
    {"pre-if", &k_runs_if},
    {"post-if", &k_runs_if},
    {"steps", &k_steps},
    {"image", &k_non_empty_string},
    {"entrypoint", &k_string},
    {"pre-entrypoint", &k_string},
    {"post-entrypoint", &k_string},
    {"args", &k_runs_args},
    {"env", &k_runs_env},
}};
const Def k_runs{.name = "action-runs", .shape = Shape::mapping, .properties = k_runs_properties};

const std::array<P, 2> k_branding_properties = {{
    {"icon", &k_string},
    {"color", &k_string},
}};
const Def k_branding{
    .name = "action-branding", .shape = Shape::mapping, .properties = k_branding_properties};

const std::array<P, 7> k_action_properties = {{
    {"name", &k_string, false, true},
    {"author", &k_string},
    {"description", &k_string, false, true},
    {"inputs", &k_inputs},
    {"outputs", &k_outputs},
    {"runs", &k_runs, true},
    {"branding", &k_branding},
}};

}  // namespace

// The runner reads action.yml loosely (its action_yaml.json): only `runs` is required and
// unknown top-level keys are ignored, so `run` accepts them; lint sees warnings.
const Def k_action{.name = "action-root",
                   .shape = Shape::mapping,
                   .properties = k_action_properties,
                   .ignores_unknown_keys = true};

namespace {
const std::array<const Def*, 9> k_named = {&k_action,    &k_inputs, &k_input,
                                           &k_outputs,   &k_output, &k_run_step,
                                           &k_uses_step, &k_runs,   &k_branding};
}  // namespace

std::span<const Def* const> action_definitions() {
  return k_named;
}

const Def& action_root() {
  return k_action;
}

}  // namespace pipewright::workflow::schema
