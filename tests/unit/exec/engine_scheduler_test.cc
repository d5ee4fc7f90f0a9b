// The scheduler (exec/scheduler.h) with a fake executor: readiness by own needs,
// critical-path order, skip cascades, job-level status functions, needs outputs,
// fail-fast, runs-on verdicts.
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipewright/exec/scheduler.h"
#include "pipewright/workflow/loader.h"

#include "unit/exec/result_sink.h"

namespace pipewright::exec {
namespace {

// Records every job it is asked to run; fails the jobs named in `failing`.
class FakeExecutor : public Executor {
 public:
  std::vector<std::string> failing;
  std::vector<std::string> order;
  std::vector<std::string> needs_seen;

  JobRunResult run_job(const RunContext&, const JobInstance& job, JobControl&) override {
    std::lock_guard lock(m_mutex);
    order.push_back(job.info.name);
    needs_seen.push_back(expr::Value(job.needs).kind() == expr::Kind::object &&
                                 !job.needs.as_object().empty()
                             ? job.needs.as_object().begin()->first
                             : "");
    JobRunResult result;
    for (const std::string& f : failing)
      if (f == job.info.job_id) result.result = Result::failure;
    result.outputs.set("name", expr::Value(job.info.name));
    return result;
  }

 private:
  std::mutex m_mutex;
};

using testing::ResultSink;

struct Fixture {
  workflow::Workflow workflow;
  Masker masker;
  ResultSink sink;
  RunContext run;

  explicit Fixture(std::string_view yaml) {
    auto loaded = workflow::load_workflow_text(yaml, "ci.yml");
    EXPECT_TRUE(loaded.ok());
    workflow = std::move(*loaded.workflow);
    run.workflow = &workflow;
    run.workflow_name = "wf";
    run.masker = &masker;
    run.sink = &sink;
    run.github = expr::Value(expr::Object{});
  }
};

TEST(EngineScheduler, CriticalPathFirstAndSkipsCascade) {
  Fixture f(R"(on: push
jobs:
  short:
    runs-on: ubuntu-latest
    steps: [{run: x}]
  long1:
    runs-on: ubuntu-latest
    steps: [{run: x}]
  long2:
    needs: long1
    runs-on: ubuntu-latest
    steps: [{run: x}]
  after:
    needs: long2
    runs-on: ubuntu-latest
    steps: [{run: x}]
  cleanup:
    needs: after
    if: always()
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  FakeExecutor executor;
  executor.failing = {"long2"};
  SchedulerOptions options;
  options.parallel = 1;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::failure);
  // long1 heads the longest chain, so it goes before short.
  EXPECT_EQ(executor.order, (std::vector<std::string>{"long1", "long2", "short", "cleanup"}));
  EXPECT_EQ(f.sink.finished,
            (std::vector<std::string>{"long1=success", "long2=failure",
                                      "after=skipped (a job it needs did not succeed)",
                                      "short=success", "cleanup=success"}));
}

TEST(EngineScheduler, FailureFunctionAndNeedsContext) {
  Fixture f(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
  b:
    needs: a
    runs-on: ubuntu-latest
    steps: [{run: x}]
  notify:
    needs: b
    if: failure()
    runs-on: ubuntu-latest
    steps: [{run: x}]
  by-result:
    needs: b
    if: needs.b.result == 'success'
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  FakeExecutor executor;
  executor.failing = {"a"};
  SchedulerOptions options;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  // b is skipped (a failed); notify runs since an ancestor failed; by-result is skipped.
  EXPECT_EQ(executor.order, (std::vector<std::string>{"a", "notify"}));
  EXPECT_EQ(executor.needs_seen.back(), "b");
}

TEST(EngineScheduler, FailFastCancelsQueuedLegs) {
  Fixture f(R"(on: push
jobs:
  m:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2, 3]
    steps: [{run: x}]
)");
  FakeExecutor executor;
  executor.failing = {"m"};
  SchedulerOptions options;
  options.parallel = 1;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(executor.order, (std::vector<std::string>{"m (1)"}));
  EXPECT_EQ(f.sink.finished.size(), 3u);
  EXPECT_EQ(f.sink.finished[1], "m (2)=cancelled (fail-fast: a job of the same matrix failed)");
}

TEST(EngineScheduler, UnsupportedRunnersAreSkippedWithReason) {
  Fixture f(R"(on: push
jobs:
  win:
    runs-on: windows-latest
    steps: [{run: x}]
  gpu:
    runs-on: [self-hosted, gpu]
    steps: [{run: x}]
)");
  FakeExecutor executor;
  SchedulerOptions options;
  options.platforms["gpu"] = "host";
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::success);
  EXPECT_EQ(executor.order, (std::vector<std::string>{"gpu"}));
  EXPECT_EQ(f.sink.finished[0],
            "win=skipped (unsupported on this host: windows-latest (map it with -P "
            "windows-latest=host))");
}

TEST(EngineScheduler, UnknownNeedIsAnError) {
  Fixture f(R"(on: push
jobs:
  a:
    needs: nope
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  FakeExecutor executor;
  auto outcome = schedule_run(f.run, executor, SchedulerOptions{});
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().message, "Job 'a' depends on unknown job 'nope'.");
}

}  // namespace
}  // namespace pipewright::exec
