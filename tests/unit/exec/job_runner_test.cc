// The host executor (exec/job_runner.h) running real steps: step `if` with the job
// status, continue-on-error (outcome vs conclusion), env precedence, steps.<id>.outputs,
// GITHUB_ENV / GITHUB_PATH carried to later steps, job outputs (a secret-bearing one is
// dropped), timeouts, cancellation with always() steps, and the workspace kept on
// failure.
#include "pipewright/exec/job_runner.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipewright/exec/engine.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::exec {
namespace {

namespace fs = std::filesystem;

// Collects what a user would see: step results and each step's lines.
class RecordingSink : public EventSink {
 public:
  void step_line(const JobInfo&, int index, std::string_view line) override {
    std::lock_guard lock(m_mutex);
    lines[index].emplace_back(line);
  }
  void step_finished(const JobInfo&, int index, std::string_view name, const StepEnd& e) override {
    std::lock_guard lock(m_mutex);
    steps.push_back(std::string(name) + ": " + std::string(result_name(e.outcome)) + "/" +
                    std::string(result_name(e.conclusion)));
    details[index] = e.detail;
  }
  void job_message(const JobInfo&, std::string_view text) override {
    std::lock_guard lock(m_mutex);
    messages.emplace_back(text);
  }

  std::vector<std::string> steps;
  std::map<int, std::vector<std::string>> lines;
  std::map<int, std::string> details;
  std::vector<std::string> messages;

 private:
  std::mutex m_mutex;
};

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() /
             ("pw-job-runner-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_root);
    fs::create_directories(m_root / "src");
    std::ofstream(m_root / "src" / "hello.txt") << "hello from the workspace\n";
  }
  void TearDown() override { fs::remove_all(m_root); }

  // Runs the first job of `yaml` on this host.
  JobRunResult run(std::string_view yaml,
                   std::chrono::milliseconds timeout = std::chrono::minutes(5),
                   JobControl* control = nullptr) {
    auto loaded = workflow::load_workflow_text(yaml, "ci.yml");
    EXPECT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].message);
    m_workflow = std::move(*loaded.workflow);
    m_masker.add_secret("s3cr3t-value");
    m_run.workflow = &m_workflow;
    m_run.workflow_name = "wf";
    m_run.github = expr::Value(expr::Object{});
    m_run.runner = expr::Value(expr::Object{});
    m_run.vars = expr::Value(expr::Object{});
    expr::Object secrets;
    secrets.set("TOKEN", expr::Value("s3cr3t-value"));
    m_run.secrets = expr::Value(std::move(secrets));
    m_run.base_env = host_environment();
    m_run.masker = &m_masker;
    m_run.sink = &m_sink;
    m_run.source_dir = (m_root / "src").string();
    m_run.workspace_files = {"hello.txt"};
    m_run.jobs_dir = (m_root / "jobs").string();
    m_run.grace = os::GracePeriods{std::chrono::milliseconds(200), std::chrono::milliseconds(200)};

    JobInstance job;
    job.info.job_id = m_workflow.jobs.front().id.value;
    job.info.name = job.info.job_id;
    job.job = &m_workflow.jobs.front();
    job.matrix = expr::Value(expr::Object{});
    job.strategy = expr::Value(expr::Object{});
    job.needs = expr::Value(expr::Object{});
    job.timeout = timeout;
    JobControl own;
    auto executor = make_host_executor();
    return executor->run_job(m_run, job, control ? *control : own);
  }

  fs::path m_root;
  workflow::Workflow m_workflow;
  Masker m_masker;
  RecordingSink m_sink;
  RunContext m_run;
};

