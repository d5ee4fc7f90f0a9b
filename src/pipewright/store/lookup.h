// Resolving what a user types for `pipewright logs RUN [JOB [STEP]]` into records.
#pragma once

#include <string_view>

#include "pipewright/store/record.h"
#include "pipewright/store/store.h"
#include "pipewright/util/error.h"

namespace pipewright::store {

// RUN: "last" (the newest run) or a run id. Fails when it is neither, or unknown.
util::Expected<RunId> resolve_run(Store& store, std::string_view spec);

// JOB in a run: its display name, its job id (when that id has one instance) or its
// 1-based position. Fails naming the jobs there are, with a "did you mean" hint.
util::Expected<const JobDetail*> find_job(const RunDetail& run, std::string_view spec);

// STEP in a job: its 1-based number or its name (the first step of that name). Fails
// naming the steps there are.
util::Expected<const StepRecord*> find_step(const JobDetail& job, std::string_view spec);

}  // namespace pipewright::store
