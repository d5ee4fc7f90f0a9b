// Does a workflow run for an event? `on:` in all its forms with GitHub's filter rules
// (gha-spec.md §11), and the typed inputs of workflow_dispatch / workflow_call.
#pragma once

#include <string>
#include <vector>

#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/value.h"
#include "pipewright/plan/event.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/model.h"

namespace pipewright::plan {

struct TriggerResult {
  bool matched = false;
  // Why not (when !matched), e.g. "branch 'dev' does not match branches: [main]";
  // when matched, a short note of what matched ("push to branch 'main'").
  std::string reason;
};

// Whether `workflow` runs for `event`. Fails only on an invalid filter pattern (the
// linter reports those with locations; here the error names the pattern).
util::Expected<TriggerResult> match_triggers(const workflow::Workflow& workflow,
                                             const Event& event);

// The typed `inputs` context of a workflow_dispatch (or workflow_call) run.
struct ResolvedInputs {
  expr::Value inputs;        // typed: booleans, numbers, strings
  expr::Value event_inputs;  // github.event.inputs: every value as a string (dispatch)
};

// Resolves workflow_dispatch inputs: `given` (strings or typed values from --input / the
// event file) converted by type, defaults applied (boolean → false, number → 0 when
// absent and not required). Fails listing ALL missing required inputs at once, on an
// unknown input, a value that is not of the type, or a choice not among the options.
util::Expected<ResolvedInputs> resolve_dispatch_inputs(const workflow::Event& definition,
                                                       const expr::Object& given);

// Resolves workflow_call inputs from a caller's `with` (already evaluated). Defaults that
// are templates are evaluated in `context` (github, inputs, vars). Errors use GitHub's
// texts ("Invalid input, foo is not defined in the referenced workflow.", "Input foo is
// required, but not provided while calling.").
util::Expected<ResolvedInputs> resolve_call_inputs(const workflow::Event& definition,
                                                   const expr::Object& with,
                                                   const expr::EvalContext& context);

}  // namespace pipewright::plan
