// YAML tree (already validated) → typed model. Lenient: values of the wrong shape were
// reported by validate() and are left empty here.
#pragma once

#include "pipewright/workflow/model.h"
#include "pipewright/workflow/validate.h"

namespace pipewright::workflow {

// The workflow read from `document` (its root must be a mapping).
Workflow build_workflow(const yaml::Document& document, const Validation& validation);

// The action metadata read from `document` (its root must be a mapping).
Action build_action(const yaml::Document& document, const Validation& validation);

}  // namespace pipewright::workflow
