#include "pipewright/store/schema.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "pipewright/store/data_dir.h"
#include "pipewright/store/log.h"
#include "pipewright/store/sql.h"
#include "pipewright/store/store.h"

#include "unit/store/backends.h"

namespace pipewright::store {
namespace {

class SchemaTest : public test_support::BackendTest {};
INSTANTIATE_BACKENDS(SchemaTest);
using SqliteSchemaTest = test_support::TempDirTest;

std::vector<std::string> table_names(sql::Database& db) {
  auto names = db.table_names();
  EXPECT_TRUE(names) << names.error().message;
  return names ? *names : std::vector<std::string>{};
}

int64_t version_of(sql::Database& db) {
  auto version = db.schema_version();
  EXPECT_TRUE(version) << version.error().message;
  return version ? *version : -1;
}

bool has_index(sql::Database& db, const std::string& name) {
  auto query = db.prepare(db.backend() == sql::Backend::sqlite
                              ? "SELECT count(*) FROM sqlite_master WHERE name = ?"
                              : "SELECT count(*) FROM pg_indexes WHERE indexname = ?");
  EXPECT_TRUE(query);
  if (!query) return false;
  query->bind(name);
  return *query->step() && query->integer(0) == 1;
}

TEST_P(SchemaTest, FreshDatabaseMigratesFromVersionZero) {
  auto db = connect();
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(version_of(*db), 0);
  EXPECT_TRUE(table_names(*db).empty());
  ASSERT_TRUE(migrate(*db));
  EXPECT_EQ(version_of(*db), latest_schema_version());
  EXPECT_GE(latest_schema_version(), 2);
  EXPECT_EQ(table_names(*db), (std::vector<std::string>{"annotations", "jobs", "run_attempts",
                                                        "runs", "step_summaries", "steps"}));
  // Migrating again is a no-op.
  ASSERT_TRUE(migrate(*db));
  EXPECT_EQ(version_of(*db), latest_schema_version());
}

TEST_P(SchemaTest, OldDatabaseKeepsItsRunsWhenMigrated) {
  {
    auto db = connect();
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 1));
    EXPECT_EQ(version_of(*db), 1);
    ASSERT_TRUE(db->exec(
        "INSERT INTO runs (workflow_file, workflow_name, run_number, event, ref, sha, status, "
        "result, started_at, finished_at, owner_pid, owner_boot_id, owner_start) VALUES "
        "('ci.yml', 'CI', 7, 'push', 'refs/heads/main', 'abc', 'completed', 'success', 1000, "
        "2000, 1, 'boot', 0)"));
    EXPECT_FALSE(has_index(*db, "runs_by_started"));
  }
  auto store = open_store(database(), dir());
  ASSERT_TRUE(store) << store.error().message;
  auto runs = (*store)->recent_runs(10);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].run_number, 7);
  EXPECT_EQ((*runs)[0].result, Result::success);
  EXPECT_EQ(*(*store)->next_run_number("ci.yml"), 8);

  auto db = connect();
  ASSERT_TRUE(db);
  EXPECT_EQ(version_of(*db), latest_schema_version());
  EXPECT_TRUE(has_index(*db, "runs_by_started"));
}

