// What GitHub's workflow reader refuses in valid YAML: explicit tags, limits (file size,
// depth, expanded size, expression length), scalars of the wrong type, empty expressions.
// Each case says file:line:col and a rule; anchors and aliases keep working.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::workflow {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// "line:col: [rule] severity" for every diagnostic (messages are checked separately).
std::vector<std::string> findings(std::string_view text) {
  std::vector<std::string> out;
  for (const util::Diagnostic& d : load_workflow_text(text, "w.yml").diagnostics)
    out.push_back(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) +
                  ": [" + d.rule + "] " +
                  (d.severity == util::Severity::error ? "error" : "warning"));
  return out;
}

std::string messages(std::string_view text) {
  std::string out;
  for (const util::Diagnostic& d : load_workflow_text(text, "w.yml").diagnostics)
    out += d.message + "\n";
  return out;
}

// A workflow whose single job's `runs-on` value is `runs_on`.
std::string with_runs_on(std::string_view runs_on) {
  return "on: push\njobs:\n  a:\n    runs-on: " + std::string(runs_on) +
         "\n    steps:\n      - run: echo\n";
}

// A workflow with one step made of `step` (one line of step keys in flow style).
std::string with_step(std::string_view step) {
  return "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - " + std::string(step) + "\n";
}

TEST(ReaderRules, CustomAndStrTagsAreRefused) {
  EXPECT_THAT(findings(with_runs_on("!evil ubuntu-latest")), ElementsAre("4:14: [yaml-tag] error"));
  EXPECT_THAT(messages(with_runs_on("!evil ubuntu-latest")), HasSubstr("'!evil'"));
  EXPECT_THAT(findings(with_runs_on("!!str ubuntu-latest")), ElementsAre("4:14: [yaml-tag] error"));
  EXPECT_THAT(messages(with_runs_on("!!str ubuntu-latest")), HasSubstr("'!!str'"));
  // An unquoted `!` condition is a tag too (GitHub: "Unexpected tag '!github...'").
  EXPECT_THAT(findings(with_step("{if: !cancelled, run: echo}")),
              ElementsAre("6:14: [yaml-tag] error"));
}

TEST(ReaderRules, CoreTagsOnPlainValuesOfTheirTypeAreAccepted) {
  EXPECT_THAT(findings(with_runs_on("!!string ubuntu-latest")), IsEmpty());
  EXPECT_THAT(findings(with_runs_on("!!string 'ubuntu-latest'")), IsEmpty());
  EXPECT_THAT(findings(with_step("{run: echo, timeout-minutes: !!int 5}")), IsEmpty());
  EXPECT_THAT(findings(with_step("{run: echo, timeout-minutes: !!float 2.5}")), IsEmpty());
  EXPECT_THAT(findings(with_step("{run: echo, continue-on-error: !!bool true}")), IsEmpty());
}

TEST(ReaderRules, CoreTagsOnQuotedOrMistypedValuesAreRefused) {
  EXPECT_THAT(findings(with_step("{run: echo, timeout-minutes: !!int '5'}")),
              ElementsAre("6:38: [yaml-tag] error", "6:38: [type] error"));
  EXPECT_THAT(findings(with_step("{run: echo, continue-on-error: !!bool yes}")),
              ElementsAre("6:40: [yaml-tag] error", "6:40: [type] error"));
  EXPECT_THAT(findings(with_step("{run: echo, timeout-minutes: !!int 1.5}")),
              ElementsAre("6:38: [yaml-tag] error"));
}

TEST(ReaderRules, TagsOnCollectionsAreOnlyAWarning) {
  EXPECT_THAT(findings(with_runs_on("!!seq [a, b]")), ElementsAre("4:14: [yaml-tag] warning"));
}

TEST(ReaderRules, AnchorsAndAliasesKeepWorking) {
  std::string text = R"(on: push
jobs:
  a:
    runs-on: &os ubuntu-latest
    env: &env {A: "1"}
    steps:
      - &step {run: echo}
  b:
    runs-on: *os
    env: *env
    steps: [*step]
)";
  EXPECT_THAT(findings(text), IsEmpty());
  // An anchor carrying a tag is refused for its tag.
  EXPECT_THAT(findings(with_runs_on("&os !custom ubuntu-latest")),
              ElementsAre("4:14: [yaml-tag] error"));
}

TEST(ReaderRules, FileSizeIsGitHubs512000Bytes) {
  std::string head = with_runs_on("x") + "# ";
  std::string fits = head + std::string(512000 - head.size() - 1, 'x') + "\n";
  ASSERT_EQ(fits.size(), 512000u);
  EXPECT_THAT(findings(fits), IsEmpty());
  std::string over = head + std::string(512000 - head.size(), 'x') + "\n";
  EXPECT_THAT(findings(over), ElementsAre("1:1: [limits] error"));
  auto diagnostics = load_workflow_text(over, "w.yml").diagnostics;
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics[0].hint,
            "GitHub runs no workflow file over 500 KB (512,000 bytes); move long scripts into "
            "files of the repository");
}

// A workflow with an extra root key whose value nests `levels` flow mappings.
std::string nested(int levels) {
  std::string value;
  for (int i = 0; i < levels; ++i)
    value += "{a: ";
  value += "x";
  for (int i = 0; i < levels; ++i)
    value += "}";
  return "x: " + value + "\n" + with_runs_on("x");
}

