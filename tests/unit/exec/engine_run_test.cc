// exec::run_workflow (engine.h) around the scheduler: github.run_attempt from the
// settings, and the workflow-level concurrency group taken before any job starts —
// waiting with a reason, cancelled while pending, admitted when the holder leaves.
// Dry runs (the plan executor): no step process is started.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipewright/exec/engine.h"
#include "pipewright/workflow/loader.h"

#include "unit/temp_dir.h"

namespace pipewright::exec {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class Sink : public EventSink {
 public:
  void job_queued(const JobInfo& j) override {
    std::lock_guard lock(mutex);
    queued.push_back(j.name);
  }
  void run_waiting(std::string_view workflow, std::string_view reason) override {
    std::lock_guard lock(mutex);
    waiting.push_back(std::string(workflow) + ": " + std::string(reason));
    cv.notify_all();
  }
  void run_finished(const RunEnd& e) override {
    std::lock_guard lock(mutex);
    finished.push_back(std::string(result_name(e.result)) +
                       (e.reason.empty() ? "" : " (" + e.reason + ")"));
  }
  void await_waiting() {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return !waiting.empty(); });
  }

  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> queued, waiting, finished;
};

class EngineRun : public test_support::TempDirTest {
 protected:
  util::Expected<ScheduleOutcome> run(std::string_view yaml, RunSettings settings, Sink& sink) {
    auto loaded = workflow::load_workflow_text(yaml, ".github/workflows/ci.yml");
    EXPECT_TRUE(loaded.ok());
    workflow::Workflow wf = std::move(*loaded.workflow);
    auto repository = plan::Repository::open(dir());
    EXPECT_TRUE(repository.has_value());
    auto event = plan::build_event(plan::EventOptions{}, *repository);
    EXPECT_TRUE(event.has_value());
    settings.workflow_file = ".github/workflows/ci.yml";
    settings.jobs_dir = path("jobs");
    settings.dry_run = true;
    settings.bind = true;
    settings.secrets = expr::Value(expr::Object{});
    settings.vars = expr::Value(expr::Object{});
    settings.inputs = expr::Value(expr::Object{});
    settings.scheduler.parallel = 2;
    return run_workflow(wf, *event, *repository, settings, sink);
  }
};

TEST_F(EngineRun, RunAttemptReachesTheGithubContext) {
  Sink sink;
  RunSettings settings;
  settings.run_attempt = 3;
  auto outcome = run(R"(name: CI
on: push
jobs:
  a:
    name: attempt ${{ github.run_attempt }}
    runs-on: ubuntu-latest
    steps: [{run: echo}]
)",
                     settings, sink);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_THAT(sink.queued, ElementsAre("attempt 3"));
  Sink first;
  ASSERT_TRUE(run("on: push\njobs:\n  a:\n    name: attempt ${{ github.run_attempt }}\n    "
                  "runs-on: ubuntu-latest\n    steps: [{run: echo}]\n",
                  RunSettings{}, first)
                  .has_value());
  EXPECT_THAT(first.queued, ElementsAre("attempt 1"));  // the default
}

constexpr std::string_view k_grouped = R"(name: CI
on: push
concurrency: deploy-${{ github.event_name }}
jobs:
  a: {runs-on: ubuntu-latest, steps: [{run: echo}]}
)";

TEST_F(EngineRun, ARunWaitsForItsGroupThenRuns) {
  ConcurrencyGroups groups;
  ConcurrencyTicket holder = groups.enter({"DEPLOY-PUSH", false, QueueMode::single, "run 1 (CD)"});
  Sink sink;
  RunSettings settings;
  settings.run_id = 2;
  settings.concurrency = &groups;
  std::thread releaser([&] {
    sink.await_waiting();
    EXPECT_THAT(sink.queued, IsEmpty());  // no job before the group is ours
    holder.release();
  });
  auto outcome = run(k_grouped, settings, sink);
  releaser.join();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::success);
  EXPECT_THAT(sink.waiting,
              ElementsAre("CI: waiting for concurrency group 'deploy-push', held by run 1 (CD)"));
  EXPECT_THAT(sink.queued, ElementsAre("a"));
  EXPECT_EQ(groups.pending("deploy-push"), 0u);
  // The run left the group at its end.
  EXPECT_EQ(groups.enter({"deploy-push", false, QueueMode::single, "x"}).status().state,
            TicketState::running);
}

TEST_F(EngineRun, ARunReplacedWhilePendingRunsNoJob) {
  ConcurrencyGroups groups;
  ConcurrencyTicket holder = groups.enter({"deploy-push", false, QueueMode::single, "run 1 (CI)"});
  ConcurrencyTicket newer;
  Sink sink;
  RunSettings settings;
  settings.run_id = 2;
  settings.concurrency = &groups;
  std::thread replacer([&] {
    sink.await_waiting();
    newer = groups.enter({"deploy-push", false, QueueMode::single, "run 3 (CI)"});
  });
  auto outcome = run(k_grouped, settings, sink);
  replacer.join();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::cancelled);
  EXPECT_THAT(sink.queued, IsEmpty());
  EXPECT_THAT(sink.finished, ElementsAre("cancelled (Canceling since a higher priority waiting "
                                         "request for 'deploy-push' exists)"));
  EXPECT_EQ(newer.status().state, TicketState::pending);  // run 1 still holds it
}

TEST_F(EngineRun, AFailingGroupExpressionStopsTheRunBeforeItStarts) {
  ConcurrencyGroups groups;
  Sink sink;
  RunSettings settings;
  settings.concurrency = &groups;
  auto outcome =
      run("on: push\nconcurrency: ${{ fromJSON('{') }}\njobs:\n  a: {runs-on: "
          "ubuntu-latest, steps: [{run: echo}]}\n",
          settings, sink);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().location.line, 2);
  EXPECT_THAT(sink.queued, IsEmpty());
}

}  // namespace
}  // namespace pipewright::exec
