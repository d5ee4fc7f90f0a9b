#include "pipewright/store/schema.h"

#include <fmt/format.h>

namespace pipewright::store {

namespace {

struct Migration {
  int64_t version;
  const char* sql;
};

// Append only: never edit a migration that has shipped.
constexpr Migration k_migrations[] = {
    {1, R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  workflow_file TEXT NOT NULL,
  workflow_name TEXT NOT NULL,
  run_number INTEGER NOT NULL,
  event TEXT NOT NULL,
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  status TEXT NOT NULL,
  result TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  owner_pid INTEGER NOT NULL,
  owner_boot_id TEXT NOT NULL,
  owner_start INTEGER NOT NULL,
  UNIQUE (workflow_file, run_number)
);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  job_id TEXT NOT NULL,
  name TEXT NOT NULL,
  matrix_json TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  result TEXT,
  reason TEXT NOT NULL DEFAULT '',
  started_at INTEGER,
  finished_at INTEGER
);
CREATE TABLE steps (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  outcome TEXT,
  conclusion TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  log_ref TEXT NOT NULL DEFAULT '',
  log_bytes INTEGER NOT NULL DEFAULT 0,
  log_lines INTEGER NOT NULL DEFAULT 0,
  UNIQUE (job_id, idx)
);
CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  job_id INTEGER REFERENCES jobs(id) ON DELETE CASCADE,
  step_id INTEGER REFERENCES steps(id) ON DELETE CASCADE,
  severity TEXT NOT NULL,
  file TEXT NOT NULL DEFAULT '',
  line INTEGER NOT NULL DEFAULT 0,
  col INTEGER NOT NULL DEFAULT 0,
  title TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL
);
CREATE TABLE step_summaries (
  id INTEGER PRIMARY KEY,
  step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
  markdown TEXT NOT NULL
);
)sql"},
    {2, R"sql(
CREATE INDEX runs_by_started ON runs(started_at);
CREATE INDEX runs_by_status ON runs(status);
CREATE INDEX jobs_by_run ON jobs(run_id);
CREATE INDEX annotations_by_run ON annotations(run_id);
CREATE INDEX summaries_by_step ON step_summaries(step_id);
)sql"},
    // Short step logs live in their row (zstd frames, as in a log file) instead of
    // a file each; NULL: the log, if any, is the file at log_ref.
    {3, R"sql(
ALTER TABLE steps ADD COLUMN log_inline BLOB;
)sql"},
};

}  // namespace

int64_t latest_schema_version() {
  return std::size(k_migrations);
}

util::Expected<void> migrate(sql::Database& db, int64_t target) {
  if (target < 0) target = latest_schema_version();
  PW_TRY(current, db.schema_version());
  if (current > latest_schema_version())
    return util::fail(
        fmt::format("the history database has schema version {}, newer than this pipewright "
                    "understands ({})",
                    current, latest_schema_version()),
        {}, "upgrade pipewright, or point it at another data directory or database");
  for (const Migration& migration : k_migrations) {
    if (migration.version > target) break;
    if (migration.version <= current) continue;
    PW_TRY(tx, sql::Transaction::begin(db));
    // Another process may have migrated while we waited for the write lock.
    PW_TRY(now, db.schema_version());
    if (now >= migration.version) {
      current = now;
      continue;
    }
    PW_TRY_VOID(db.exec_schema(migration.sql));
    PW_TRY_VOID(db.set_schema_version(migration.version));
    PW_TRY_VOID(tx.commit());
    current = migration.version;
  }
  return {};
}

}  // namespace pipewright::store
