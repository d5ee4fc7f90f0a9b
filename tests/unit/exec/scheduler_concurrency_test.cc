// The scheduler (exec/scheduler.h) with job-level concurrency groups, a run-level
// group's cancel-in-progress, jobs carried over by a re-run, and job_waiting reasons —
// with a fake executor; order is asserted through barriers, never through time.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipewright/exec/scheduler.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::exec {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;

// Collects finished jobs and waiting reasons; wakes waiters on each event.
class Sink : public EventSink {
 public:
  void job_waiting(const JobInfo& j, std::string_view reason) override {
    std::lock_guard lock(mutex);
    waiting.push_back(j.name + ": " + std::string(reason));
    cv.notify_all();
  }
  void job_finished(const JobInfo& j, const JobEnd& e) override {
    std::lock_guard lock(mutex);
    finished.push_back(j.name + "=" + std::string(result_name(e.result)) +
                       (e.carried_over ? " [carried]" : "") +
                       (e.reason.empty() ? "" : " (" + e.reason + ")"));
    cv.notify_all();
  }
  void annotation(const JobInfo& j, int, const Annotation& a) override {
    std::lock_guard lock(mutex);
    annotations.push_back(j.name + ": " + a.message);
  }
  // Blocks until `pred` (called under the lock) holds.
  template <class P>
  void await(P pred) {
    std::unique_lock lock(mutex);
    cv.wait(lock, pred);
  }

  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> waiting, finished, annotations;
};

// Runs each job through `body` (may block); records start/end and what needs it saw.
class Executor_ : public Executor {
 public:
  std::function<void(const JobInstance&, JobControl&)> body;
  JobRunResult run_job(const RunContext&, const JobInstance& job, JobControl& control) override {
    record("start " + job.info.name);
    {
      std::lock_guard lock(m_mutex);
      needs.push_back(job.info.name + " " + expr::to_json(job.needs, expr::JsonStyle::compact));
    }
    if (body) body(job, control);
    record("end " + job.info.name);
    JobRunResult result;
    if (control.cancelled()) result.result = Result::cancelled;
    return result;
  }
  std::vector<std::string> events() {
    std::lock_guard lock(m_mutex);
    return m_events;
  }
  std::vector<std::string> needs;
  Sink* wake = nullptr;  // woken on each start and end

 private:
  void record(std::string e) {
    {
      std::lock_guard lock(m_mutex);
      m_events.push_back(std::move(e));
    }
    if (!wake) return;
    { std::lock_guard lock(wake->mutex); }  // a waiter is either before its check or asleep
    wake->cv.notify_all();
  }
  std::mutex m_mutex;
  std::vector<std::string> m_events;
};

struct Fixture {
  workflow::Workflow workflow;
  Masker masker;
  Sink sink;
  RunContext run;
  Executor_ executor;
  SchedulerOptions options;

  explicit Fixture(std::string_view yaml) {
    auto loaded = workflow::load_workflow_text(yaml, "ci.yml");
    EXPECT_TRUE(loaded.ok());
    workflow = std::move(*loaded.workflow);
    run.workflow = &workflow;
    run.workflow_name = "wf";
    run.masker = &masker;
    run.sink = &sink;
    run.github = expr::Value(expr::Object{});
    options.parallel = 4;
    options.run_label = "run 5 (wf)";
    executor.wake = &sink;
  }
  ScheduleOutcome schedule() {
    auto outcome = schedule_run(run, executor, options);
    EXPECT_TRUE(outcome.has_value());
    return outcome.value_or(ScheduleOutcome{});
  }
};

TEST(SchedulerConcurrency, AJobWaitsForTheHolderOfItsGroupAndSaysSo) {
  Fixture f(R"(on: push
jobs:
  a: {concurrency: deploy, runs-on: ubuntu-latest, steps: [{run: x}]}
  b: {concurrency: DEPLOY, runs-on: ubuntu-latest, steps: [{run: x}]}
)");
  // `a` ends only once `b` was reported waiting (or, without groups, once b started).
  f.executor.body = [&](const JobInstance& job, JobControl&) {
    if (job.info.name != "a") return;
    f.sink.await([&] {
      return !f.sink.waiting.empty() ||
             std::ranges::find(f.executor.events(), "start b") != f.executor.events().end();
    });
  };
  ScheduleOutcome outcome = f.schedule();
  EXPECT_EQ(outcome.result, Result::success);
  EXPECT_THAT(f.executor.events(), ElementsAre("start a", "end a", "start b", "end b"));
  EXPECT_THAT(f.sink.waiting,
              ElementsAre("b: waiting for concurrency group 'DEPLOY', held by job 'a' of run 5 "
                          "(wf)"));
}

TEST(SchedulerConcurrency, SharedGroupsSpanRuns) {
  Fixture f(R"(on: push
jobs:
  a: {concurrency: 'deploy-${{ matrix.env }}', strategy: {matrix: {env: [prod]}}, runs-on: ubuntu-latest, steps: [{run: x}]}
)");
  ConcurrencyGroups shared;
  ConcurrencyTicket other =
      shared.enter({"DEPLOY-PROD", false, QueueMode::single, "run 4 (other)"});
  f.options.concurrency = &shared;
  std::thread releaser([&] {
    f.sink.await([&] { return !f.sink.waiting.empty(); });
    other.release();
  });
  f.schedule();
  releaser.join();
  EXPECT_THAT(f.sink.waiting, ElementsAre("a (prod): waiting for concurrency group "
                                          "'deploy-prod', held by run 4 (other)"));
  EXPECT_THAT(f.sink.finished, ElementsAre("a (prod)=success"));
}

