#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lint_fixture.h"

namespace pipewright::workflow::lint {
namespace {

using testing::dump;
using ::testing::ElementsAre;
using testing::findings;
using ::testing::IsEmpty;
using testing::TempRepo;

TEST(RulesRunnerTest, RunsOnLabels) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-lates
    steps: [{run: x}]
  b:
    runs-on: [self-hosted, gpu-box]
    steps: [{run: x}]
  c:
    runs-on: big-custom-runner
    steps: [{run: x}]
  d:
    runs-on: ${{ vars.RUNNER }}
    steps: [{run: x}]
  e:
    runs-on: [linux, x64, Windows-2022]
    steps: [{run: x}]
)");
  auto findings_ = findings(r, "runs-on");
  EXPECT_THAT(findings_,
              ElementsAre("4:14: unknown runner label 'ubuntu-lates'",
                          "10:14: runner label 'big-custom-runner' is not a GitHub-hosted runner "
                          "label"))
      << dump(r);
  EXPECT_EQ(r.diagnostics[0].hint, "did you mean 'ubuntu-latest'?");
  EXPECT_EQ(r.diagnostics[0].severity, util::Severity::error);
  EXPECT_EQ(r.diagnostics[1].severity, util::Severity::warning);
}

TEST(RulesRunnerTest, Shells) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
defaults:
  run:
    shell: zsh
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: x
        shell: Bash
      - run: x
        shell: perl {0}
      - run: x
        shell: perl
)");
  EXPECT_THAT(findings(r, "shell"),
              ElementsAre("4:12: shell 'zsh' is not a built-in shell (bash, sh, pwsh, powershell, "
                          "python, cmd) and a custom shell command must contain '{0}' for the "
                          "script path",
                          "14:16: shell 'perl' is not a built-in shell (bash, sh, pwsh, "
                          "powershell, python, cmd) and a custom shell command must contain '{0}' "
                          "for the script path"))
      << dump(r);
}

TEST(RulesRunnerTest, EnvironmentNameAndUrl) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    environment:
      name: " prod"
      url: example.com
    steps: [{run: x}]
  b:
    runs-on: ubuntu-latest
    environment: production
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "environment"),
              ElementsAre("6:13: environment name ' prod' starts or ends with a space",
                          "7:12: environment url 'example.com' must start with https:// or "
                          "http://"))
      << dump(r);
}

TEST(RulesRunnerTest, PermissionProblemsAreReportedOnce) {
  // The loader checks scopes and levels against the schema; nothing may repeat them.
  TempRepo repo;
  auto r = repo.lint(R"(on: push
permissions:
  contents: read
  id-token: read
  contnts: write
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  std::vector<int> lines;
  for (const util::Diagnostic& d : r.diagnostics)
    lines.push_back(d.location.line);
  EXPECT_THAT(lines, ElementsAre(4, 5)) << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