TEST(ReaderRules, NestingIsLimitedToGitHubs50Levels) {
  // The root mapping is the first level: 49 more are accepted (`x` is only an unknown key).
  EXPECT_THAT(findings(nested(49)), ElementsAre("1:1: [unknown-key] error"));
  EXPECT_THAT(findings(nested(50)), ElementsAre("1:200: [limits] error"));
}

TEST(ReaderRules, NestingThroughAnAliasCountsWhereItIsUsed) {
  std::string deep;
  for (int i = 0; i < 40; ++i)
    deep += "{a: ";
  deep += "x";
  for (int i = 0; i < 40; ++i)
    deep += "}";
  std::string text = "x-deep: &deep " + deep +
                     "\non: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n"
                     "        env: {b: {c: {d: {e: {f: {g: {h: {i: {j: *deep}}}}}}}}}\n";
  auto found = findings(text);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0], "8:50: [limits] error");
  EXPECT_THAT(messages(text), HasSubstr("alias 'deep'"));
}

TEST(ReaderRules, ExpandedSizeIsLimitedToGitHubs10MiB) {
  // Matrix values may be anything. 40 aliases of 40 aliases of a 4 KiB string: 6.5 MB of
  // text, 13 MB as GitHub counts (two bytes a character).
  auto aliases = [](std::string_view name, int count) {
    std::string out = "[";
    for (int i = 0; i < count; ++i)
      out += std::string(i ? ", " : "") + "*" + std::string(name);
    return out + "]";
  };
  std::string text =
      "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n"
      "    strategy:\n      matrix:\n        s: [&s '" +
      std::string(4096, 'x') + "']\n        a: &a " + aliases("s", 40) +
      "\n        b: " + aliases("a", 40) + "\n";
  auto found = findings(text);
  ASSERT_EQ(found.size(), 1u) << messages(text);
  EXPECT_THAT(found[0], HasSubstr("10:"));
  EXPECT_THAT(found[0], HasSubstr("[limits] error"));
  EXPECT_THAT(messages(text), HasSubstr("10 MiB"));
  // 20 aliases of the 40: 6.6 MB as GitHub counts, accepted.
  std::string fits = text.substr(0, text.rfind("b: ")) + "b: " + aliases("a", 20) + "\n";
  EXPECT_THAT(findings(fits), IsEmpty());
}

TEST(ReaderRules, AScalarWithExpressionsIsLimitedTo21000Characters) {
  // format('<text>{0}', github.sha) is 21000 characters: accepted; one more is refused.
  auto script = [](size_t text) {
    return "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: '" +
           std::string(text, 'x') + "${{ github.sha }}'\n";
  };
  size_t overhead = std::string_view("format('{0}', github.sha)").size();
  EXPECT_THAT(findings(script(21000 - overhead)), IsEmpty());
  EXPECT_THAT(findings(script(21001 - overhead)), ElementsAre("6:15: [expression] error"));
  EXPECT_THAT(messages(script(21001 - overhead)), HasSubstr("Exceeded max expression length"));
  // Without an expression the scalar is a plain string: no limit but the file's.
  std::string plain = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: '" +
                      std::string(30000, 'x') + "'\n";
  EXPECT_THAT(findings(plain), IsEmpty());
}

TEST(ReaderRules, EmptyExpressionsAreRefused) {
  // At the `${{` (GitHub: "An expression was expected").
  EXPECT_THAT(findings(with_step("{run: 'echo ${{ }}'}")), ElementsAre("6:21: [expression] error"));
  EXPECT_THAT(messages(with_step("{run: 'echo ${{ }}'}")), HasSubstr("An expression was expected"));
}

TEST(ReaderRules, ScalarsMustHaveTheSchemasType) {
  EXPECT_THAT(findings(with_step("{run: echo, timeout-minutes: 1.2.3}")),
              ElementsAre("6:38: [type] error"));
  EXPECT_THAT(findings(with_step("{run: echo, continue-on-error: yes-please}")),
              ElementsAre("6:40: [type] error"));
  // GitHub types plain scalars only: a quoted number is a string.
  EXPECT_THAT(findings(with_step("{run: echo, timeout-minutes: '5'}")),
              ElementsAre("6:38: [type] error"));
  EXPECT_THAT(findings(with_step("{run: echo, timeout-minutes: inf}")),
              ElementsAre("6:38: [type] error"));
  // YAML 1.2 core numbers GitHub reads.
  for (std::string_view number : {"0x1F", "0o17", "1e3", ".5", "+3", "-.inf", ".NaN"})
    EXPECT_THAT(findings(with_step("{run: echo, timeout-minutes: " + std::string(number) + "}")),
                IsEmpty())
        << number;
  // A required non-empty string is not satisfied by a quoted empty one.
  EXPECT_THAT(findings(with_runs_on("''")), ElementsAre("4:14: [type] error"));
}

TEST(ReaderRules, TimeoutValuesReachTheModel) {
  LoadResult r = load_workflow_text(with_step("{run: echo, timeout-minutes: 0x1F}"), "w.yml");
  ASSERT_TRUE(r.workflow);
  EXPECT_EQ(r.workflow->jobs[0].steps[0].timeout_minutes.value, 31.0);
}

}  // namespace
}  // namespace pipewright::workflow
