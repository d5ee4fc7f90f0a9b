#include "pipewright/store/backup.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/store/data_dir.h"
#include "pipewright/store/store.h"

#include "unit/store/store_fixture.h"

namespace pipewright::store {
namespace {

namespace fs = std::filesystem;
using test_support::at_ms;
using test_support::server_run;

// What a run's steps print: step 0 a long log (a file), step 1 three lines (inline).
std::string step_text(RunId run, int step) {
  std::string text;
  int lines = step == 0 ? 3000 : 3;
  for (int i = 0; i < lines; ++i)
    text += "run " + std::to_string(run) + " step " + std::to_string(step) + " line " +
            std::to_string(i) + "\n";
  return text;
}

std::string artifact_bytes(RunId run) {
  return "archive of run " + std::to_string(run) + std::string(5000, 'z');
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Records a run as the engine does: a job with a long (file) and a short (inline) step,
// an artifact written as the artifact store does (staging folder, then rename). With
// `open_log` the run stops mid-way: step 0's log flushed and left open there.
void record_run(Store& store, const NewRun& new_run,
                std::unique_ptr<LogWriter>* open_log = nullptr) {
  auto run = store.begin_run(new_run);
  ASSERT_TRUE(run) << run.error().message;
  auto job = store.add_job(run->id, {"build", "build", ""});
  ASSERT_TRUE(job);
  ASSERT_TRUE(store.start_job(*job, at_ms(1)));
  for (int index = 0; index < 2; ++index) {
    auto step = store.start_step(*job, index, "step", at_ms(2), StepLog::open);
    ASSERT_TRUE(step && step->log);
    std::string text = step_text(run->id, index);
    if (open_log) {
      ASSERT_TRUE(step->log->append(text.substr(0, text.size() / 2)));
      ASSERT_TRUE(step->log->flush());
      *open_log = std::move(step->log);
      return;
    }
    ASSERT_TRUE(step->log->append(text));
    if (index == 0) {
      ASSERT_TRUE(step->log->flush());
    }
    auto closed = step->log->close();
    ASSERT_TRUE(closed);
    ASSERT_TRUE(store.finish_step(step->id, {Result::success, Result::success, at_ms(3), *closed}));
  }
  std::string dir = run_artifacts_dir(store.data_dir(), run->id);
  fs::create_directories(dir + "/.tmp-upload");
  std::ofstream(dir + "/.tmp-upload/artifact.tar.zst") << artifact_bytes(run->id);
  fs::rename(dir + "/.tmp-upload", dir + "/1");
  ASSERT_TRUE(store.finish_job(*job, Result::success, "", at_ms(4)));
  ASSERT_TRUE(store.finish_run(run->id, Result::success, at_ms(5)));
}

class BackupTest : public test_support::StoreFixture {
 protected:
  std::string data() const { return dir(); }
  std::string backup_dir() const {
    return path("../" + fs::path(dir()).filename().string() + "-backup");
  }
  std::string restored() const {
    return path("../" + fs::path(dir()).filename().string() + "-restored");
  }
  void TearDown() override {
    m_open_log.reset();
    StoreFixture::TearDown();
    fs::remove_all(backup_dir());
    fs::remove_all(restored());
  }
  void fill(int runs) {
    for (int i = 0; i < runs; ++i)
      record_run(*m_store, server_run("acme/api"));
  }
  std::unique_ptr<LogWriter> m_open_log;  // a step still running

  BackupOptions options() const {
    BackupOptions o;
    o.data_dir = data();
    o.dest = backup_dir();
    return o;
  }
};

// The brief's test: a backup taken while another connection keeps recording runs
// restores into a fresh data dir where every run and every log reads back.
TEST_F(BackupTest, BackupWhileAWriterAddsRunsRestoresEveryRunAndLog) {
  fill(15);
  record_run(*m_store, server_run("acme/api"), &m_open_log);  // in progress
  std::atomic<bool> stop = false;
  std::atomic<int> written = 0;
  std::thread writer([&] {
    auto store = open_sqlite_store(data());  // its own connection, as another process
    ASSERT_TRUE(store);
    while (!stop) {
      record_run(**store, server_run("acme/web"));
      ++written;
    }
  });
  while (written < 2)
    std::this_thread::yield();
  auto made = backup(options());
  int written_during = written;
  stop = true;
  writer.join();
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_GE(made->runs, 18);
  EXPECT_TRUE(fs::exists(backup_dir() + "/manifest"));
  EXPECT_GT(written_during, 1);

  auto restored_summary = restore(backup_dir(), restored());
  ASSERT_TRUE(restored_summary) << restored_summary.error().message;
  EXPECT_EQ(restored_summary->runs, made->runs);
  auto opened = open_sqlite_store(restored());
  ASSERT_TRUE(opened) << opened.error().message;
  Store& copy = **opened;
  auto page = copy.list_runs({}, 1, 1000);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->total_count, made->runs);
  int interrupted = 0;
  for (const RunRecord& listed : page->runs) {
    auto detail = copy.run_detail(listed.id);
    ASSERT_TRUE(detail && *detail) << listed.id;
    const RunDetail& run = **detail;
    if (run.run.status == Status::interrupted) {
      // In progress when backed up (the one left open, or the writer's run at that
      // moment): each log as far as it had been written.
      ++interrupted;
      ASSERT_LE(run.jobs.size(), 1u);
      for (const JobDetail& job : run.jobs)
        for (const StepRecord& step : job.steps) {
          auto text = copy.step_log_text(step.id);
          ASSERT_TRUE(text) << text.error().message;
          EXPECT_EQ(step_text(run.run.id, step.index).substr(0, text->size()), *text);
          if (run.run.repo == "acme/api") {
            EXPECT_FALSE(text->empty());
          }
        }
      continue;
    }
    ASSERT_EQ(run.jobs.size(), 1u) << listed.id;
    EXPECT_EQ(run.run.status, Status::completed) << listed.id;
    ASSERT_EQ(run.jobs[0].steps.size(), 2u);
    for (int index = 0; index < 2; ++index) {
      auto text = copy.step_log_text(run.jobs[0].steps[index].id);
      ASSERT_TRUE(text) << "run " << listed.id << ": " << text.error().message;
      EXPECT_EQ(*text, step_text(run.run.id, index)) << listed.id;
    }
    EXPECT_EQ(read_all(run_artifacts_dir(restored(), run.run.id) + "/1/artifact.tar.zst"),
              artifact_bytes(run.run.id));
  }
  EXPECT_GE(interrupted, 1);
  EXPECT_LE(interrupted, 2);
  // Runs recorded after the snapshot left no files in the backup.
  for (const auto& entry : fs::directory_iterator(restored() + "/logs")) {
    RunId id = std::stoll(entry.path().filename().string());
    EXPECT_TRUE(*copy.run_detail(id)) << "logs of run " << id << " that the copy does not know";
  }
  // The restored store numbers its next run after the snapshot's runs.
  auto next = copy.begin_run(server_run("acme/api"));
  ASSERT_TRUE(next);
  EXPECT_GT(next->id, page->runs.front().id);
  EXPECT_FALSE(fs::exists(run_logs_dir(restored(), next->id)));
}

// A backup killed midway (SIGKILL after a few files) has no manifest: restore refuses
// it and the data dir stays untouched.
TEST_F(BackupTest, KilledBackupIsRefusedByRestore) {
  fill(5);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    BackupOptions o = options();
    int copied = 0;
    o.on_file_copied = [&](std::string_view) {
      if (++copied == 3) {
        (void)!::write(ready[1], "x", 1);
        for (;;)
          ::pause();
      }
    };
    (void)backup(o);
    ::_exit(0);
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(fs::exists(backup_dir() + "/history.db"));
  EXPECT_FALSE(fs::exists(backup_dir() + "/manifest"));

  auto refused = restore(backup_dir(), restored());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("not a complete pipewright backup"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(fs::exists(restored()));
  // And a new backup into the leftover refuses to mix with it.
  auto again = backup(options());
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("is not empty"), std::string::npos);
}

TEST_F(BackupTest, RestoreRefusesADamagedOrForeignBackup) {
  fill(2);
  ASSERT_TRUE(backup(options()));
  std::string manifest_path = backup_dir() + "/manifest";
  const std::string manifest = read_all(manifest_path);
  auto refused_with = [&](const std::string& text, std::string_view expected) {
    std::ofstream(manifest_path, std::ios::trunc) << text;
    auto result = restore(backup_dir(), restored());
    EXPECT_FALSE(result) << "accepted: " << text;
    if (!result) {
      EXPECT_NE(result.error().message.find(expected), std::string::npos) << result.error().message;
    }
    EXPECT_FALSE(fs::exists(restored()));
  };
  // The file list cut short, a line cut short, an escaping path, a newer format.
  refused_with(manifest.substr(0, manifest.rfind("end ")), "incomplete");
  refused_with(manifest.substr(0, manifest.size() - 3), "cut short");
  std::string escaping = manifest;
  escaping.insert(escaping.find("end "), "file 1 ../outside\n");
  refused_with(escaping, "leaves the backup");
  refused_with("pipewright-backup 99\n", "newer than this pipewright");
  refused_with("something else\n", "not a pipewright backup");
  std::ofstream(manifest_path, std::ios::trunc) << manifest;

  // A file that does not match the manifest.
  std::string log;
  for (const auto& entry : fs::recursive_directory_iterator(backup_dir() + "/logs"))
    if (entry.path().extension() == ".zst") log = entry.path().string();
  ASSERT_FALSE(log.empty());
  std::string original = read_all(log);
  std::ofstream(log, std::ios::trunc) << original.substr(0, original.size() / 2);
  auto truncated = restore(backup_dir(), restored());
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("the manifest says"), std::string::npos);
  std::ofstream(log, std::ios::trunc | std::ios::binary) << original;