// Steps recorded before logs could be inline (schema 2) keep reading from their files.
TEST_P(SchemaTest, StepLogsOfAVersion2DatabaseStayReadable) {
  ASSERT_TRUE(prepare_data_dir(dir()));
  {
    auto db = connect();
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 2));
    ASSERT_TRUE(
        db->exec("INSERT INTO runs (id, workflow_file, workflow_name, run_number, event, ref, sha, "
                 "status, result, started_at, finished_at, owner_pid, owner_boot_id, owner_start) "
                 "VALUES (1, 'ci.yml', 'CI', 1, 'push', 'r', 's', 'completed', 'success', 1, 2, 1, "
                 "'boot', 0);"
                 "INSERT INTO jobs (id, run_id, job_id, name, status) VALUES (1, 1, 'a', 'a', "
                 "'completed');"
                 "INSERT INTO steps (id, job_id, idx, name, outcome, conclusion, started_at, "
                 "finished_at, log_ref, log_bytes, log_lines) VALUES (1, 1, 0, 'old', 'success', "
                 "'success', 1, 2, 'logs/1/1/0.log.zst', 11, 2)"));
  }
  std::filesystem::create_directories(path("logs/1/1"));
  {
    auto writer = LogWriter::create(path("logs/1/1/0.log.zst"));
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->append("old\nsteps\n"));
    ASSERT_TRUE((*writer)->flush());  // a file, as every log was then
    ASSERT_TRUE((*writer)->close());
  }
  auto store = open_store(database(), dir());
  ASSERT_TRUE(store) << store.error().message;
  auto detail = (*store)->run_detail(1);
  ASSERT_TRUE(detail && *detail);
  EXPECT_EQ((*detail)->jobs[0].steps[0].log_ref, "logs/1/1/0.log.zst");
  EXPECT_EQ((*detail)->jobs[0].steps[0].log.lines, 2);
  EXPECT_EQ(*(*store)->step_log_text(1), "old\nsteps\n");
  EXPECT_EQ(*(*store)->step_log_text(1, {1, 1}), "steps\n");
  auto db = connect();
  ASSERT_TRUE(db);
  auto column = db->prepare("SELECT log_inline IS NULL FROM steps WHERE id = 1");
  ASSERT_TRUE(column && *column->step());
  EXPECT_EQ(column->integer(0), 1);
}

// Rows a migration copies keep their ids; new rows get ids past the largest, on both
// backends (PostgreSQL's identity sequence is moved past them).
TEST_P(SchemaTest, NewRowsAfterAMigrationGetIdsPastTheCopiedOnes) {
  {
    auto db = connect();
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 1));
    ASSERT_TRUE(
        db->exec("INSERT INTO runs (id, workflow_file, workflow_name, run_number, event, ref, sha, "
                 "status, started_at, owner_pid, owner_boot_id, owner_start) VALUES (41, "
                 "'ci.yml', 'CI', 1, 'push', 'r', 's', 'completed', 1, 1, 'boot', 0)"));
  }
  auto store = open_store(database(), dir());  // migrates the rest
  ASSERT_TRUE(store) << store.error().message;
  auto run = (*store)->begin_run({"ci.yml", "CI", "push", "r", "s", TimePoint()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->id, 42);
  EXPECT_EQ(run->run_number, 2);
}

TEST_P(SchemaTest, NewerDatabaseIsRefused) {
  {
    auto db = connect();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->set_schema_version(999));
  }
  auto store = open_store(database(), dir());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("schema version 999"), std::string::npos);
}

TEST_F(SqliteSchemaTest, DatabaseIsInWalMode) {
  auto store = open_sqlite_store(dir());
  ASSERT_TRUE(store);
  auto db = sql::Database::open(path("history.db"), 1000);
  ASSERT_TRUE(db);
  auto mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode && *mode->step());
  EXPECT_EQ(mode->text(0), "wal");
}