TEST_F(JobRunnerTest, FailureSkipsLaterStepsButAlwaysAndFailureRun) {
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: ok
        run: cat hello.txt
      - name: breaks
        run: exit 3
      - name: skipped
        run: echo never
      - name: on failure
        if: failure()
        run: echo cleaning up
      - name: always
        if: always()
        run: echo "status ${{ job.status }}"
)");
  EXPECT_EQ(result.result, Result::failure);
  EXPECT_EQ(m_sink.steps,
            (std::vector<std::string>{"ok: success/success", "breaks: failure/failure",
                                      "skipped: skipped/skipped", "on failure: success/success",
                                      "always: success/success"}));
  EXPECT_EQ(m_sink.lines[0], std::vector<std::string>{"hello from the workspace"});
  EXPECT_EQ(m_sink.details[1], "exited with code 3");
  EXPECT_EQ(m_sink.lines[4], std::vector<std::string>{"status failure"});
  // A failed job keeps its workspace for inspection.
  ASSERT_FALSE(result.kept_workspace.empty());
  EXPECT_TRUE(fs::exists(fs::path(result.kept_workspace) / "hello.txt"));
}

TEST_F(JobRunnerTest, ContinueOnErrorKeepsOutcomeButSucceeds) {
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: true
        run: exit 1
      - run: echo "${{ steps.flaky.outcome }} ${{ steps.flaky.conclusion }}"
)");
  EXPECT_EQ(result.result, Result::success);
  EXPECT_EQ(m_sink.steps[0], "Run exit 1: failure/success");
  EXPECT_EQ(m_sink.lines[1], std::vector<std::string>{"failure success"});
  EXPECT_TRUE(result.kept_workspace.empty());
}

TEST_F(JobRunnerTest, ContinueOnErrorAppliesWhenTheStepsOwnExpressionsFail) {
  // On GitHub the step's `run` (its inputs) is evaluated inside the step: its error
  // fails the step, and continue-on-error lets the job go on.
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: bad
        continue-on-error: true
        run: echo ${{ fromJSON('{') }}
      - run: echo "${{ steps.bad.outcome }} ${{ steps.bad.conclusion }}"
)");
  EXPECT_EQ(result.result, Result::success);
  EXPECT_EQ(m_sink.steps[0], "Run echo ${{ fromJSON('{') }}: failure/success");
  ASSERT_FALSE(m_sink.lines[0].empty());
  EXPECT_NE(m_sink.lines[0][0].find("Error parsing fromJson"), std::string::npos);
  EXPECT_EQ(m_sink.lines[1], std::vector<std::string>{"failure success"});
}

TEST_F(JobRunnerTest, ContinueOnErrorDoesNotCoverTheStepsEnv) {
  // The runner evaluates a step's `env` before the step starts; its error fails the
  // step outside continue-on-error.
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - continue-on-error: true
        env:
          X: ${{ fromJSON('{') }}
        run: echo never
      - run: echo skipped
)");
  EXPECT_EQ(result.result, Result::failure);
  EXPECT_EQ(m_sink.steps[0], "Run echo never: failure/failure");
  EXPECT_EQ(m_sink.steps[1], "Run echo skipped: skipped/skipped");
}

TEST_F(JobRunnerTest, ContinueOnErrorIsEvaluatedOnlyOnceTheStepFailed) {
  // An expression that cannot be evaluated does not matter to a step that succeeds; for
  // one that fails it counts as false, with the runner's error lines.
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: fine
        continue-on-error: ${{ fromJSON('x') }}
        run: echo fine
      - name: fails
        continue-on-error: ${{ fromJSON('x') }}
        run: echo ran; exit 1
)");
  EXPECT_EQ(result.result, Result::failure);
  EXPECT_EQ(m_sink.steps,
            (std::vector<std::string>{"fine: success/success", "fails: failure/failure"}));
  EXPECT_EQ(m_sink.lines[0], std::vector<std::string>{"fine"});
  ASSERT_EQ(m_sink.lines[1].size(), 4u);
  EXPECT_EQ(m_sink.lines[1][0], "ran");
  EXPECT_EQ(m_sink.lines[1][2],
            "##[error]The step failed and an error occurred when attempting to determine "
            "whether to continue on error.");
  EXPECT_NE(m_sink.lines[1][3].find("Error parsing fromJson"), std::string::npos);
}