  // A data dir that is not empty.
  fs::create_directories(restored());
  std::ofstream(restored() + "/keep") << "mine";
  auto not_empty = restore(backup_dir(), restored());
  ASSERT_FALSE(not_empty);
  EXPECT_NE(not_empty.error().message.find("is not empty"), std::string::npos);
  EXPECT_EQ(read_all(restored() + "/keep"), "mine");
  fs::remove(restored() + "/keep");

  // Into the empty directory it works.
  auto ok = restore(backup_dir(), restored());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->runs, 2);
}

// PostgreSQL: the database is the user's pg_dump; the backup holds every run's files.
TEST_F(BackupTest, PostgresqlBackupsHoldTheFilesOnly) {
  fill(3);
  BackupOptions o = options();
  o.database = BackupDatabase::postgresql;
  auto made = backup(o);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->runs, 3);
  EXPECT_FALSE(fs::exists(backup_dir() + "/history.db"));
  EXPECT_NE(read_all(backup_dir() + "/manifest").find("database postgresql\n"), std::string::npos);
  auto restored_summary = restore(backup_dir(), restored());
  ASSERT_TRUE(restored_summary) << restored_summary.error().message;
  EXPECT_EQ(restored_summary->database, BackupDatabase::postgresql);
  EXPECT_FALSE(fs::exists(restored() + "/history.db"));
  EXPECT_EQ(read_all(run_artifacts_dir(restored(), 1) + "/1/artifact.tar.zst"), artifact_bytes(1));
}

TEST_F(BackupTest, ADataDirWithoutHistoryIsRefused) {
  BackupOptions o = options();
  o.data_dir = path("nowhere");
  auto refused = backup(o);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no data directory"), std::string::npos);
  fs::create_directories(path("empty-data"));
  o.data_dir = path("empty-data");
  refused = backup(o);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no history database"), std::string::npos);
  EXPECT_FALSE(fs::exists(backup_dir() + "/manifest"));
}

}  // namespace
}  // namespace pipewright::store
