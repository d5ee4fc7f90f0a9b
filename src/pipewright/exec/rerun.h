// Re-runs (issue 12 §3): a new attempt of a run runs some jobs again and carries the
// others over, keeping their earlier result and outputs for `needs.<id>.*`. Which jobs
// are carried follows GitHub's "Re-run all jobs", "Re-run failed jobs" (the failed and
// cancelled jobs and every job that depends on them) and "Re-run this job" (that job and
// its dependents). A matrix job is carried or re-run as a whole.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "pipewright/exec/events.h"
#include "pipewright/expr/value.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/model.h"

namespace pipewright::exec {

// What an earlier attempt left of one job (by its `jobs:` key).
struct PriorJob {
  Result result = Result::success;
  expr::Object outputs;
};

// Earlier results by `jobs:` key (as written in the workflow).
using PriorResults = std::map<std::string, PriorJob>;

enum class RerunMode { all, failed, one };

// The jobs of `workflow` that a re-run in `mode` carries over from `prior` (`job` names
// the job of RerunMode::one, ignoring case). Jobs without a prior result are never
// carried (they run). Fails when `job` names no job of the workflow.
util::Expected<PriorResults> jobs_to_carry_over(const workflow::Workflow& workflow,
                                                const PriorResults& prior, RerunMode mode,
                                                std::string_view job = {});

}  // namespace pipewright::exec