TEST_F(SqliteSchemaTest, DataDirCarriesALayoutVersion) {
  std::string data = path("data/nested");
  auto store = open_sqlite_store(data);
  ASSERT_TRUE(store) << store.error().message;
  std::ifstream file(data + "/layout-version");
  std::string content((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(content, std::to_string(k_layout_version) + "\n");
  store->reset();
  {
    std::ofstream newer(data + "/layout-version");
    newer << (k_layout_version + 1) << "\n";
  }
  auto refused = open_sqlite_store(data);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("layout version"), std::string::npos);
  {
    std::ofstream junk(data + "/layout-version");
    junk << "banana\n";
  }
  EXPECT_FALSE(open_sqlite_store(data));
}

TEST(DataDir, FollowsXdgDataHome) {
  std::string saved_xdg = std::getenv("XDG_DATA_HOME") ? std::getenv("XDG_DATA_HOME") : "";
  bool had_xdg = std::getenv("XDG_DATA_HOME") != nullptr;
  std::string saved_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  ::setenv("XDG_DATA_HOME", "/xdg/data", 1);
  EXPECT_EQ(*default_data_dir(), "/xdg/data/pipewright");
  ::setenv("XDG_DATA_HOME", "relative/ignored", 1);  // the XDG spec: only absolute paths
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(*default_data_dir(), "/home/someone/.local/share/pipewright");
  ::unsetenv("XDG_DATA_HOME");
  EXPECT_EQ(*default_data_dir(), "/home/someone/.local/share/pipewright");
  if (had_xdg) ::setenv("XDG_DATA_HOME", saved_xdg.c_str(), 1);
  ::setenv("HOME", saved_home.c_str(), 1);
}

TEST(Records, NamesRoundTrip) {
  for (Result result : {Result::success, Result::failure, Result::cancelled, Result::skipped})
    EXPECT_EQ(parse_result(to_string(result)), result);
  for (Status status : {Status::queued, Status::running, Status::completed, Status::interrupted})
    EXPECT_EQ(parse_status(to_string(status)), status);
  EXPECT_EQ(to_string(Status::interrupted), "interrupted");
  EXPECT_EQ(parse_severity("warning"), Severity::warning);
  EXPECT_FALSE(parse_result("succeeded"));
}

// SQLite only: the rebuild and its foreign-key switch (PostgreSQL alters in place).

// Version 4 rebuilds the runs table (a new UNIQUE): a version-3 database keeps its runs,
// jobs, steps and logs, its foreign keys still cascade, and its runs read as attempt 1 of
// the repository ''.
TEST_F(SqliteSchemaTest, Version3RunsKeepTheirJobsThroughTheRunsTableRebuild) {
  ASSERT_TRUE(prepare_data_dir(dir()));
  {
    auto db = sql::Database::open(path("history.db"), 1000);
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 3));
    ASSERT_TRUE(
        db->exec("INSERT INTO runs (id, workflow_file, workflow_name, run_number, event, ref, sha, "
                 "status, result, started_at, finished_at, owner_pid, owner_boot_id, owner_start) "
                 "VALUES (5, 'ci.yml', 'CI', 3, 'push', 'r', 's', 'completed', 'failure', 1000, "
                 "2000, 1, 'boot', 0);"
                 "INSERT INTO jobs (id, run_id, job_id, name, status, result) VALUES (9, 5, 'a', "
                 "'a', 'completed', 'failure');"
                 "INSERT INTO steps (id, job_id, idx, name, outcome, conclusion, started_at, "
                 "finished_at) VALUES (4, 9, 0, 'build', 'failure', 'failure', 1000, 2000);"
                 "INSERT INTO annotations (run_id, job_id, severity, message) VALUES (5, 9, "
                 "'error', 'broke')"));
  }
  auto store = open_sqlite_store(dir());
  ASSERT_TRUE(store) << store.error().message;
  auto detail = (*store)->run_detail(5);
  ASSERT_TRUE(detail && *detail) << (detail ? "no run" : detail.error().message);
  const RunDetail& run = **detail;
  EXPECT_EQ(run.run.run_number, 3);
  EXPECT_EQ(run.run.repo, "");
  EXPECT_EQ(run.run.run_attempt, 1);
  EXPECT_EQ(run.run.created_at, TimePoint(std::chrono::milliseconds(1000)));
  EXPECT_EQ(run.run.updated_at, TimePoint(std::chrono::milliseconds(2000)));
  ASSERT_EQ(run.jobs.size(), 1u);
  EXPECT_EQ(run.jobs[0].job.result, Result::failure);
  EXPECT_EQ(run.jobs[0].job.run_attempt, 1);
  ASSERT_EQ(run.jobs[0].steps.size(), 1u);
  EXPECT_EQ(run.annotations.size(), 1u);
  EXPECT_EQ(*(*store)->next_run_number("ci.yml"), 4);

  auto db = sql::Database::open(path("history.db"), 1000);
  ASSERT_TRUE(db);
  EXPECT_EQ(*db->pragma_integer("foreign_keys"), 1);
  ASSERT_TRUE(db->exec("DELETE FROM runs WHERE id = 5"));
  auto left = db->prepare("SELECT (SELECT COUNT(*) FROM jobs) + (SELECT COUNT(*) FROM steps)");
  ASSERT_TRUE(left && *left->step());
  EXPECT_EQ(left->integer(0), 0);
  auto broken = db->prepare("PRAGMA foreign_key_check");
  ASSERT_TRUE(broken);
  EXPECT_FALSE(*broken->step());
}

}  // namespace
}  // namespace pipewright::store