TEST(SchedulerConcurrency, ANewerRunWithCancelInProgressCancelsThisRun) {
  Fixture f(R"(on: push
jobs:
  long: {runs-on: ubuntu-latest, steps: [{run: x}]}
  after: {needs: long, runs-on: ubuntu-latest, steps: [{run: x}]}
  cleanup: {needs: long, if: always(), runs-on: ubuntu-latest, steps: [{run: x}]}
)");
  ConcurrencyGroups groups;
  ConcurrencyTicket mine = groups.enter({"ci", false, QueueMode::single, "run 5 (wf)"});
  ConcurrencyTicket newer;
  f.options.run_ticket = &mine;
  f.executor.body = [&](const JobInstance& job, JobControl& control) {
    if (job.info.name != "long") return;
    newer = groups.enter({"CI", true, QueueMode::single, "run 6 (wf)"});
    while (!control.cancelled())  // the scheduler notices on its next pass
      std::this_thread::yield();
  };
  ScheduleOutcome outcome = f.schedule();
  EXPECT_TRUE(outcome.cancelled);
  const std::string k_why = "Canceling since a higher priority waiting request for 'ci' exists";
  EXPECT_THAT(f.sink.finished, Contains("long=cancelled"));
  EXPECT_THAT(f.sink.finished, Contains("after=cancelled (" + k_why + ")"));
  EXPECT_THAT(f.sink.finished, Contains("cleanup=success"));  // always() still runs
  EXPECT_EQ(newer.status().state, TicketState::pending);      // until this run leaves
}

TEST(SchedulerConcurrency, ReplacedAndCancelledJobsSayWhyWithAnAnnotation) {
  Fixture f(R"(on: push
jobs:
  first: {concurrency: g, runs-on: ubuntu-latest, steps: [{run: x}]}
  second: {concurrency: g, runs-on: ubuntu-latest, steps: [{run: x}]}
  third: {concurrency: {group: g, cancel-in-progress: true}, runs-on: ubuntu-latest, steps: [{run: x}]}
)");
  ScheduleOutcome outcome = f.schedule();
  const std::string k_why = "Canceling since a higher priority waiting request for 'g' exists";
  EXPECT_THAT(f.sink.finished, ElementsAre("first=cancelled (" + k_why + ")",
                                           "second=cancelled (" + k_why + ")", "third=success"));
  EXPECT_THAT(f.sink.annotations, ElementsAre("first: " + k_why, "second: " + k_why));
  EXPECT_THAT(f.executor.events(), ElementsAre("start third", "end third"));
  EXPECT_EQ(outcome.result, Result::cancelled);
  EXPECT_FALSE(outcome.cancelled);  // the run itself was not cancelled
}

TEST(SchedulerConcurrency, CarriedOverJobsFeedNeedsAndRunNoStep) {
  Fixture f(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs: {version: '${{ steps.v.outputs.version }}'}
    steps: [{id: v, run: x}]
  lint: {runs-on: ubuntu-latest, steps: [{run: x}]}
  deploy:
    needs: [build, lint]
    name: deploy ${{ needs.build.outputs.version }}
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  PriorJob build{Result::success, {}};
  build.outputs.set("version", expr::Value("1.2.3"));
  f.options.carried_over["BUILD"] = build;  // ids ignore case
  ScheduleOutcome outcome = f.schedule();
  EXPECT_EQ(outcome.result, Result::success);
  EXPECT_THAT(f.executor.events(),
              ElementsAre("start lint", "end lint", "start deploy 1.2.3", "end deploy 1.2.3"));
  EXPECT_THAT(f.sink.finished,
              Contains("build=success [carried] (carried over from an earlier attempt)"));
  EXPECT_THAT(f.executor.needs,
              Contains("deploy 1.2.3 "
                       "{\"build\":{\"result\":\"success\",\"outputs\":{\"version\":\"1.2.3\"}},"
                       "\"lint\":{\"result\":\"success\",\"outputs\":{}}}"));
}

TEST(SchedulerConcurrency, ACarriedFailureSkipsItsDependentsAsBefore) {
  Fixture f(R"(on: push
jobs:
  test: {runs-on: ubuntu-latest, steps: [{run: x}]}
  deploy: {needs: test, runs-on: ubuntu-latest, steps: [{run: x}]}
)");
  f.options.carried_over["test"] = PriorJob{Result::failure, {}};
  ScheduleOutcome outcome = f.schedule();
  EXPECT_EQ(outcome.result, Result::failure);
  EXPECT_TRUE(f.executor.events().empty());
}

TEST(SchedulerConcurrency, AJobWaitingForASlotSaysSoWithItsPosition) {
  Fixture f(R"(on: push
jobs:
  a: {runs-on: ubuntu-latest, steps: [{run: x}]}
  b: {runs-on: ubuntu-latest, steps: [{run: x}]}
  c: {runs-on: ubuntu-latest, steps: [{run: x}]}
)");
  f.options.parallel = 1;
  // The first job ends once both others were reported waiting.
  f.executor.body = [&](const JobInstance&, JobControl&) {
    f.sink.await([&] { return f.sink.waiting.size() >= 2; });
  };
  f.schedule();
  EXPECT_THAT(f.sink.waiting,
              ElementsAre("b: waiting for a free job slot (all 1 in use, -p); position 1 of 2 in "
                          "this run's queue",
                          "c: waiting for a free job slot (all 1 in use, -p); position 2 of 2 in "
                          "this run's queue"));
}

}  // namespace
}  // namespace pipewright::exec
