#include "pipewright/store/retention.h"

#include <charconv>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "pipewright/os/file.h"
#include "pipewright/store/data_dir.h"

namespace pipewright::store {

namespace {

namespace fs = std::filesystem;

// Runs deleted per transaction: short enough not to hold the write lock long.
constexpr int k_batch = 200;

// The runs whose records are being deleted, written before and removed after their
// files: a prune that died in between leaves it, and the next one removes those files.
constexpr std::string_view k_pending = "retention-pending";

std::string pending_path(const Store& store) {
  return fmt::format("{}/{}", store.data_dir(), k_pending);
}

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

void remove_files(const Store& store, RunId run, PruneResult& result) {
  result.log_bytes += remove_tree(run_logs_dir(store.data_dir(), run), result.errors);
  result.artifact_bytes += remove_tree(run_artifacts_dir(store.data_dir(), run), result.errors);
}

// Finishes what a prune that died left: the files of listed runs whose records are gone.
util::Expected<void> finish_pending(Store& store, PruneResult& result) {
  std::string path = pending_path(store);
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  auto text = os::read_file(path, 64 * 1024 * 1024);
  if (text) {
    std::string_view rest = *text;
    while (!rest.empty()) {
      size_t end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      RunId run = 0;
      auto [ptr, parse_ec] = std::from_chars(line.data(), line.data() + line.size(), run);
      if (parse_ec != std::errc() || run <= 0) continue;
      PW_TRY(detail, store.run_detail(run));
      if (!detail) remove_files(store, run, result);
    }
  }
  fs::remove(path, ec);
  return {};
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
  PW_TRY_VOID(finish_pending(store, result));
  for (;;) {
    PW_TRY(expired, store.expired_runs(repo, cutoff, policy.keep_min_per_workflow, k_batch));
    if (expired.empty()) return result;
    std::string pending;
    for (RunId run : expired)
      pending += fmt::format("{}\n", run);
    PW_TRY_VOID(os::write_file(pending_path(store), pending));
    PW_TRY(deleted, store.delete_runs(expired));
    for (RunId run : deleted)
      remove_files(store, run, result);
    std::error_code ec;
    fs::remove(pending_path(store), ec);
    result.runs += static_cast<int64_t>(deleted.size());
    // The runs skipped (re-run meanwhile) are active now and are not found again.
  }
}

}  // namespace pipewright::store
