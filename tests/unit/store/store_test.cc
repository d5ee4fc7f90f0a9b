#include "pipewright/store/store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/store/data_dir.h"
#include "pipewright/store/sql.h"

#include "unit/store/backends.h"

namespace pipewright::store {
namespace {

class StoreTest : public test_support::BackendTest {};
INSTANTIATE_BACKENDS(StoreTest);
using namespace std::chrono_literals;

std::string job_line(int job, int step, int line) {
  return "job " + std::to_string(job) + " step " + std::to_string(step) + " line " +
         std::to_string(line) + "\n";
}

TimePoint at(int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}

NewRun push_run(std::string workflow_file, int64_t started_ms = 1000) {
  return NewRun{std::move(workflow_file), "CI",       "push",
                "refs/heads/main",        "0123abcd", at(started_ms)};
}

TEST_P(StoreTest, RecordsARunEndToEndAndReadsItBack) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->last_run(), std::nullopt);

  auto run = store->begin_run(push_run(".github/workflows/ci.yml"));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->run_number, 1);
  EXPECT_EQ(run->status, Status::running);
  EXPECT_EQ(run->owner_pid, ::getpid());

  auto build = store->add_job(run->id, {"build", "build", ""});
  auto test = store->add_job(run->id, {"test", "test (3.11)", R"({"python":"3.11"})"});
  auto deploy = store->add_job(run->id, {"deploy", "deploy", ""});
  ASSERT_TRUE(build && test && deploy);
  ASSERT_TRUE(store->start_job(*build, at(1100)));

  auto checkout_start = store->start_step(*build, 0, "Checkout", at(1200), StepLog::open);
  ASSERT_TRUE(checkout_start) << checkout_start.error().message;
  ASSERT_TRUE(checkout_start->log);
  EXPECT_FALSE(checkout_start->log_error);
  StepId checkout = checkout_start->id;
  LogWriter& log = *checkout_start->log;
  ASSERT_TRUE(log.append("cloning\n"));
  ASSERT_TRUE(log.append("done\n"));
  auto stats = log.close();
  ASSERT_TRUE(stats);
  ASSERT_TRUE(store->finish_step(checkout, {Result::success, Result::success, at(1300), *stats}));

  auto compile_start = store->start_step(*build, 1, "Compile", at(1300), StepLog::open);
  ASSERT_TRUE(compile_start && compile_start->log);
  StepId compile = compile_start->id;
  ASSERT_TRUE(compile_start->log->append("main.c:3: error: oops\n"));
  auto compile_stats = compile_start->log->close();
  ASSERT_TRUE(
      store->finish_step(compile, {Result::failure, Result::success, at(1400), *compile_stats}));
  ASSERT_TRUE(store->add_step_summary(compile, "## Build\n1 warning\n"));
  ASSERT_TRUE(store->add_annotation(
      run->id, {Severity::error, "main.c", 3, 5, "Compile", "oops", *build, compile}));
  ASSERT_TRUE(store->add_annotation(run->id, {Severity::warning, "", 0, 0, "", "general", {}, {}}));
  ASSERT_TRUE(store->finish_job(*build, Result::success, "", at(1500)));
  ASSERT_TRUE(store->finish_job(*test, Result::cancelled, "the run was cancelled", at(1500)));
  ASSERT_TRUE(store->finish_job(*deploy, Result::skipped, "needs 'test' was cancelled", at(1500)));
  ASSERT_TRUE(store->finish_run(run->id, Result::failure, at(1600)));

  // Read back through a second connection, as `pipewright history` would.
  auto reader = open_test_store();
  ASSERT_TRUE(reader);
  EXPECT_EQ(*reader->last_run(), run->id);
  auto detail = reader->run_detail(run->id);
  ASSERT_TRUE(detail && *detail);
  const RunDetail& d = **detail;
  EXPECT_EQ(d.run.workflow_file, ".github/workflows/ci.yml");
  EXPECT_EQ(d.run.workflow_name, "CI");
  EXPECT_EQ(d.run.event, "push");
  EXPECT_EQ(d.run.ref, "refs/heads/main");
  EXPECT_EQ(d.run.sha, "0123abcd");
  EXPECT_EQ(d.run.status, Status::completed);
  EXPECT_EQ(d.run.result, Result::failure);
  EXPECT_EQ(d.run.started_at, at(1000));
  EXPECT_EQ(d.run.finished_at, at(1600));
  ASSERT_EQ(d.jobs.size(), 3u);
  EXPECT_EQ(d.jobs[0].job.job_id, "build");
  EXPECT_EQ(d.jobs[0].job.started_at, at(1100));
  EXPECT_EQ(d.jobs[0].job.result, Result::success);
  EXPECT_EQ(d.jobs[1].job.name, "test (3.11)");
  EXPECT_EQ(d.jobs[1].job.matrix_json, R"({"python":"3.11"})");
  EXPECT_EQ(d.jobs[1].job.result, Result::cancelled);
  EXPECT_EQ(d.jobs[2].job.result, Result::skipped);
  EXPECT_EQ(d.jobs[2].job.reason, "needs 'test' was cancelled");
  EXPECT_EQ(d.jobs[2].job.started_at, std::nullopt);
  ASSERT_EQ(d.jobs[0].steps.size(), 2u);
  const StepRecord& step = d.jobs[0].steps[1];
  EXPECT_EQ(step.name, "Compile");
  EXPECT_EQ(step.index, 1);
  EXPECT_EQ(step.outcome, Result::failure);
  EXPECT_EQ(step.conclusion, Result::success);
  EXPECT_EQ(step.finished_at, at(1400));
  EXPECT_EQ(step.log.bytes, 22);
  EXPECT_EQ(step.log.lines, 1);
  EXPECT_EQ(step.log_ref,
            "logs/" + std::to_string(run->id) + "/" + std::to_string(*build) + "/1.log.zst");
  EXPECT_FALSE(std::filesystem::exists(dir() + "/" + step.log_ref));  // short: stored inline
  EXPECT_TRUE(d.jobs[1].steps.empty());
  ASSERT_EQ(d.annotations.size(), 2u);
  EXPECT_EQ(d.annotations[0].file, "main.c");
  EXPECT_EQ(d.annotations[0].line, 3);
  EXPECT_EQ(d.annotations[0].column, 5);
  EXPECT_EQ(d.annotations[0].step, compile);
  EXPECT_EQ(d.annotations[1].severity, Severity::warning);
  EXPECT_EQ(d.annotations[1].job, std::nullopt);
  ASSERT_EQ(d.summaries.size(), 1u);
  EXPECT_EQ(d.summaries[0].step, compile);
  EXPECT_EQ(d.summaries[0].markdown, "## Build\n1 warning\n");

  EXPECT_EQ(*reader->step_log_text(checkout), "cloning\ndone\n");
  EXPECT_EQ(*reader->step_log_text(checkout, {1, 1}), "done\n");
  EXPECT_EQ(*reader->step_log_text(compile), "main.c:3: error: oops\n");
  EXPECT_FALSE(reader->step_log_text(9999));
  EXPECT_EQ(*reader->run_detail(9999), std::nullopt);
}

