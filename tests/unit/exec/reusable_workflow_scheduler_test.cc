// Reusable-workflow callers in the scheduler (exec/scheduler.h with a fake executor):
// called jobs named "caller / job", typed inputs and secrets in their RunContext, outputs
// to needs.<caller>.outputs, the caller's result, -p 1 without deadlock, nesting,
// cycles and fail-fast over a matrix of calls.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/exec/scheduler.h"
#include "pipewright/workflow/loader.h"

#include "unit/exec/result_sink.h"

namespace pipewright::exec {
namespace {

// Records the jobs it runs with the inputs they see; fails jobs whose id is in
// `failing`; job outputs: `out` = "<job id>:<inputs.word>".
class FakeExecutor : public Executor {
 public:
  std::vector<std::string> failing;
  std::vector<std::string> ran;

  JobRunResult run_job(const RunContext& run, const JobInstance& job, JobControl&) override {
    std::lock_guard lock(m_mutex);
    std::string word;
    if (const expr::Value* w = run.inputs.member("word")) word = w->to_display_string();
    std::string secret;
    if (const expr::Value* s = run.secrets.member("token")) secret = s->to_display_string();
    ran.push_back(job.info.name + " [" + word + "|" + secret + "]");
    JobRunResult result;
    for (const std::string& f : failing)
      if (f == job.info.job_id) result.result = Result::failure;
    result.outputs.set("out", expr::Value(job.info.job_id + ":" + word));
    if (const expr::Value* needs = job.needs.member("call"))
      result.outputs.set("seen", *needs->member("outputs")->member("joined"));
    return result;
  }

 private:
  std::mutex m_mutex;
};

using testing::ResultSink;

constexpr std::string_view k_called = R"(on:
  workflow_call:
    inputs:
      word: {type: string, default: dflt}
    secrets:
      token: {}
    outputs:
      joined:
        value: ${{ jobs.first.outputs.out }}+${{ jobs.second.outputs.out }}
jobs:
  first:
    runs-on: ubuntu-latest
    steps: [{run: x}]
  second:
    needs: first
    runs-on: ubuntu-latest
    steps: [{run: x}]
)";

struct Fixture {
  std::filesystem::path dir;
  workflow::Workflow workflow;
  Masker masker;
  ResultSink sink;
  RunContext run;

