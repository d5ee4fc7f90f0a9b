// The store behind the native actions/cache (+ /restore, /save): tar + zstd archives
// under `<data dir>/caches`, one per (scope, key, version), each with a small JSON
// sidecar (key, scope, version, size, created, last used). Semantics as GitHub's:
// - version: a digest of the `path` lines and the compression ("zstd"), so a restore
//   only sees caches saved with the same paths; enableCrossOsArchive only matters on
//   Windows and is accepted.
// - scopes: a run sees caches of its own ref first, then of the base/default branch;
//   saves go to its own ref.
// - restore: exact key, then the key as a prefix, then each restore key as a prefix
//   (newest first), all in one scope before the next.
// - keys: at most 512 characters, no commas, at most 10 with the restore keys.
// - a key saved once cannot be saved again in the same scope.
// - LRU eviction over a size budget (default 10 GB) after each save.
// Writes are atomic (temporary + rename) and serialised by a file lock; restores
// extract only inside the declared paths.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipewright/exec/actions/archive.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

struct CacheStoreOptions {
  std::string dir;        // <data dir>/caches (created on demand)
  std::string workspace;  // relative `path` lines start here
  std::string home;       // `~`
  uint64_t budget_bytes = uint64_t{10} << 30;
  ArchiveLimits limits;
};

struct CacheSaveRequest {
  std::string key;
  std::string paths;  // the `path` input: one pattern per line
  std::string scope;  // the run's ref, e.g. refs/heads/feature
  bool enable_cross_os_archive = false;
};

struct CacheSaveResult {
  bool saved = false;
  // When not saved: GitHub's warning ("Path Validation Error: …", "Unable to reserve
  // cache with key …, another job may be creating this cache.").
  std::string warning;
  uint64_t files = 0;
  uint64_t size = 0;  // compressed
};

struct CacheRestoreRequest {
  std::string key;
  std::vector<std::string> restore_keys;
  std::string paths;
  std::vector<std::string> scopes;  // search order: own ref, then base/default branch
  bool lookup_only = false;
  bool enable_cross_os_archive = false;
};

struct CacheRestoreResult {
  std::optional<std::string> matched_key;  // nullopt: a miss
  bool exact = false;                      // the `cache-hit` output
  uint64_t files = 0;                      // restored entries (0 with lookup_only)
};

struct CacheEntryInfo {
  std::string key;
  std::string scope;
  std::string version;
  uint64_t size = 0;
  int64_t created_ns = 0;  // system clock, nanoseconds since the epoch
  int64_t used_ns = 0;
};

class CacheStore {
 public:
  explicit CacheStore(CacheStoreOptions options);

  // Archives the files `paths` matches under `key`. Validation failures are errors
  // (GitHub's "Key Validation Error: …"); "nothing to save" and "already exists" are
  // warnings in the result, as on GitHub.
  util::Expected<CacheSaveResult> save(const CacheSaveRequest& request);
  // Finds and (unless lookup_only) extracts the best match. Fails on invalid keys and
  // on archives that do not extract safely inside the declared paths.
  util::Expected<CacheRestoreResult> restore(const CacheRestoreRequest& request);
  // Every entry, newest first.
  std::vector<CacheEntryInfo> list() const;
  // Removes least recently used entries until the total is within the budget.
  util::Expected<void> evict();

  // The version GitHub derives from the paths (and compression).
  static std::string version_of(const std::string& paths, bool enable_cross_os_archive);
  // Validates key + restore keys as @actions/cache does.
  static util::Expected<void> validate_keys(const std::string& key,
                                            const std::vector<std::string>& restore_keys);

 private:
  util::Expected<void> evict_locked();

  CacheStoreOptions m_options;
};

}  // namespace pipewright::exec::actions