TEST_P(StoreTest, UpdatesOfUnknownRowsFail) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->finish_run(42, Result::success, at(1)));
  EXPECT_FALSE(store->start_job(42, at(1)));
  EXPECT_FALSE(store->add_job(42, {"a", "a", ""}));  // foreign key
  EXPECT_FALSE(store->start_step(42, 0, "orphan", at(1), StepLog::open));
  EXPECT_FALSE(store->start_step(42, 0, "orphan", at(1), StepLog::none));  // foreign key
  EXPECT_FALSE(store->finish_step(42, {Result::success, Result::success, at(1), {}}));
}

TEST_P(StoreTest, ATakenStepIndexFailsAndLeavesTheFirstStepsLogAlone) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  auto run = store->begin_run(push_run("ci.yml"));
  auto job = store->add_job(run->id, {"a", "a", ""});
  ASSERT_TRUE(run && job);
  auto first = store->start_step(*job, 0, "one", at(1), StepLog::open);
  ASSERT_TRUE(first && first->log);
  ASSERT_TRUE(first->log->append("first\n"));
  EXPECT_FALSE(store->start_step(*job, 0, "again", at(2), StepLog::open));
  EXPECT_FALSE(store->start_step(*job, 0, "again", at(2), StepLog::none));
  auto closed = first->log->close();
  ASSERT_TRUE(closed);
  ASSERT_TRUE(store->finish_step(first->id, {Result::success, Result::success, at(3), *closed}));
  EXPECT_EQ(*store->step_log_text(first->id), "first\n");
  auto detail = store->run_detail(run->id);
  ASSERT_TRUE(detail && *detail);
  ASSERT_EQ((*detail)->jobs[0].steps.size(), 1u);
  EXPECT_EQ((*detail)->jobs[0].steps[0].name, "one");
}

