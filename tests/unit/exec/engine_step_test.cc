// Shell templates and running one script step (exec/shells.h, exec/step_runner.h).
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/exec/shells.h"
#include "pipewright/exec/step_runner.h"

namespace pipewright::exec {
namespace {

namespace fs = std::filesystem;

const char* host_path() {
  const char* path = std::getenv("PATH");
  return path ? path : "/usr/bin:/bin";
}

TEST(EngineShells, UnsetShellIsBashEWithoutPipefail) {
  auto shell = resolve_shell("", host_path());
  ASSERT_TRUE(shell.has_value());
  EXPECT_TRUE(shell->argv[0].ends_with("bash"));
  EXPECT_EQ(std::vector<std::string>(shell->argv.begin() + 1, shell->argv.end()),
            (std::vector<std::string>{"-e", "{0}"}));
  EXPECT_EQ(shell->extension, ".sh");
}

TEST(EngineShells, BashHasPipefailAndNoProfile) {
  auto shell = resolve_shell("BASH", host_path());
  ASSERT_TRUE(shell.has_value());
  EXPECT_EQ(std::vector<std::string>(shell->argv.begin() + 1, shell->argv.end()),
            (std::vector<std::string>{"--noprofile", "--norc", "-eo", "pipefail", "{0}"}));
}

TEST(EngineShells, CustomShellNeedsPlaceholder) {
  auto bad = resolve_shell("perl -w", host_path());
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("Invalid shell option"), std::string::npos);
  auto good = resolve_shell("perl -w {0}", host_path());
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(shell_argv(*good, "/t/x"), (std::vector<std::string>{"perl", "-w", "/t/x"}));
}

class ScriptStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("pw-step-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  ScriptResult run(const std::string& script, const std::string& shell = "",
                   std::optional<std::chrono::milliseconds> timeout = {}) {
    ScriptStep step;
    step.script = script;
    step.shell = shell;
    step.working_directory = m_dir.string();
    step.env = {{"PATH", host_path()}};
    step.timeout = timeout;
    StepEnvironment environment{m_dir.string(), &m_masker, nullptr, nullptr, {}};
    environment.outputs = m_outputs;
    StepOutputHandlers handlers;
    handlers.line = [this](std::string_view line) { m_lines.emplace_back(line); };
    handlers.group = [this](std::string_view title) {
      m_lines.push_back("group:" + std::string(title));
    };
    handlers.annotation = [this](const Annotation& a) { m_annotations.push_back(a); };
    return run_script_step(step, environment, handlers);
  }

  fs::path m_dir;
  Masker m_masker;
  OutputBudget* m_outputs = nullptr;
  std::vector<std::string> m_lines;
  std::vector<Annotation> m_annotations;
};

TEST_F(ScriptStepTest, StreamsLinesAndSucceeds) {
  ScriptResult r = run("echo one\nprintf 'two'\n");
  EXPECT_EQ(r.outcome, Result::success);
  EXPECT_EQ(m_lines, (std::vector<std::string>{"one", "two"}));
}

TEST_F(ScriptStepTest, UnsetShellHasNoPipefailButBashHas) {
  EXPECT_EQ(run("false | true").outcome, Result::success);
  EXPECT_EQ(run("false | true", "bash").outcome, Result::failure);
}

TEST_F(ScriptStepTest, FailureReportsExitCode) {
  ScriptResult r = run("echo before; exit 3; echo after");
  EXPECT_EQ(r.outcome, Result::failure);
  EXPECT_EQ(r.detail, "exited with code 3");
  EXPECT_EQ(m_lines.front(), "before");
  EXPECT_EQ(m_lines.back(), "##[error]Process completed with exit code 3.");
}

TEST_F(ScriptStepTest, EnvironmentFilesAreRead) {
  ScriptResult r =
      run("echo 'A=1' >> \"$GITHUB_ENV\"\n"
          "printf 'B<<EOF\\nline1\\nline2\\nEOF\\n' >> \"$GITHUB_ENV\"\n"
          "echo 'out=42' >> \"$GITHUB_OUTPUT\"\n"
          "echo /opt/x >> \"$GITHUB_PATH\"\n"
          "echo '# Title' >> \"$GITHUB_STEP_SUMMARY\"\n");
  EXPECT_EQ(r.outcome, Result::success);
  EXPECT_EQ(r.env, (EnvList{{"A", "1"}, {"B", "line1\nline2"}}));
  EXPECT_EQ(r.outputs, (EnvList{{"out", "42"}}));
  EXPECT_EQ(r.path_lines, (std::vector<std::string>{"/opt/x"}));
  EXPECT_EQ(r.summary, "# Title\n");
}