TEST_F(JobRunnerTest, JobOutputsOverGitHubsLimitFailTheJob) {
  // Two outputs of 300,000 characters are 1,200,000 bytes as UTF-16: over 1 MB a job.
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      a: ${{ steps.s.outputs.a }}
      b: ${{ steps.s.outputs.b }}
    steps:
      - id: s
        run: |
          { printf 'a='; head -c 300000 /dev/zero | tr '\0' x; echo; } >> "$GITHUB_OUTPUT"
          { printf 'b='; head -c 300000 /dev/zero | tr '\0' y; echo; } >> "$GITHUB_OUTPUT"
)");
  EXPECT_EQ(result.result, Result::failure);
  EXPECT_EQ(result.reason, "Job outputs exceed 1,048,576 bytes");
  EXPECT_TRUE(result.outputs.empty());
  EXPECT_EQ(m_sink.steps[0],
            "Run { printf 'a='; head -c 300000 /dev/zero | tr '\\0' x; echo; } "
            ">> \"$GITHUB_OUTPUT\": success/success");
  EXPECT_NE(std::find(m_sink.messages.begin(), m_sink.messages.end(),
                      "error: Job outputs exceed 1,048,576 bytes"),
            m_sink.messages.end());
  // The run's budget holds the step's outputs, not the refused job outputs.
  EXPECT_EQ(m_run.outputs->used(), 4u + 1200000u);
}

TEST_F(JobRunnerTest, EnvPrecedenceAndEnvironmentFilesCarryOver) {
  JobRunResult result = run(R"(on: push
env:
  LEVEL: workflow
  KEEP: from-workflow
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
    steps:
      - run: |
          echo "FROM_FILE=written" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin"
          printf '#!/bin/sh\necho tool ran\n' > "$RUNNER_TEMP/bin/mytool"
          chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - env:
          LEVEL: step
        run: echo "$LEVEL $KEEP $FROM_FILE ${{ env.FROM_FILE }}"
      - run: |
          echo "$LEVEL"
          mytool
)");
  EXPECT_EQ(result.result, Result::success);
  EXPECT_EQ(m_sink.lines[1], std::vector<std::string>{"step from-workflow written written"});
  EXPECT_EQ(m_sink.lines[2], (std::vector<std::string>{"job", "tool ran"}));
}

TEST_F(JobRunnerTest, StepEnvCannotOverrideTheRunnersOwnVariables) {
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "OWN=from-file" >> "$GITHUB_ENV"
      - env:
          GITHUB_WORKSPACE: /elsewhere
          OWN: from-step
          NEW: one
        run: |
          [ "$GITHUB_WORKSPACE" != /elsewhere ] && echo workspace kept
          echo "OWN=$OWN NEW=$NEW"
      - run: echo "OWN=$OWN NEW=${NEW:-unset}"
)");
  EXPECT_EQ(result.result, Result::success);
  EXPECT_EQ(m_sink.lines[1], (std::vector<std::string>{"workspace kept", "OWN=from-step NEW=one"}));
  EXPECT_EQ(m_sink.lines[2], std::vector<std::string>{"OWN=from-file NEW=unset"});
}

TEST_F(JobRunnerTest, PathFromEnvIsHonouredWithGithubPathEntriesInFront) {
  JobRunResult result = run(R"(on: push
env:
  PATH: /from/workflow:/usr/bin:/bin
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$PATH"
      - env:
          PATH: /from/step:/usr/bin:/bin
        run: echo "$PATH"
      - run: |
          echo /added >> "$GITHUB_PATH"
          echo "PATH=/from/file:/usr/bin:/bin" >> "$GITHUB_ENV"
      - run: echo "$PATH"
      - env:
          PATH: /from/step:/usr/bin:/bin
        run: echo "$PATH"
)");
  EXPECT_EQ(result.result, Result::success);
  EXPECT_EQ(m_sink.lines[0], std::vector<std::string>{"/from/workflow:/usr/bin:/bin"});
  EXPECT_EQ(m_sink.lines[1], std::vector<std::string>{"/from/step:/usr/bin:/bin"});
  EXPECT_EQ(m_sink.lines[3], std::vector<std::string>{"/added:/from/file:/usr/bin:/bin"});
  EXPECT_EQ(m_sink.lines[4], std::vector<std::string>{"/added:/from/step:/usr/bin:/bin"});
}