TEST_P(StoreTest, AStepWithoutALogHasNoFile) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  auto run = store->begin_run(push_run("ci.yml"));
  auto job = store->add_job(run->id, {"a", "a", ""});
  ASSERT_TRUE(run && job);
  auto quiet = store->start_step(*job, 0, "quiet", at(3), StepLog::none);
  ASSERT_TRUE(quiet);
  EXPECT_FALSE(quiet->log);
  EXPECT_FALSE(quiet->log_error);
  ASSERT_TRUE(store->finish_step(quiet->id, {Result::skipped, Result::skipped, at(4), {}}));
  auto text = store->step_log_text(quiet->id);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("has no log"), std::string::npos);
  auto detail = store->run_detail(run->id);
  ASSERT_TRUE(detail && *detail);
  EXPECT_EQ((*detail)->jobs[0].steps[0].log_ref, "");
  EXPECT_FALSE(std::filesystem::exists(dir() + "/logs/" + std::to_string(run->id)));
}

// The log cannot be created (its job's directory is a file): the step is still
// recorded, without a log, and the reason comes back.
TEST_P(StoreTest, ALogThatCannotBeCreatedStillRecordsTheStep) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  auto run = store->begin_run(push_run("ci.yml"));
  auto job = store->add_job(run->id, {"a", "a", ""});
  ASSERT_TRUE(run && job);
  std::string run_dir = dir() + "/logs/" + std::to_string(run->id);
  std::filesystem::create_directories(run_dir);
  std::FILE* blocker = std::fopen((run_dir + "/" + std::to_string(*job)).c_str(), "w");
  ASSERT_TRUE(blocker);
  std::fclose(blocker);

  // The file comes at the first flush: that is where the failure shows.
  auto start = store->start_step(*job, 0, "build", at(1), StepLog::open);
  ASSERT_TRUE(start) << start.error().message;
  ASSERT_TRUE(start->log);
  ASSERT_TRUE(start->log->append("output\n"));
  auto flushed = start->log->flush();
  ASSERT_FALSE(flushed);
  EXPECT_NE(flushed.error().message.find("cannot create"), std::string::npos)
      << flushed.error().message;
  StepEnd end;
  end.outcome = end.conclusion = Result::success;
  end.finished_at = at(2);
  ASSERT_TRUE(store->finish_step(start->id, end));
  auto detail = store->run_detail(run->id);
  ASSERT_TRUE(detail && *detail);
  ASSERT_EQ((*detail)->jobs.size(), 1u);
  ASSERT_EQ((*detail)->jobs[0].steps.size(), 1u);
  EXPECT_EQ((*detail)->jobs[0].steps[0].name, "build");
}

