// The output path of a step (exec/step_runner.cc): plain lines go on as masked
// blocks (StepOutputHandlers::lines), everything else line by line. Whatever the
// path, a step's sinks must see exactly what they saw line by line.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/exec/step_runner.h"

namespace pipewright::exec {
namespace {

namespace fs = std::filesystem;

struct Seen {
  std::vector<std::string> lines;  // every line, from either handler, in order
  size_t blocks = 0;               // calls of `lines`
  bool block_without_newline = false;
  std::vector<std::string> annotations;
  ScriptResult result;
};

class StepOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("pw-step-output-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  // Runs `script` with a fresh masker knowing `secrets`; with `blocks`, the
  // handlers take blocks of lines too.
  Seen run(const std::string& script, const std::vector<std::string>& secrets, bool blocks) {
    Masker masker;
    for (const std::string& secret : secrets)
      masker.add_secret(secret);
    ScriptStep step;
    step.script = script;
    step.working_directory = m_dir.string();
    const char* path = std::getenv("PATH");
    step.env = {{"PATH", path ? path : "/usr/bin:/bin"}};
    StepEnvironment environment;
    environment.scratch_dir = m_dir.string();
    environment.masker = &masker;
    Seen seen;
    StepOutputHandlers handlers;
    handlers.line = [&](std::string_view line) { seen.lines.emplace_back(line); };
    if (blocks) {
      handlers.lines = [&](std::string_view lines) {
        ++seen.blocks;
        if (lines.empty() || lines.back() != '\n') seen.block_without_newline = true;
        for_each_line(lines, [&](std::string_view line) { seen.lines.emplace_back(line); });
      };
    }
    handlers.group = [&](std::string_view title) {
      seen.lines.push_back("group:" + std::string(title));
    };
    handlers.annotation = [&](const Annotation& a) { seen.annotations.push_back(a.message); };
    seen.result = run_script_step(step, environment, handlers);
    return seen;
  }

  fs::path m_dir;
};

// Plain lines, commands, CRLF, add-mask in the middle, a multi-line secret,
// binary bytes. (Lines past 64 KiB are cut where reads happen to end, so they
// are tested apart.)
const char* const k_mixed_script = R"SH(
for i in $(seq 2000); do echo "plain line $i with token-abcdef-1234 inside"; done
echo '::group::Build step'
printf 'crlf line token-abcdef-1234\r\n'
echo 'a line with ::colons:: but no command'
echo '::add-mask::late-secret-value'
for i in $(seq 500); do echo "after mask late-secret-value $i"; done
echo '::warning file=x.txt,line=2::warned token-abcdef-1234'
echo '##[debug]legacy'
printf 'multi line one\nmulti line two\n'
printf 'bin \001\002\377 end\n'
echo '::endgroup::'
printf 'no newline at the end token-abcdef-1234'
)SH";

TEST_F(StepOutputTest, BlocksGiveTheSameLinesAsLineByLine) {
  std::vector<std::string> secrets = {"token-abcdef-1234", "multi line one\nmulti line two"};
  Seen by_line = run(k_mixed_script, secrets, false);
  Seen by_block = run(k_mixed_script, secrets, true);
  EXPECT_EQ(by_line.result.outcome, Result::success);
  EXPECT_EQ(by_block.result.outcome, Result::success);
  EXPECT_GT(by_block.blocks, 0u);
  EXPECT_FALSE(by_block.block_without_newline);
  ASSERT_EQ(by_line.lines.size(), by_block.lines.size());
  EXPECT_TRUE(by_line.lines == by_block.lines);
  EXPECT_EQ(by_line.annotations, by_block.annotations);

  // And what that is: masked, commands applied, CR stripped.
  const std::vector<std::string>& lines = by_block.lines;
  EXPECT_EQ(lines[0], "plain line 1 with *** inside");
  EXPECT_EQ(lines[1999], "plain line 2000 with *** inside");
  EXPECT_EQ(lines[2000], "group:Build step");
  EXPECT_EQ(lines[2001], "crlf line ***");
  EXPECT_EQ(lines[2002], "a line with ::colons:: but no command");
  EXPECT_EQ(lines[2003], "after mask *** 1");
  EXPECT_EQ(lines[2502], "after mask *** 500");
  EXPECT_EQ(lines[2503], "***");
  EXPECT_EQ(lines[2504], "***");
  EXPECT_EQ(lines[2505], "bin \001\002\377 end");
  EXPECT_EQ(lines.back(), "no newline at the end ***");
  ASSERT_EQ(by_block.annotations.size(), 1u);
  EXPECT_EQ(by_block.annotations[0], "warned ***");
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("token-abcdef"), std::string::npos) << line;
    EXPECT_EQ(line.find("late-secret"), std::string::npos) << line;
  }
}

// A line longer than the 64 KiB limit comes in pieces that add up to it.
TEST_F(StepOutputTest, LongLinesArePassedOnInPieces) {
  Seen seen = run("head -c 300000 /dev/zero | tr '\\0' 'x'; echo; echo after", {}, true);
  ASSERT_GE(seen.lines.size(), 2u);
  EXPECT_EQ(seen.lines.back(), "after");
  std::string joined;
  for (size_t i = 0; i + 1 < seen.lines.size(); ++i)
    joined += seen.lines[i];
  EXPECT_EQ(joined, std::string(300000, 'x'));
}

// A secret cut by every read boundary still never shows (output trickles).
TEST_F(StepOutputTest, SecretsAcrossSlowWritesAreMasked) {
  Seen seen =
      run("for i in $(seq 20); do printf 'start tok'; sleep 0.01; printf 'en-abcdef'; sleep 0.01; "
          "printf -- '-1234 end\\n'; done",
          {"token-abcdef-1234"}, true);
  ASSERT_EQ(seen.lines.size(), 20u);
  for (const std::string& line : seen.lines)
    EXPECT_EQ(line, "start *** end");
}

}  // namespace
}  // namespace pipewright::exec
