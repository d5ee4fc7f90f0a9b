#include "pipewright/store/retention.h"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "pipewright/store/data_dir.h"

namespace pipewright::store {

namespace {

namespace fs = std::filesystem;

// Runs deleted per transaction: short enough not to hold the write lock long.
constexpr int k_batch = 200;

// Removes `dir` and everything in it; returns the bytes of the regular files it held.
int64_t remove_tree(const std::string& dir, std::vector<std::string>& errors) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir, ec))) return 0;
  int64_t bytes = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec) && !it->is_symlink(size_ec)) {
      auto size = it->file_size(size_ec);
      if (!size_ec) bytes += static_cast<int64_t>(size);
    }
  }
  ec.clear();
  fs::remove_all(dir, ec);
  if (ec) errors.push_back(fmt::format("{}: {}", dir, ec.message()));
  return bytes;
}

}  // namespace

util::Expected<PruneResult> prune(Store& store, const RetentionPolicy& policy, TimePoint now) {
  if (policy.max_age_days < 0 || policy.keep_min_per_workflow < 0)
    return util::fail(
        fmt::format("retention: max_age_days ({}) and keep_min_per_workflow ({}) "
                    "cannot be negative",
                    policy.max_age_days, policy.keep_min_per_workflow));
  TimePoint cutoff = now - std::chrono::days(policy.max_age_days);
  std::optional<std::string_view> repo;
  if (policy.repo) repo = *policy.repo;
  PruneResult result;
  for (;;) {
    PW_TRY(expired, store.expired_runs(repo, cutoff, policy.keep_min_per_workflow, k_batch));
    if (expired.empty()) return result;
    PW_TRY(deleted, store.delete_runs(expired));
    for (RunId run : deleted) {
      result.log_bytes += remove_tree(run_logs_dir(store.data_dir(), run), result.errors);
      result.artifact_bytes += remove_tree(run_artifacts_dir(store.data_dir(), run), result.errors);
    }
    result.runs += static_cast<int64_t>(deleted.size());
    // The runs skipped (re-run meanwhile) are active now and are not found again.
  }
}

}  // namespace pipewright::store