// A job added by another store (another process) is found in the database.
TEST_P(StoreTest, StepsOfAJobAddedByAnotherStoreGetTheirLogUnderItsRun) {
  auto adder = open_test_store();
  auto recorder = open_test_store();
  ASSERT_TRUE(adder && recorder);
  (void)adder->begin_run(push_run("other.yml"));  // run ids and job ids differ
  auto run = adder->begin_run(push_run("ci.yml"));
  auto job = adder->add_job(run->id, {"a", "a", ""});
  ASSERT_TRUE(run && job);
  auto start = recorder->start_step(*job, 2, "test", at(1), StepLog::open);
  ASSERT_TRUE(start && start->log) << (start ? start->log_error->message : start.error().message);
  ASSERT_TRUE(start->log->append("ok\n"));
  ASSERT_TRUE(start->log->flush());  // creates the file
  ASSERT_TRUE(start->log->close());
  EXPECT_TRUE(std::filesystem::exists(dir() + "/logs/" + std::to_string(run->id) + "/" +
                                      std::to_string(*job) + "/2.log.zst"));
  EXPECT_EQ(*adder->step_log_text(start->id), "ok\n");
}

// The regular files under the data dir's logs/ (directories do not count).
std::vector<std::string> log_files(const std::string& data_dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(data_dir + "/logs", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file()) files.push_back(it->path().string());
  return files;
}

std::string numbered_lines(int count, std::string_view prefix = "line ") {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += std::string(prefix) + std::to_string(i) + "\n";
  return text;
}

// A started step with its log; fails the test (and has no log) when it cannot be made.
struct OpenedStep {
  RunId run = 0;
  StepId id = 0;
  std::unique_ptr<LogWriter> log;
};

OpenedStep open_step(Store& store) {
  OpenedStep opened;
  auto run = store.begin_run(push_run("ci.yml"));
  EXPECT_TRUE(run);
  if (!run) return opened;
  auto job = store.add_job(run->id, {"a", "a", ""});
  EXPECT_TRUE(job);
  if (!job) return opened;
  auto start = store.start_step(*job, 0, "step", at(1), StepLog::open);
  EXPECT_TRUE(start && start->log);
  if (!start || !start->log) return opened;
  return OpenedStep{run->id, start->id, std::move(start->log)};
}

// What a forked recorder reported before it died by SIGKILL.
struct KilledRecorder {
  RunId run = 0;
  StepId step = 0;
  bool reported = false;  // the child got as far as reporting the ids
  int status = 0;         // from waitpid
};

// Forks a child that records through its own store: `setup` returns the run and step
// it recorded (nullopt: the child exits), the ids go to the parent, then `after_report`
// runs and the child dies by SIGKILL — raised by itself, or sent by the parent `grace`
// after the report, whichever comes first.
KilledRecorder record_then_kill(const std::function<std::optional<OpenedStep>()>& setup,
                                const std::function<void()>& after_report,
                                std::chrono::milliseconds grace) {
  int report[2];
  KilledRecorder killed;
  if (::pipe(report) != 0) return killed;
  pid_t child = ::fork();
  if (child < 0) return killed;
  if (child == 0) {
    ::close(report[0]);
    std::optional<OpenedStep> step = setup();
    if (!step) ::_exit(3);
    int64_t ids[2] = {step->run, step->id};
    if (::write(report[1], ids, sizeof ids) != sizeof ids) ::_exit(4);
    after_report();
    ::raise(SIGKILL);
    ::_exit(5);
  }
  ::close(report[1]);
  int64_t ids[2] = {0, 0};
  killed.reported = ::read(report[0], ids, sizeof ids) == static_cast<ssize_t>(sizeof ids);
  std::this_thread::sleep_for(grace);
  ::kill(child, SIGKILL);
  ::waitpid(child, &killed.status, 0);
  ::close(report[0]);
  killed.run = ids[0];
  killed.step = ids[1];
  return killed;
}

