// Steps 1 and 2 of a run (DESIGN.md data flow): load the workflow files of a
// repository and select those whose `on:` matches the event, with the inputs each
// selected run gets. `pipewright run` loads the working copy; the server a checkout
// of the run's commit. Both get the same diagnostics.
#pragma once

#include <string>
#include <vector>

#include "pipewright/expr/value.h"
#include "pipewright/plan/event.h"
#include "pipewright/plan/triggers.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/model.h"

namespace pipewright::pipeline {

struct LoadedWorkflow {
  std::string file;      // as found (workflow.file too: reusable-workflow identity)
  std::string relative;  // to the repository root, e.g. .github/workflows/ci.yml
  workflow::Workflow workflow;
  plan::TriggerResult trigger;  // filled by select_workflows
};

struct Workflows {
  std::vector<LoadedWorkflow> list;  // the files that loaded, in file order
  // Every error diagnostic, rendered with its source line and caret, in file order.
  std::string rendered_errors;
  bool invalid = false;  // some file had an error: nothing should run
};

// Loads the workflows `selector` names (a file or directory, as -W; "" =
// <root>/.github/workflows). Diagnostics name files relative to `root`. Fails only when
// the selector finds no workflow file; invalid files are reported in the result.
util::Expected<Workflows> load_workflows(const std::string& root, const std::string& selector);

// Fills the trigger of every workflow for `event`. Fails when a filter cannot be
// evaluated (the error names the file).
util::Expected<void> select_workflows(Workflows& workflows, const plan::Event& event);

// How many workflows `event` triggers.
size_t triggered_count(const Workflows& workflows);

// The `name:` of the workflow, or its relative path.
std::string workflow_name(const LoadedWorkflow& w);

// The typed `inputs` of a workflow_dispatch (or directly run workflow_call) run of `w`:
// the payload's `inputs` checked against the workflow's definitions, with defaults
// (GitHub's error texts, located in the file). Null for other events.
util::Expected<expr::Value> run_inputs(const LoadedWorkflow& w, const plan::Event& event);

// The project a workflow belongs to: `<dir>` for `<dir>/.github/workflows/x.yml` inside
// the repository (its workspace holds that directory only), else `root`.
std::string project_dir(const std::string& file, const std::string& root);

}  // namespace pipewright::pipeline
