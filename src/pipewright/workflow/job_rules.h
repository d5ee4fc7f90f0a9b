// Rules GitHub's workflow converter applies after the schema, so they fail a file the
// schema alone would pass: a workflow has at least one job, a container or service names
// its image (unless an expression builds it), and `runs-on.group` is a group name or
// `org/NAME`, `organization/NAME`, `ent/NAME`, `enterprise/NAME`; `concurrency` does not
// pair `queue: max` with `cancel-in-progress: true`.
#pragma once

#include <vector>

#include "pipewright/util/diagnostic.h"
#include "pipewright/workflow/model.h"

namespace pipewright::workflow {

// Appends an error for each rule `workflow` breaks (its document must be set).
void check_job_rules(const Workflow& workflow, std::vector<util::Diagnostic>& out);

}  // namespace pipewright::workflow