TEST_P(StoreTest, ShortLogIsStoredInlineWithoutAFile) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  OpenedStep step = open_step(*store);
  ASSERT_TRUE(step.log);
  std::string text = numbered_lines(50);
  ASSERT_TRUE(step.log->append(text));
  auto closed = step.log->close();
  ASSERT_TRUE(closed && closed->inline_zstd);
  ASSERT_TRUE(store->finish_step(step.id, {Result::success, Result::success, at(2), *closed}));
  EXPECT_EQ(log_files(dir()), std::vector<std::string>{});

  auto reader = open_test_store();  // as `pipewright logs` would
  ASSERT_TRUE(reader);
  auto detail = reader->run_detail(step.run);
  ASSERT_TRUE(detail && *detail);
  const StepRecord& record = (*detail)->jobs[0].steps[0];
  EXPECT_NE(record.log_ref, "");  // tools still see that the step has a log
  EXPECT_EQ(record.log.bytes, static_cast<int64_t>(text.size()));
  EXPECT_EQ(record.log.lines, 50);
  EXPECT_EQ(*reader->step_log_text(step.id), text);
  EXPECT_EQ(*reader->step_log_text(step.id, {10, 2}), "line 10\nline 11\n");
  EXPECT_EQ(*reader->step_log_text(step.id, {48, -1}), "line 48\nline 49\n");
  EXPECT_EQ(*reader->step_log_text(step.id, {60, 5}), "");
}

TEST_P(StoreTest, EmptyLogIsStoredInlineAndReadsAsEmpty) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  OpenedStep step = open_step(*store);
  ASSERT_TRUE(step.log);
  auto closed = step.log->close();
  ASSERT_TRUE(closed && closed->inline_zstd);
  ASSERT_TRUE(store->finish_step(step.id, {Result::success, Result::success, at(2), *closed}));
  auto text = store->step_log_text(step.id);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "");
  EXPECT_EQ(log_files(dir()), std::vector<std::string>{});
}

// A flush (here explicit; the store's flusher does it after 200 ms of quiet) makes
// the log a file, readable while the step runs and after it ends.
TEST_P(StoreTest, FlushedLogIsAFileAndReadsBack) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  OpenedStep step = open_step(*store);
  ASSERT_TRUE(step.log);
  ASSERT_TRUE(step.log->append(numbered_lines(3)));
  ASSERT_TRUE(step.log->flush());
  EXPECT_EQ(log_files(dir()).size(), 1u);
  auto reader = open_test_store();
  ASSERT_TRUE(reader);
  EXPECT_EQ(*reader->step_log_text(step.id), numbered_lines(3));  // still running
  ASSERT_TRUE(step.log->append("line 3\n"));
  auto closed = step.log->close();
  ASSERT_TRUE(closed);
  EXPECT_FALSE(closed->inline_zstd);
  ASSERT_TRUE(store->finish_step(step.id, {Result::success, Result::success, at(2), *closed}));
  EXPECT_EQ(*reader->step_log_text(step.id), numbered_lines(4));
  EXPECT_EQ(*reader->step_log_text(step.id, {2, 1}), "line 2\n");
}

TEST_P(StoreTest, LargeLogSpillsToAFile) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  OpenedStep step = open_step(*store);
  ASSERT_TRUE(step.log);
  std::string text = numbered_lines(40000, "a longer line of build output, number ");
  ASSERT_TRUE(step.log->append(text));
  auto closed = step.log->close();
  ASSERT_TRUE(closed);
  EXPECT_FALSE(closed->inline_zstd);
  ASSERT_TRUE(store->finish_step(step.id, {Result::success, Result::success, at(2), *closed}));
  auto files = log_files(dir());
  EXPECT_EQ(std::count_if(files.begin(), files.end(),
                          [](const std::string& f) { return f.ends_with(".log.zst"); }),
            1);  // and its index: 1.7 MB is two frames
  auto back = store->step_log_text(step.id);
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == text);
  EXPECT_EQ(*store->step_log_text(step.id, {39999, 1}),
            "a longer line of build output, number 39999\n");
}

// A running step whose log has not been flushed yet has no file: nothing to show.
TEST_P(StoreTest, RunningStepWithoutAFileYetReadsAsEmpty) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  OpenedStep step = open_step(*store);
  ASSERT_TRUE(step.log);
  auto reader = open_test_store();
  ASSERT_TRUE(reader);
  auto text = reader->step_log_text(step.id);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "");
}

