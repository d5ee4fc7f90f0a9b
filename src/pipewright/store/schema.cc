#include "pipewright/store/schema.h"

#include <fmt/format.h>

namespace pipewright::store {

namespace {

// SQLite cannot drop a table constraint: a migration that changes one rebuilds the
// table (https://www.sqlite.org/lang_altertable.html, "other kinds of table schema
// changes"), with foreign keys off so that dropping the old table cascades nowhere.
enum class ForeignKeys { on, off_while_rebuilding };

struct Migration {
  int64_t version;
  const char* sql;
  ForeignKeys keys = ForeignKeys::on;
  // PostgreSQL's own text where the SQLite text cannot be translated (a table rebuild:
  // PostgreSQL alters constraints in place); nullptr: `sql` for both.
  const char* postgres_sql = nullptr;
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
    // The server (issue 12): runs of several repositories, numbered per repository and
    // workflow file. SQLite cannot change a table constraint, so it rebuilds `runs`
    // (AUTOINCREMENT: a pruned run's id is never handed out again, so a new run never
    // meets the logs or artifacts directory of a deleted one); PostgreSQL alters it in
    // place (its identity never reuses ids).
    {4, R"sql(
CREATE TABLE runs_v4 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repo TEXT NOT NULL DEFAULT '',
  workflow_file TEXT NOT NULL,
  workflow_name TEXT NOT NULL,
  run_number INTEGER NOT NULL,
  run_attempt INTEGER NOT NULL DEFAULT 1,
  event TEXT NOT NULL,
  ref TEXT NOT NULL,
  head_branch TEXT NOT NULL DEFAULT '',
  sha TEXT NOT NULL,
  status TEXT NOT NULL,
  result TEXT,
  waiting_reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER,
  owner_pid INTEGER NOT NULL,
  owner_boot_id TEXT NOT NULL,
  owner_start INTEGER NOT NULL,
  UNIQUE (repo, workflow_file, run_number)
);
INSERT INTO runs_v4 (id, workflow_file, workflow_name, run_number, event, ref, sha, status,
                     result, created_at, started_at, updated_at, finished_at, owner_pid,
                     owner_boot_id, owner_start)
  SELECT id, workflow_file, workflow_name, run_number, event, ref, sha, status, result,
         started_at, started_at, COALESCE(finished_at, started_at), finished_at, owner_pid,
         owner_boot_id, owner_start
  FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v4 RENAME TO runs;
CREATE INDEX runs_by_started ON runs(started_at);
)sql",
     ForeignKeys::off_while_rebuilding, R"sql(
ALTER TABLE runs ADD COLUMN repo TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN run_attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN head_branch TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN waiting_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET created_at = started_at, updated_at = COALESCE(finished_at, started_at);
ALTER TABLE runs DROP CONSTRAINT runs_workflow_file_run_number_key;
ALTER TABLE runs ADD UNIQUE (repo, workflow_file, run_number);
DROP INDEX runs_by_status;
)sql"},
    // Queued runs, attempts, waiting reasons, job outputs; indexes for the filtered,
    // paged run listing and for deleting runs (each deleted job and step looks up its
    // annotations).
    {5, R"sql(
CREATE INDEX runs_by_status ON runs(status, id);
CREATE INDEX runs_by_repo ON runs(repo, id);
CREATE INDEX runs_by_repo_branch ON runs(repo, head_branch, id);
CREATE INDEX runs_by_repo_event ON runs(repo, event, id);
CREATE INDEX runs_by_repo_status ON runs(repo, status, id);
CREATE INDEX runs_by_repo_workflow ON runs(repo, workflow_file, id);
CREATE INDEX runs_by_result ON runs(result, id);
CREATE INDEX runs_by_repo_result ON runs(repo, result, id);
CREATE INDEX annotations_by_job ON annotations(job_id);
CREATE INDEX annotations_by_step ON annotations(step_id);
CREATE TABLE run_attempts (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  result TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  PRIMARY KEY (run_id, attempt)
);
ALTER TABLE jobs ADD COLUMN run_attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN waiting_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN outputs_json TEXT NOT NULL DEFAULT '';
ALTER TABLE annotations ADD COLUMN run_attempt INTEGER NOT NULL DEFAULT 1;
)sql"},
};

// Applies one migration in its own IMMEDIATE transaction; returns the version the
// database is at afterwards.
util::Expected<int64_t> apply(sql::Database& db, const Migration& migration) {
  PW_TRY(tx, sql::Transaction::begin(db));
  // Another process may have migrated while we waited for the write lock.
  PW_TRY(now, db.schema_version());
  if (now >= migration.version) return now;
  bool postgres = db.backend() == sql::Backend::postgres;
  PW_TRY_VOID(
      db.exec_schema(postgres && migration.postgres_sql ? migration.postgres_sql : migration.sql));
  PW_TRY_VOID(db.set_schema_version(migration.version));
  PW_TRY_VOID(tx.commit());
  return migration.version;
}

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
    // The pragma is a no-op inside a transaction, so it goes around it (SQLite only:
    // PostgreSQL alters tables in place).
    bool keys_off =
        migration.keys == ForeignKeys::off_while_rebuilding && db.backend() == sql::Backend::sqlite;
    if (keys_off) PW_TRY_VOID(db.exec("PRAGMA foreign_keys=OFF"));
    auto applied = apply(db, migration);
    if (keys_off) PW_TRY_VOID(db.exec("PRAGMA foreign_keys=ON"));
    PW_TRY(version, std::move(applied));
    current = version;
  }
  return {};
}

}  // namespace pipewright::store
