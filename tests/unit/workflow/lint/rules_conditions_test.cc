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

TEST(RulesConditionsTest, TextAroundAnExpressionIsAlwaysTrue) {
  TempRepo repo;
  auto r = repo.lint(R"yaml(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    if: ${{ github.event_name == 'push' }} && ${{ github.ref == 'refs/heads/main' }}
    steps:
      - run: x
        if: "${{ github.event_name == 'push' }} "
      - id: s
        run: x
        if: |
          ${{ github.event_name == 'push' }}
      - run: x
        if: |-
          ${{ github.event_name == 'push' }}
      - run: x
        if: |
          github.event_name == 'push'
      - run: x
        if: ${{ github.event_name == 'push' }}
      - run: x
        if: github.event_name == 'push' && success()
)yaml");
  EXPECT_THAT(findings(r, "if-condition"),
              ElementsAre("5:9: the 'if:' of job 'a' is always true: with text around '${{ }}' "
                          "(even a space or the newline of a '|' block) GitHub reads it as a "
                          "non-empty string",
                          "8:13: the 'if:' of step 1 of job 'a' is always true: with text around "
                          "'${{ }}' (even a space or the newline of a '|' block) GitHub reads it "
                          "as a non-empty string",
                          "11:13: the 'if:' of step 's' is always true: with text around '${{ }}' "
                          "(even a space or the newline of a '|' block) GitHub reads it as a "
                          "non-empty string"))
      << dump(r);
  for (const util::Diagnostic& d : r.diagnostics)
    if (d.rule == "if-condition") {
      EXPECT_EQ(d.severity, util::Severity::error);
    }
}

TEST(RulesConditionsTest, ConstantConditionsAreWarnings) {
  TempRepo repo;
  auto r = repo.lint(R"yaml(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    if: false
    steps:
      - name: always
        run: x
        if: true
      - run: x
        if: ${{ true }}
      - run: x
        if: always()
      - run: x
        if: "!cancelled()"
)yaml");
  EXPECT_THAT(findings(r, "if-condition"),
              ElementsAre("5:9: the 'if:' of job 'a' is always false",
                          "9:13: the 'if:' of step 'always' is always true",
                          "11:13: the 'if:' of step 2 of job 'a' is always true"))
      << dump(r);
  for (const util::Diagnostic& d : r.diagnostics)
    if (d.rule == "if-condition") {
      EXPECT_EQ(d.severity, util::Severity::warning);
    }
}

TEST(RulesConditionsTest, ComparisonsBetweenIncompatibleTypes) {
  TempRepo repo;
  auto r = repo.lint(R"yaml(on:
  workflow_dispatch:
    inputs:
      dry: {type: boolean}
      count: {type: number}
jobs:
  a:
    runs-on: ubuntu-latest
    if: github.event == 'workflow_dispatch'
    steps:
      - run: echo "${{ inputs.dry > 1 }}"
      - run: x
        if: github.event.commits.*.message != 'wip' || inputs.count > 3
      - run: x
        if: ${{ contains(github.ref, 'x') >= 1 }}
      - run: x
        if: github.event_name == 'push' && inputs.dry == true && github.event.pull_request == null
      - run: x
        if: steps.x.outputs.n > 5 && needs.build.result == 'success' && matrix == matrix
)yaml");
  EXPECT_THAT(findings(r, "comparison"),
              ElementsAre("9:9: comparing object with string is always false: GitHub compares "
                          "objects and arrays only with themselves",
                          "11:24: ordering a boolean value with '<', '>', '<=' or '>=' makes no "
                          "sense",
                          "13:13: comparing array with string is always true: GitHub compares "
                          "objects and arrays only with themselves",
                          "15:17: ordering a boolean value with '<', '>', '<=' or '>=' makes no "
                          "sense"))
      << dump(r);
}

TEST(RulesConditionsTest, MatrixValuesThatAreObjectsOrArrays) {
  TempRepo repo;
  auto r = repo.lint(R"yaml(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        cfg: [{os: linux}, {os: mac}]
        list: [[1, 2]]
        mixed: [{os: linux}, plain]
    steps:
      - run: echo '${{ matrix.cfg == 'linux' }} ${{ matrix.mixed == 'plain' }}'
      - run: echo '${{ matrix.cfg.os == 'linux' }} ${{ matrix.list >= 1 }}'
  b:
    runs-on: ubuntu-latest
    steps:
      - run: echo '${{ matrix.cfg == 'linux' }}'
)yaml");
  EXPECT_THAT(findings(r, "comparison"),
              ElementsAre("11:24: comparing object with string is always false: GitHub compares "
                          "objects and arrays only with themselves",
                          "12:56: ordering an array value with '<', '>', '<=' or '>=' makes no "
                          "sense"))
      << dump(r);
}

TEST(RulesConditionsTest, SnapshotConditions) {
  TempRepo repo;
  auto r = repo.lint(R"yaml(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    snapshot:
      image-name: base
      if: true
    steps: [{run: x}]
)yaml");
  EXPECT_THAT(findings(r, "if-condition"),
              ElementsAre("7:11: the 'if:' of the snapshot of job 'a' is always true"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