// A finished step with output whose file has gone (deleted by hand) is an error, not
// a silently empty log.
TEST_P(StoreTest, MissingFileOfAFinishedStepIsAnError) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  OpenedStep step = open_step(*store);
  ASSERT_TRUE(step.log);
  ASSERT_TRUE(step.log->append("kept\n"));
  ASSERT_TRUE(step.log->flush());
  auto closed = step.log->close();
  ASSERT_TRUE(closed);
  ASSERT_TRUE(store->finish_step(step.id, {Result::success, Result::success, at(2), *closed}));
  auto files = log_files(dir());
  ASSERT_EQ(files.size(), 1u);
  std::filesystem::remove(files[0]);
  auto text = store->step_log_text(step.id);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("cannot read log"), std::string::npos);
}

// The engine dies before the step's first flush: its output was only in memory, so the
// step reads as empty (not an error). The store's flusher may have run first; then
// the log is a prefix of what was appended.
TEST_P(StoreTest, StepKilledBeforeItsFirstFlushReadsAsEmpty) {
  std::unique_ptr<Store> child_store;  // lives in the child only
  KilledRecorder killed = record_then_kill(
      [&]() -> std::optional<OpenedStep> {
        auto store = open_store(database(), dir());
        if (!store) return std::nullopt;
        child_store = std::move(*store);
        OpenedStep step = open_step(*child_store);
        if (!step.log || !step.log->append(numbered_lines(100))) return std::nullopt;
        return step;
      },
      [] {}, std::chrono::milliseconds(0));
  ASSERT_TRUE(killed.reported);
  ASSERT_TRUE(WIFSIGNALED(killed.status) && WTERMSIG(killed.status) == SIGKILL)
      << "child status " << killed.status;

  auto store = open_test_store();
  ASSERT_TRUE(store);
  EXPECT_EQ((*store->run_detail(killed.run))->run.status, Status::interrupted);
  auto text = store->step_log_text(killed.step);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_TRUE(numbered_lines(100).starts_with(*text)) << *text;
  if (log_files(dir()).empty()) {
    EXPECT_EQ(*text, "");
  }
}

TEST_P(StoreTest, RunNumbersCountPerWorkflow) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->next_run_number("ci.yml"), 1);
  std::vector<int64_t> ci, deploy;
  for (int i = 0; i < 3; ++i) {
    ci.push_back(store->begin_run(push_run("ci.yml", 1000 + i))->run_number);
    if (i < 2) deploy.push_back(store->begin_run(push_run("deploy.yml", 2000 + i))->run_number);
  }
  EXPECT_EQ(ci, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(deploy, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(*store->next_run_number("ci.yml"), 4);
  EXPECT_EQ(*store->next_run_number("deploy.yml"), 3);
  EXPECT_EQ(*store->next_run_number("other.yml"), 1);

  auto recent = store->recent_runs(3);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 3u);
  EXPECT_EQ((*recent)[0].workflow_file, "ci.yml");  // newest first
  EXPECT_EQ((*recent)[0].run_number, 3);
  EXPECT_EQ((*recent)[1].workflow_file, "deploy.yml");
  EXPECT_EQ((*recent)[1].run_number, 2);
  EXPECT_EQ(*store->last_run(), (*recent)[0].id);
}