TEST_F(ScriptStepTest, MalformedEnvFileFailsTheStep) {
  ScriptResult r = run("echo 'no-equals-sign' >> \"$GITHUB_ENV\"");
  EXPECT_EQ(r.outcome, Result::failure);
}

TEST_F(ScriptStepTest, FileCommandOverTheLimitFailsTheStepNamingFileAndLimit) {
  // Before: a file over the read limit was dropped without a word and the step passed.
  ScriptResult r =
      run("echo 'small=1' >> \"$GITHUB_OUTPUT\"\n"
          "head -c 52428801 /dev/zero | tr '\\0' x >> \"$GITHUB_OUTPUT\"\n"
          "echo /opt/y >> \"$GITHUB_PATH\"\n");
  EXPECT_EQ(r.outcome, Result::failure);
  EXPECT_TRUE(r.outputs.empty());  // nothing of a file over the limit applies
  EXPECT_EQ(r.path_lines, (std::vector<std::string>{"/opt/y"}));
  EXPECT_EQ(m_lines.at(m_lines.size() - 2),
            "##[error]Unable to process file command 'output' successfully.");
  EXPECT_EQ(m_lines.back(),
            "##[error]GITHUB_OUTPUT is 52,428,809 bytes, over the limit of 52,428,800 bytes for "
            "a file command; nothing in it was applied");
}

TEST_F(ScriptStepTest, OutputValueOverTheLimitFailsTheStep) {
  ScriptResult r = run(
      "echo 'small=1' >> \"$GITHUB_OUTPUT\"\n"
      "{ printf 'big='; head -c 600000 /dev/zero | tr '\\0' x; echo; } >> \"$GITHUB_OUTPUT\"\n");
  EXPECT_EQ(r.outcome, Result::failure);
  EXPECT_EQ(r.outputs, (EnvList{{"small", "1"}}));
  EXPECT_EQ(m_lines.back(),
            "##[error]Invalid value. 'big' in GITHUB_OUTPUT exceeds 1,048,576 bytes, the limit "
            "for one value (measured as UTF-16, as GitHub measures outputs)");
}

TEST_F(ScriptStepTest, OutputsOverTheRunsBudgetFailTheStep) {
  OutputBudget budget(100);
  m_outputs = &budget;
  EXPECT_EQ(run("echo 'a=12345678' >> \"$GITHUB_OUTPUT\"").outcome, Result::success);
  EXPECT_EQ(budget.used(), 18u);  // name and value, as UTF-16
  ScriptResult r = run("printf 'b=%090d\\n' 0 >> \"$GITHUB_OUTPUT\"");
  EXPECT_EQ(r.outcome, Result::failure);
  EXPECT_TRUE(r.outputs.empty());
  EXPECT_EQ(m_lines.back(), "##[error]Workflow run outputs exceed 52,428,800 bytes");
}

TEST_F(ScriptStepTest, StepSummaryOverItsLimitIsNotRead) {
  ScriptResult r = run("head -c 2097152 /dev/zero | tr '\\0' x >> \"$GITHUB_STEP_SUMMARY\"");
  EXPECT_EQ(r.outcome, Result::success);
  EXPECT_TRUE(r.summary.empty());
  ASSERT_EQ(m_annotations.size(), 1u);
  EXPECT_NE(m_annotations[0].message.find("got 2048k"), std::string::npos);
}

TEST_F(ScriptStepTest, AddMaskAndSecretsAreMaskedInEveryLine) {
  m_masker.add_secret("hunter22");
  ScriptResult r =
      run("echo 'pw=hunter22'\n"
          "echo '::add-mask::s3cr3tvalue'\n"
          "echo 'later s3cr3tvalue'\n"
          "echo '::warning file=a.txt,line=3::about hunter22'\n"
          "echo '::group::Build'\n");
  EXPECT_EQ(r.outcome, Result::success);
  EXPECT_EQ(m_lines, (std::vector<std::string>{"pw=***", "later ***", "group:Build"}));
  ASSERT_EQ(m_annotations.size(), 1u);
  EXPECT_EQ(m_annotations[0].message, "about ***");
  EXPECT_EQ(m_annotations[0].line, 3);
}

TEST_F(ScriptStepTest, TimeoutFailsWithReason) {
  ScriptResult r = run("sleep 5", "", std::chrono::milliseconds(200));
  EXPECT_EQ(r.outcome, Result::failure);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.detail, "timed out after 200ms");
}

TEST_F(ScriptStepTest, CustomShellRunsTheScriptFile) {
  ScriptResult r = run("print('from python')", "python3 {0}");
  EXPECT_EQ(r.outcome, Result::success);
  EXPECT_EQ(m_lines, (std::vector<std::string>{"from python"}));
}

}  // namespace
}  // namespace pipewright::exec
