// File-command files carried from step to step (StepReuse, exec/step_runner.cc): each
// step must still see fresh, empty files under names no earlier step had, whatever the
// step before did with its own — wrote them, replaced them, deleted them, or keeps
// writing to them after it ended.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipewright/exec/step_runner.h"

#include "unit/temp_dir.h"

namespace pipewright::exec {
namespace {

namespace fs = std::filesystem;

class StepReuseTest : public test_support::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    std::filesystem::create_directories(m_dir / "scratch");
    m_reuse = std::make_unique<StepReuse>();
  }

  // Runs `script` as one step of the job; its output lines go to `lines`. `next`: the
  // next step's script as the job runner announces it (StepEnvironment::next_script).
  ScriptResult run(const std::string& script, const std::string* next = nullptr) {
    ScriptStep step;
    step.script = script;
    step.working_directory = m_dir.string();
    const char* path = std::getenv("PATH");
    step.env = {{"PATH", path ? path : "/usr/bin:/bin"}};
    StepEnvironment environment;
    environment.scratch_dir = (m_dir / "scratch").string();
    environment.masker = &m_masker;
    environment.reuse = m_reuse.get();
    environment.next_script = next;
    StepOutputHandlers handlers;
    handlers.line = [&](std::string_view line) { lines.emplace_back(line); };
    handlers.group = [](std::string_view) {};
    handlers.annotation = [](const Annotation&) {};
    return run_script_step(step, environment, handlers);
  }

  std::vector<std::string> scratch_files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(m_dir / "scratch"))
      names.push_back(entry.path().filename().string());
    return names;
  }

  Masker m_masker;
  std::unique_ptr<StepReuse> m_reuse;
  std::vector<std::string> lines;
};

// What a step sees of its five files: "path size" per variable.
constexpr const char* k_show_files =
    "for v in GITHUB_ENV GITHUB_OUTPUT GITHUB_PATH GITHUB_STEP_SUMMARY GITHUB_STATE; do\n"
    "  f=${!v}; echo \"$v $f $(stat -c %s \"$f\")\"\n"
    "done\n";

TEST_F(StepReuseTest, EveryStepGetsEmptyFilesUnderNewNames) {
  ASSERT_EQ(run(k_show_files).outcome, Result::success);
  ASSERT_EQ(run("echo 'A=1' >> \"$GITHUB_ENV\"; echo 'x=2' >> \"$GITHUB_OUTPUT\"\n"
                "echo /opt/bin >> \"$GITHUB_PATH\"; echo '# hi' >> \"$GITHUB_STEP_SUMMARY\"\n"
                "echo 's=3' >> \"$GITHUB_STATE\"")
                .outcome,
            Result::success);
  ASSERT_EQ(run(k_show_files).outcome, Result::success);
  ASSERT_EQ(lines.size(), 10u);
  for (size_t i = 0; i < 5; ++i) {
    std::string first = lines[i], second = lines[i + 5];
    SCOPED_TRACE(first + " / " + second);
    EXPECT_TRUE(first.ends_with(" 0")) << "not empty in the first step";
    EXPECT_TRUE(second.ends_with(" 0")) << "what step 2 wrote was still there in step 3";
    EXPECT_NE(first, second) << "a step got the name an earlier step had";
  }
}

TEST_F(StepReuseTest, WhatAStepWritesIsReadWhateverItDidToTheFile) {
  // Written through a replacing rename, which leaves a new file at the path.
  ScriptResult replaced = run("echo 'x=1' > out.tmp; mv out.tmp \"$GITHUB_OUTPUT\"");
  ASSERT_EQ(replaced.outcome, Result::success);
  ASSERT_EQ(replaced.outputs.size(), 1u);
  EXPECT_EQ(replaced.outputs[0], (std::pair<std::string, std::string>{"x", "1"}));
  // Deleted: nothing to read, and the next step still gets its file.
  EXPECT_EQ(run("rm \"$GITHUB_ENV\"").outcome, Result::success);
  ScriptResult after = run("test -f \"$GITHUB_ENV\" && echo 'B=2' >> \"$GITHUB_ENV\"");
  ASSERT_EQ(after.outcome, Result::success);
  ASSERT_EQ(after.env.size(), 1u);
  EXPECT_EQ(after.env[0].first, "B");
}

TEST_F(StepReuseTest, WritesThroughAnEarlierStepsNameAreIgnored) {
  // Step 1 leaves its GITHUB_ENV empty; step 2 writes through step 1's name, as a
  // background process of step 1 would. GitHub never reads that file again.
  ASSERT_EQ(run("echo \"$GITHUB_ENV\" > first-env").outcome, Result::success);
  ScriptResult second = run("echo 'LATE=1' >> \"$(cat first-env)\"");
  ASSERT_EQ(second.outcome, Result::success);
  EXPECT_TRUE(second.env.empty());
  EXPECT_TRUE(run("true").env.empty());
}

TEST_F(StepReuseTest, TheNextStepsScriptIsWrittenAheadAndUsedOnlyIfItFits) {
  const std::string second = "echo second";
  ASSERT_EQ(run("echo first", &second).outcome, Result::success);
  // Written while the first step ran: the first step's script and this one remain.
  ASSERT_EQ(run("echo second").outcome, Result::success);
  const std::string announced = "echo announced";
  ASSERT_EQ(run("true", &announced).outcome, Result::success);
  // The step turned out to run something else (an `if:` skipped the announced one).
  ASSERT_EQ(run("echo other").outcome, Result::success);
  EXPECT_EQ(lines, (std::vector<std::string>{"first", "second", "other"}));
}

TEST_F(StepReuseTest, AScriptWrittenAheadThatTheStepBeforeRemovedIsWrittenAgain) {
  const std::string next = "echo still runs";
  // Waits until the next step's script exists, then removes every other script.
  ASSERT_EQ(run("dir=$(dirname \"$0\")\n"
                "until [ \"$(ls \"$dir\" | grep -c '\\.sh$')\" -ge 2 ]; do sleep 0.01; done\n"
                "for f in \"$dir\"/*.sh; do [ \"$f\" = \"$0\" ] || rm \"$f\"; done\n",
                &next)
                .outcome,
            Result::success);
  ScriptResult result = run(next);
  EXPECT_EQ(result.outcome, Result::success) << result.detail;
  EXPECT_EQ(lines, std::vector<std::string>{"still runs"});
}

TEST_F(StepReuseTest, NothingIsLeftWhenTheJobEnds) {
  const std::string never_run = "echo never";
  ASSERT_EQ(run("true").outcome, Result::success);
  ASSERT_EQ(run("echo 'x=1' >> \"$GITHUB_OUTPUT\"", &never_run).outcome, Result::success);
  EXPECT_FALSE(scratch_files().empty()) << "files for the next steps are held";
  m_reuse.reset();
  EXPECT_TRUE(scratch_files().empty());
}

}  // namespace
}  // namespace pipewright::exec