// A child records a run and streams a step log, then dies by SIGKILL. The next open
// marks the run interrupted; the log is intact up to the child's last flush.
TEST_P(StoreTest, RunOfAKilledProcessIsInterruptedWithItsLogIntact) {
  std::unique_ptr<Store> child_store;  // lives in the child only
  std::unique_ptr<LogWriter> log;
  KilledRecorder killed = record_then_kill(
      [&]() -> std::optional<OpenedStep> {
        auto store = open_store(database(), dir());
        if (!store) return std::nullopt;
        child_store = std::move(*store);
        auto run = child_store->begin_run(push_run("ci.yml"));
        auto job = child_store->add_job(run->id, {"build", "build", ""});
        if (!job || !child_store->start_job(*job, at(1100))) return std::nullopt;
        auto step = child_store->start_step(*job, 0, "Long", at(1200), StepLog::open);
        if (!step || !step->log) return std::nullopt;
        log = std::move(step->log);
        for (int i = 0; i < 100; ++i)
          (void)log->append("line " + std::to_string(i) + "\n");
        if (!log->flush()) return std::nullopt;
        return OpenedStep{run->id, step->id, nullptr};
      },
      [&] {
        for (int i = 100;; ++i) {
          (void)log->append("line " + std::to_string(i) + "\n");
          if (i % 1000 == 0) ::usleep(1000);
        }
      },
      std::chrono::milliseconds(50));
  ASSERT_TRUE(killed.reported);

  auto store = open_test_store();
  ASSERT_TRUE(store);
  auto detail = store->run_detail(killed.run);
  ASSERT_TRUE(detail && *detail);
  EXPECT_EQ((*detail)->run.status, Status::interrupted);
  EXPECT_EQ((*detail)->run.result, std::nullopt);
  ASSERT_EQ((*detail)->jobs.size(), 1u);
  EXPECT_EQ((*detail)->jobs[0].job.status, Status::interrupted);
  auto text = store->step_log_text(killed.step);
  ASSERT_TRUE(text) << text.error().message;
  std::string expected;
  for (int i = 0; i < 100; ++i)
    expected += "line " + std::to_string(i) + "\n";
  ASSERT_GE(text->size(), expected.size());
  EXPECT_EQ(text->substr(0, expected.size()), expected);
  // Nothing left to recover.
  EXPECT_TRUE(store->recover_interrupted()->empty());
}

TEST_P(StoreTest, LiveRunsAreNotInterruptedButOtherBootsAndReusedPidsAre) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  auto mine = store->begin_run(push_run("ci.yml"));
  ASSERT_TRUE(mine);
  {
    auto db = connect();
    ASSERT_TRUE(db);
    // Same pid, but recorded in another boot: that process is gone.
    ASSERT_TRUE(db->exec(
        "INSERT INTO runs (workflow_file, workflow_name, run_number, event, ref, sha, status, "
        "started_at, owner_pid, owner_boot_id, owner_start) VALUES ('old.yml', 'Old', 1, "
        "'push', 'r', 's', 'running', 1, " +
        std::to_string(::getpid()) + ", 'another-boot', 0)"));
    // This boot and a live pid, but a different start time: the pid was reused.
    ProcessIdentity self = current_process();
    ASSERT_GT(self.start_ticks, 0);
    ASSERT_TRUE(db->exec(
        "INSERT INTO runs (workflow_file, workflow_name, run_number, event, ref, sha, status, "
        "started_at, owner_pid, owner_boot_id, owner_start) VALUES ('reused.yml', 'Old', 1, "
        "'push', 'r', 's', 'running', 1, " +
        std::to_string(self.pid) + ", '" + self.boot_id + "', " +
        std::to_string(self.start_ticks + 1) + ")"));
  }
  auto second = open_test_store();  // recovers on open
  ASSERT_TRUE(second);
  auto runs = second->recent_runs(10);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].workflow_file, "reused.yml");
  EXPECT_EQ((*runs)[0].status, Status::interrupted);
  EXPECT_EQ((*runs)[1].workflow_file, "old.yml");
  EXPECT_EQ((*runs)[1].status, Status::interrupted);
  EXPECT_EQ((*runs)[2].id, mine->id);
  EXPECT_EQ((*runs)[2].status, Status::running);
  ASSERT_TRUE(store->finish_run(mine->id, Result::success, at(2000)));
  EXPECT_EQ((*second->run_detail(mine->id))->run.status, Status::completed);
}