TEST_F(JobRunnerTest, StepOutputsFeedJobOutputsAndSecretOutputsAreDropped) {
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.meta.outputs.version }}
      leaked: ${{ secrets.TOKEN }}
    steps:
      - id: meta
        run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
)");
  EXPECT_EQ(result.result, Result::success);
  ASSERT_NE(result.outputs.find("version"), nullptr);
  EXPECT_EQ(result.outputs.find("version")->to_display_string(), "1.2.3");
  EXPECT_EQ(result.outputs.find("leaked"), nullptr);
  ASSERT_EQ(m_sink.messages.size(), 1u);
  EXPECT_NE(m_sink.messages[0].find("Skip output 'leaked' since it may contain secret"),
            std::string::npos);
}

TEST_F(JobRunnerTest, SecretsAreMaskedInStepOutput) {
  run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "token=${{ secrets.TOKEN }}"
)");
  EXPECT_EQ(m_sink.lines[0], std::vector<std::string>{"token=***"});
}

TEST_F(JobRunnerTest, StepTimeoutFailsTheStepWithReason) {
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - timeout-minutes: 0.005
        run: sleep 30
      - if: always()
        run: echo after
)");
  EXPECT_EQ(result.result, Result::failure);
  EXPECT_EQ(m_sink.details[0], "timed out after 300ms");
  EXPECT_EQ(m_sink.lines[1], std::vector<std::string>{"after"});
}

TEST_F(JobRunnerTest, JobTimeoutFailsTheJobWithReason) {
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
      - run: echo never
)",
                            std::chrono::milliseconds(300));
  EXPECT_EQ(result.result, Result::failure);
  EXPECT_EQ(result.reason, "the job exceeded its timeout-minutes");
  EXPECT_EQ(m_sink.steps.back(), "Run echo never: skipped/skipped");
}

TEST_F(JobRunnerTest, AfterAJobTimeoutAlwaysStepsRunWithinTheirOwnLimit) {
  // Before: the cleanup step got what was left of the job's time, 1 ms.
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
      - run: echo never
      - name: cleanup
        if: always()
        run: sleep 0.5; echo "cleaned up after ${{ job.status }}"
      - name: bounded cleanup
        if: always()
        timeout-minutes: 0.005
        run: sleep 30
)",
                            std::chrono::milliseconds(300));
  EXPECT_EQ(result.result, Result::failure);
  EXPECT_EQ(result.reason, "the job exceeded its timeout-minutes");
  EXPECT_EQ(m_sink.steps, (std::vector<std::string>{
                              "Run sleep 30: failure/failure", "Run echo never: skipped/skipped",
                              "cleanup: success/success", "bounded cleanup: failure/failure"}));
  EXPECT_EQ(m_sink.lines[2], std::vector<std::string>{"cleaned up after failure"});
  EXPECT_EQ(m_sink.details[3], "timed out after 300ms");
}

TEST_F(JobRunnerTest, CancelledJobStillRunsAlwaysSteps) {
  JobControl control;
  control.request_cancel();
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo normal
      - if: cancelled()
        run: echo saw cancel
      - if: always()
        run: echo always
)",
                            std::chrono::minutes(5), &control);
  EXPECT_EQ(result.result, Result::cancelled);
  EXPECT_EQ(m_sink.steps[0], "Run echo normal: skipped/skipped");
  EXPECT_EQ(m_sink.lines[1], std::vector<std::string>{"saw cancel"});
  EXPECT_EQ(m_sink.lines[2], std::vector<std::string>{"always"});
}

TEST_F(JobRunnerTest, InvalidStepIfFailsTheStepWithLocation) {
  JobRunResult result = run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - if: ${{ fromJSON('{') }}
        run: echo never
)");
  EXPECT_EQ(result.result, Result::failure);
  ASSERT_FALSE(m_sink.lines[0].empty());
  EXPECT_NE(m_sink.lines[0][0].find("ci.yml:6:"), std::string::npos) << m_sink.lines[0][0];
}

}  // namespace
}  // namespace pipewright::exec