  Fixture() {
    static int next = 0;
    dir = std::filesystem::temp_directory_path() /
          ("pw-reuse-sched-" + std::to_string(::getpid()) + "-" + std::to_string(next++));
    std::filesystem::create_directories(dir / ".github/workflows");
    write("called.yml", k_called);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  void write(const std::string& name, std::string_view text) {
    std::ofstream(dir / ".github/workflows" / name) << text;
  }

  void load(std::string_view yaml) {
    write("ci.yml", yaml);
    std::string file = (dir / ".github/workflows/ci.yml").string();
    auto loaded = workflow::load_workflow_text(yaml, file);
    ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.front().message;
    workflow = std::move(*loaded.workflow);
    run.workflow = &workflow;
    run.workflow_name = "wf";
    run.masker = &masker;
    run.sink = &sink;
    run.source_dir = dir.string();
    run.github = expr::Value(expr::Object{});
    expr::Object secrets;
    secrets.set("MY_TOKEN", expr::Value("tok"));
    run.secrets = expr::Value(std::move(secrets));
  }
};

TEST(ReusableWorkflowScheduler, MatrixOfCallsAtParallelOne) {
  Fixture f;
  f.load(R"(on: push
jobs:
  call:
    strategy:
      matrix:
        w: [x, y]
    uses: ./.github/workflows/called.yml
    with:
      word: ${{ matrix.w }}
    secrets:
      token: ${{ secrets.MY_TOKEN }}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  FakeExecutor executor;
  SchedulerOptions options;
  options.parallel = 1;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->result, Result::success);
  ASSERT_EQ(executor.ran.size(), 5u);
  std::vector<std::string> sorted(executor.ran.begin(), executor.ran.end() - 1);
  std::ranges::sort(sorted);
  EXPECT_EQ(sorted,
            (std::vector<std::string>{"call (x) / first [x|tok]", "call (x) / second [x|tok]",
                                      "call (y) / first [y|tok]", "call (y) / second [y|tok]"}));
  // The top-level job sees neither inputs nor the called workflow's secrets mapping.
  EXPECT_EQ(executor.ran.back(), "after [|]");
}

TEST(ReusableWorkflowScheduler, OutputsReachNeedsAndDefaultsApply) {
  Fixture f;
  f.load(R"(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
  after:
    needs: call
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  struct Capture : FakeExecutor {
    std::string joined;
    JobRunResult run_job(const RunContext& run, const JobInstance& job,
                         JobControl& control) override {
      if (const expr::Value* call = job.needs.member("call"))
        joined = call->member("result")->to_display_string() + " " +
                 call->member("outputs")->member("joined")->to_display_string();
      return FakeExecutor::run_job(run, job, control);
    }
  } executor;
  SchedulerOptions options;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(executor.joined, "success first:dflt+second:dflt");
}

TEST(ReusableWorkflowScheduler, FailingCalledJobFailsTheCaller) {
  Fixture f;
  f.load(R"(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
  after:
    needs: call
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  FakeExecutor executor;
  executor.failing = {"first"};
  SchedulerOptions options;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::failure);
  EXPECT_EQ(f.sink.finished,
            (std::vector<std::string>{"call / first=failure",
                                      "call / second=skipped (a job it needs did not succeed)",
                                      "after=skipped (a job it needs did not succeed)"}));
}

TEST(ReusableWorkflowScheduler, NestedCallsAndCycles) {
  Fixture f;
  f.write("middle.yml", R"(on: workflow_call
jobs:
  inner:
    uses: ./.github/workflows/called.yml
    with:
      word: deep
)");
  f.write("loop.yml", R"(on: workflow_call
jobs:
  again:
    uses: ./.github/workflows/loop.yml
)");
  f.load(R"(on: push
jobs:
  outer:
    uses: ./.github/workflows/middle.yml
  looping:
    uses: ./.github/workflows/loop.yml
)");
  FakeExecutor executor;
  SchedulerOptions options;
  options.parallel = 1;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::failure);
  EXPECT_EQ(executor.ran, (std::vector<std::string>{"outer / inner / first [deep|]",
                                                    "outer / inner / second [deep|]"}));
  ASSERT_EQ(f.sink.finished.size(), 3u);
  EXPECT_NE(f.sink.finished[0].find("looping / again=failure"), std::string::npos);
  EXPECT_NE(f.sink.finished[0].find("cycle"), std::string::npos);
}

TEST(ReusableWorkflowScheduler, InputErrorFailsTheCallerLeg) {
  Fixture f;
  f.load(R"(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      nope: 1
)");
  FakeExecutor executor;
  SchedulerOptions options;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::failure);
  EXPECT_TRUE(executor.ran.empty());
  ASSERT_EQ(f.sink.finished.size(), 1u);
  EXPECT_NE(f.sink.finished[0].find(
                "call=failure (" + (f.dir / ".github/workflows/ci.yml").string() +
                ":4:11: Invalid input, nope is not defined in the referenced workflow.)"),
            std::string::npos)
      << f.sink.finished[0];
}

TEST(ReusableWorkflowScheduler, FailFastCancelsTheOtherLegsCalls) {
  Fixture f;
  f.load(R"(on: push
jobs:
  call:
    strategy:
      matrix:
        w: [x, y]
    uses: ./.github/workflows/called.yml
    with:
      word: ${{ matrix.w }}
)");
  FakeExecutor executor;
  executor.failing = {"first"};
  SchedulerOptions options;
  options.parallel = 1;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::failure);
  // One leg's first job fails; the other leg's queued first job never runs.
  EXPECT_EQ(executor.ran.size(), 1u);
}

TEST(ReusableWorkflowScheduler, MaxParallelLimitsConcurrentCalls) {
  Fixture f;
  f.load(R"(on: push
jobs:
  call:
    strategy:
      max-parallel: 1
      matrix:
        w: [x, y]
    uses: ./.github/workflows/called.yml
    with:
      word: ${{ matrix.w }}
)");
  struct Slow : FakeExecutor {
    JobRunResult run_job(const RunContext& run, const JobInstance& job,
                         JobControl& control) override {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      return FakeExecutor::run_job(run, job, control);
    }
  } executor;
  SchedulerOptions options;
  options.parallel = 4;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  // One call at a time: leg y's jobs start only after leg x's workflow ended.
  EXPECT_EQ(executor.ran,
            (std::vector<std::string>{"call (x) / first [x|]", "call (x) / second [x|]",
                                      "call (y) / first [y|]", "call (y) / second [y|]"}));
}

TEST(ReusableWorkflowScheduler, FailFastCancelsCallsNotStartedYet) {
  Fixture f;
  f.load(R"(on: push
jobs:
  call:
    strategy:
      max-parallel: 1
      matrix:
        w: [x, y]
    uses: ./.github/workflows/called.yml
    with:
      word: ${{ matrix.w }}
)");
  FakeExecutor executor;
  executor.failing = {"second"};
  SchedulerOptions options;
  auto outcome = schedule_run(f.run, executor, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result, Result::failure);
  EXPECT_EQ(f.sink.finished,
            (std::vector<std::string>{
                "call (x) / first=success", "call (x) / second=failure",
                "call (y)=cancelled (fail-fast: a leg of the calling job's matrix failed)"}));
}

}  // namespace
}  // namespace pipewright::exec