TEST_P(StoreTest, ConcurrentJobsWriteRecordsAndLogs) {
  auto store = open_test_store();
  ASSERT_TRUE(store);
  auto run = store->begin_run(push_run("ci.yml"));
  ASSERT_TRUE(run);
  constexpr int k_jobs = 6, k_steps = 10, k_lines = 300;
  std::vector<std::thread> threads;
  std::vector<std::string> failures(k_jobs);
  for (int j = 0; j < k_jobs; ++j) {
    threads.emplace_back([&, j] {
      auto fail = [&](const std::string& what) { failures[j] = what; };
      auto job = store->add_job(run->id, {"job" + std::to_string(j), "job", ""});
      if (!job || !store->start_job(*job, at(1000))) return fail("job");
      for (int s = 0; s < k_steps; ++s) {
        auto step = store->start_step(*job, s, "step", at(1000 + s), StepLog::open);
        if (!step) return fail("start_step: " + step.error().message);
        if (!step->log) return fail("start_step log: " + step->log_error->message);
        for (int l = 0; l < k_lines; ++l) {
          if (!step->log->append(job_line(j, s, l))) return fail("append");
        }
        auto stats = step->log->close();
        if (!stats) return fail("close");
        if (!store->finish_step(step->id, {Result::success, Result::success, at(2000), *stats}))
          return fail("finish_step");
        if (!store->add_annotation(run->id, {Severity::notice, "", 0, 0, "", "n", *job, step->id}))
          return fail("annotation");
      }
      if (!store->finish_job(*job, Result::success, "", at(3000))) fail("finish_job");
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const auto& failure : failures)
    EXPECT_EQ(failure, "");

  auto detail = store->run_detail(run->id);
  ASSERT_TRUE(detail && *detail);
  ASSERT_EQ((*detail)->jobs.size(), static_cast<size_t>(k_jobs));
  EXPECT_EQ((*detail)->annotations.size(), static_cast<size_t>(k_jobs * k_steps));
  for (const JobDetail& job : (*detail)->jobs) {
    int j = std::stoi(job.job.job_id.substr(3));
    EXPECT_EQ(job.job.result, Result::success);
    ASSERT_EQ(job.steps.size(), static_cast<size_t>(k_steps));
    for (const StepRecord& step : job.steps) {
      int s = step.index;
      std::string expected;
      for (int l = 0; l < k_lines; ++l)
        expected += job_line(j, s, l);
      EXPECT_EQ(step.log.lines, k_lines);
      EXPECT_EQ(*store->step_log_text(step.id), expected);
    }
  }
}

// Several processes on one data directory: WAL + busy timeout serialize them, and run
// numbers stay unique.
TEST_P(StoreTest, ProcessesSharingADataDirGetDistinctRunNumbers) {
  constexpr int k_processes = 4, k_runs = 25;
  std::vector<pid_t> children;
  for (int p = 0; p < k_processes; ++p) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto store = open_store(database(), dir());
      if (!store) {
        std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
        ::_exit(3);
      }
      for (int i = 0; i < k_runs; ++i) {
        auto run = (*store)->begin_run(push_run("ci.yml"));
        if (!run) ::_exit(4);
        auto job = (*store)->add_job(run->id, {"j", "j", ""});
        if (!job || !(*store)->finish_job(*job, Result::success, "", at(2)) ||
            !(*store)->finish_run(run->id, Result::success, at(3)))
          ::_exit(5);
      }
      ::_exit(0);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  auto store = open_test_store();
  ASSERT_TRUE(store);
  auto runs = store->recent_runs(1000);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), static_cast<size_t>(k_processes * k_runs));
  std::set<int64_t> numbers;
  for (const RunRecord& run : *runs) {
    numbers.insert(run.run_number);
    EXPECT_EQ(run.status, Status::completed);
  }
  EXPECT_EQ(numbers.size(), runs->size());
  EXPECT_EQ(*numbers.begin(), 1);
  EXPECT_EQ(*numbers.rbegin(), k_processes * k_runs);
}

}  // namespace
}  // namespace pipewright::store
