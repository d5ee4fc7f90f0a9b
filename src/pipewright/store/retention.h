// Retention (issue 12 §5): deleting old runs with everything recorded for them — jobs,
// steps, annotations, summaries, log files and artifacts — while keeping the newest
// runs of each workflow, as GitHub's 90-day retention does for logs and artifacts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipewright/store/record.h"
#include "pipewright/store/store.h"
#include "pipewright/util/error.h"

namespace pipewright::store {

struct RetentionPolicy {
  int max_age_days = 90;                 // runs created longer ago than this go (GitHub's default)
  int keep_min_per_workflow = 0;         // ...except the newest M of each (repo, workflow file)
  std::optional<std::string> repo = {};  // only this repository's runs; nullopt: every run
};

// What one prune removed, for metrics and the server's log.
struct PruneResult {
  int64_t runs = 0;
  int64_t log_bytes = 0;       // on disk (compressed log files)
  int64_t artifact_bytes = 0;  // on disk
  // Files or directories that could not be removed ("path: reason"); their runs' records
  // are gone all the same.
  std::vector<std::string> errors;
};

// Deletes the runs `policy` expires as of `now`: created more than max_age_days before
// it, not queued or running, not among the newest keep_min_per_workflow of their (repo,
// workflow file). Records go first, in batches (each one transaction), then each deleted
// run's logs/<run>/ and artifacts/<run>/ under the store's data dir: never a record
// without its files. The batch's run ids are written to <data dir>/retention-pending
// before and removed after, so a prune that died in between has its leftover files
// removed by the next one (run ids are never reused). Fails on a negative policy value or a
// database error (runs deleted before it stay deleted).
util::Expected<PruneResult> prune(Store& store, const RetentionPolicy& policy, TimePoint now);

}  // namespace pipewright::store
