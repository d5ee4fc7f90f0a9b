// Reusable workflows at run time (gha-spec.md §13; issue 4 §3): a job with
// `uses: ./.github/workflows/x.yml` or `owner/repo/.github/workflows/x.yml@ref` runs the
// jobs of that workflow. This unit holds what the scheduler needs around it: finding
// and loading the called workflow (through the action cache for remote ones), GitHub's
// nesting limits and cycle refusal, the typed `inputs` from `with:`, the `secrets` from
// a map or `inherit`, the called workflow's `outputs` and its result. The scheduler
// (scheduler.cc) runs the called jobs with the run's other jobs, so `-p`, cancellation
// and fail-fast hold across levels.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/actions/action_settings.h"
#include "pipewright/exec/events.h"
#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/value.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/model.h"

namespace pipewright::exec {

// GitHub.com's limits ("Reusing workflow configurations"): ten levels of workflows (the
// top-level caller and up to nine levels of reusable workflows) and 50 unique reusable
// workflows in the tree of one top-level workflow.
inline constexpr size_t k_max_workflow_levels = 10;
inline constexpr size_t k_max_unique_workflows = 50;

// The workflow that holds a calling job.
struct CallSite {
  std::string repository_dir;  // root that its `./` references resolve against
  std::string file;            // how messages name it (".github/workflows/ci.yml")
  // Identities (see CalledWorkflow::identity) from the top-level workflow down to this
  // one; its size is the caller's level (1 for the top-level workflow).
  std::vector<std::string> chain;
};

// A loaded reusable workflow.
struct CalledWorkflow {
  std::shared_ptr<const workflow::Workflow> workflow;
  const workflow::Event* call = nullptr;  // its `on.workflow_call`
  std::string identity;                   // the file's normalized path (cycles, limits)
  std::string file;                       // how messages name it
  std::string repository_dir;             // where its own `./` references resolve
};

// The identity of the workflow file at `path`: its absolute, normalized path.
std::string workflow_identity(const std::string& path);

// Finds and loads the workflow `caller.uses` names, as called from `site`. Fails (with
// the location of `uses:` unless the problem is inside the called file) when the
// reference is not a workflow reference, the file is missing (remote ones: not fetched,
// or absent with --offline), it has errors (the first one with its file:line:col), it
// has no `on: workflow_call`, it is already in `site.chain` (a cycle), or calling it
// would exceed k_max_workflow_levels.
util::Expected<CalledWorkflow> load_called_workflow(const workflow::Job& caller,
                                                    const CallSite& site,
                                                    const actions::ActionSettings& settings);

// The `inputs` context of the called workflow: `caller.with` evaluated in `context` (the
// caller's: github, inputs, vars, needs, strategy, matrix) and checked against the
// declared types as GitHub does (a boolean input takes a boolean, a number input a
// number, a string input any scalar), then defaults and required inputs applied. Fails
// with GitHub's texts ("Unexpected type of value 'x', expected type: Boolean.", "Invalid
// input, foo is not defined in the referenced workflow.", "Input foo is required, but not
// provided while calling."); `file` names the caller's workflow in locations.
util::Expected<expr::Value> resolve_called_inputs(const workflow::Job& caller,
                                                  const workflow::Event& call,
                                                  const expr::EvalContext& context,
                                                  const std::string& file);

// The `secrets` context of the called workflow: with `secrets: inherit` every secret of
// `caller_secrets`; with a map its entries evaluated in `context` (which holds the
// caller's secrets); GITHUB_TOKEN always. Fails with GitHub's texts for a secret the
// workflow does not declare ("Invalid secret, FOO is not defined in the referenced
// workflow.") or a required one not passed ("Secret FOO is required, but not provided
// while calling.").
util::Expected<expr::Value> resolve_called_secrets(const workflow::Job& caller,
                                                   const workflow::Event& call,
                                                   const expr::EvalContext& context,
                                                   const expr::Value& caller_secrets);

// The called workflow's outputs: each `on.workflow_call.outputs.<id>.value` evaluated in
// `context` (github, inputs, vars and `jobs`: {<job id>: {result, outputs}}), as a
// string. Fails on the first output whose expression fails, with its location.
util::Expected<expr::Object> evaluate_called_outputs(const workflow::Event& call,
                                                     const expr::EvalContext& context);

// The result of a called workflow from the results of its jobs: failure when any failed,
// else cancelled when any was cancelled, skipped when all were skipped, else success.
Result called_workflow_result(const std::vector<Result>& job_results);

// "caller / callee" — how GitHub names a job of a called workflow.
std::string called_job_name(std::string_view caller, std::string_view callee);

}  // namespace pipewright::exec
