// `pipewright backup DIR` / `pipewright restore DIR` (issue 12 §5): a consistent copy of
// a data directory while the server or a run keeps writing to it.
//
// What a backup holds, and why it is consistent:
// - history.db, copied with SQLite's online backup API in one step: a read transaction
//   on a WAL database, so it is one snapshot of every table while writers go on.
// - the log files (logs/<run>/) and artifacts (artifacts/<run>/) of exactly the runs in
//   that snapshot. A newer run's files are left out: the snapshot does not know the run,
//   and the restored database would number its next run after the snapshot's last.
//   A finished step's log and a completed artifact never change, so their copy is
//   exact. A step still running has its log copied as far as it was written (a fixed
//   length, read once): the reader stops quietly at a torn last block, as after a
//   crash, and the restored store marks that run interrupted, as a crash would.
//   Artifact uploads in progress (.tmp-*) and deletions (.trash-*) are skipped.
// - `manifest`, written last (temporary file, fsync, rename): the format version, the
//   database kind, schema and layout versions, and every file with its size. Restore
//   refuses a directory without it, so a backup killed midway is never restored, and
//   refuses one whose files do not match it.
// Not included: caches (cache/: rebuilt on demand) and anything outside the data dir.
// With PostgreSQL the database is not copied: the blobs are, and the caller is told to
// use pg_dump / pg_restore (run pg_dump first, so that every run it holds has its files).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::store {

// The version of the manifest format this build writes and reads.
constexpr int k_backup_format = 1;

enum class BackupDatabase { sqlite, postgresql };

struct BackupOptions {
  std::string data_dir;
  std::string dest;  // created when missing; must be empty
  BackupDatabase database = BackupDatabase::sqlite;
  // Called after each file is copied (its path relative to `dest`); tests stop a
  // backup midway with it.
  std::function<void(std::string_view)> on_file_copied;
};

struct BackupSummary {
  BackupDatabase database = BackupDatabase::sqlite;
  int64_t runs = 0;   // runs in the database copy; runs with files for PostgreSQL
  int64_t files = 0;  // every file copied, history.db included
  int64_t bytes = 0;
};

// Backs up `options.data_dir` into `options.dest` (see the top of this file). Fails,
// leaving no manifest, when the destination is not empty, the data dir has no history
// (SQLite) or a copy fails.
util::Expected<BackupSummary> backup(const BackupOptions& options);

// Restores the backup in `backup_dir` into `data_dir`, which must be missing or empty:
// the files are copied into a sibling staging directory that is renamed to `data_dir`
// once complete, then (SQLite) the store is opened, which migrates an older schema and
// marks runs that were in progress at backup time interrupted. Fails, leaving
// `data_dir` as it was, when the backup has no manifest (incomplete), does not match
// it, is of an unknown format, schema or layout newer than this build, or `data_dir`
// is not empty.
util::Expected<BackupSummary> restore(const std::string& backup_dir, const std::string& data_dir);

}  // namespace pipewright::store
