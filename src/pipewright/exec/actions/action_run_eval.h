// Evaluating the scalars of steps inside actions (composite inner steps, inputs,
// pre-if / post-if): the small helpers action_runner.cc and composite_runner.cc share.
#pragma once

#include <string>
#include <string_view>

#include "pipewright/exec/step_runner.h"
#include "pipewright/expr/evaluator.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/model.h"

namespace pipewright::exec::actions {

// The string form of `text` (its template evaluated in `ctx`); '' when absent.
util::Expected<std::string> eval_step_text(const workflow::Text& text,
                                           const expr::EvalContext& ctx);
// A boolean key (`continue-on-error`); false when absent.
util::Expected<bool> eval_step_bool(const workflow::Bool& flag, const expr::EvalContext& ctx);
// A number key (`timeout-minutes`); nullopt when absent.
util::Expected<std::optional<double>> eval_step_number(const workflow::Number& number,
                                                       const expr::EvalContext& ctx);
// A step `if:` (wrapped in success() && (…) unless it calls a status function).
util::Expected<bool> eval_step_condition(const workflow::Text& condition,
                                         const expr::EvalContext& ctx);
// Whether a step `if:` calls a status function itself (so it was not wrapped).
bool calls_status_function(const workflow::Text& condition);
// A `pre-if` / `post-if`: not wrapped; absent or empty means always().
util::Expected<bool> eval_phase_condition(const workflow::Text& condition,
                                          const expr::EvalContext& ctx);
// Evaluates an env-like map (`env:`, `with:`) into `into` (later entries win).
util::Expected<void> eval_step_map(const workflow::TextMap& map, const expr::EvalContext& ctx,
                                   EnvList& into);
// `env` as an expression object.
expr::Value env_value(const EnvList& env);

}  // namespace pipewright::exec::actions
