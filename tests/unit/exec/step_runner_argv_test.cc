// Process steps given as a command line instead of a script (ScriptStep::argv, used by
// JavaScript actions), GITHUB_STATE read back, and the argv prefix.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/exec/step_runner.h"

namespace pipewright::exec {
namespace {

namespace fs = std::filesystem;

class ArgvStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("pw-argv-step-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  ScriptResult run(std::vector<std::string> argv, std::vector<std::string> prefix = {}) {
    ScriptStep step;
    step.argv = std::move(argv);
    step.script = "echo the script must not run";
    step.working_directory = m_dir.string();
    const char* path = std::getenv("PATH");
    step.env = {{"PATH", path ? path : "/usr/bin:/bin"}, {"WHO", "world"}};
    StepEnvironment environment{m_dir.string(), &m_masker, nullptr, nullptr, {}, std::move(prefix)};
    StepOutputHandlers handlers;
    handlers.line = [this](std::string_view line) { m_lines.emplace_back(line); };
    handlers.group = [](std::string_view) {};
    handlers.annotation = [](const Annotation&) {};
    return run_script_step(step, environment, handlers);
  }

  // Files left in the temp dir (scripts and env files are removed after the step).
  size_t leftovers() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(m_dir), {}));
  }

  fs::path m_dir;
  Masker m_masker;
  std::vector<std::string> m_lines;
};

TEST_F(ArgvStepTest, RunsTheCommandWithEnvironmentFiles) {
  ScriptResult r =
      run({"sh", "-c",
           "echo \"hi $WHO\"; echo out=1 >> \"$GITHUB_OUTPUT\";"
           " echo saved=yes >> \"$GITHUB_STATE\";"
           " printf 'multi<<E\\na\\nb\\nE\\n' >> \"$GITHUB_STATE\"; echo '::warning::w'"});
  EXPECT_EQ(r.outcome, Result::success) << r.detail;
  EXPECT_EQ(m_lines, (std::vector<std::string>{"hi world"}));
  EXPECT_EQ(r.outputs, (EnvList{{"out", "1"}}));
  EXPECT_EQ(r.state, (EnvList{{"saved", "yes"}, {"multi", "a\nb"}}));
  EXPECT_EQ(leftovers(), 0u);
}

TEST_F(ArgvStepTest, ExitCodeAndMalformedStateFail) {
  ScriptResult failed = run({"sh", "-c", "exit 7"});
  EXPECT_EQ(failed.outcome, Result::failure);
  EXPECT_EQ(failed.detail, "exited with code 7");
  ScriptResult bad_state = run({"sh", "-c", "echo garbage >> \"$GITHUB_STATE\""});
  EXPECT_EQ(bad_state.outcome, Result::failure);
}

TEST_F(ArgvStepTest, MissingProgramFailsWithoutCrashing) {
  ScriptResult r = run({"/nonexistent/program"});
  EXPECT_EQ(r.outcome, Result::failure);
  EXPECT_FALSE(m_lines.empty());
}

TEST_F(ArgvStepTest, ArgvPrefixComesFirst) {
  ScriptResult r = run({"echo", "inner"}, {"env", "PREFIXED=1"});
  EXPECT_EQ(r.outcome, Result::success) << r.detail;
  EXPECT_EQ(m_lines, (std::vector<std::string>{"inner"}));
}

}  // namespace
}  // namespace pipewright::exec
