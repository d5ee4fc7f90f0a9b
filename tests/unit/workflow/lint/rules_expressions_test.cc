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

TEST(RulesExpressionsTest, CleanWorkflowHasNoFindings) {
  TempRepo repo;
  auto r = repo.lint(R"(on:
  workflow_dispatch:
    inputs:
      level: {type: string}
jobs:
  build:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
    outputs:
      v: ${{ steps.ver.outputs.v }}
    steps:
      - id: ver
        run: echo "v=${{ inputs.level }}" >> "$GITHUB_OUTPUT"
      - if: always() && steps.ver.outcome == 'success'
        run: echo ${{ github.event_name }} ${{ runner.os }} ${{ hashFiles('*.c') }}
  test:
    needs: build
    if: needs.build.result == 'success' && github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.build.outputs.v }}
)");
  EXPECT_THAT(r.diagnostics, IsEmpty()) << dump(r);
}

TEST(RulesExpressionsTest, UnknownPropertyPointsInsideTheExpression) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo start
          echo ${{ github.event_nam }}
)");
  EXPECT_THAT(findings(r, "expression-reference"),
              ElementsAre("8:27: unknown property 'event_nam' of 'github'"))
      << dump(r);
}

TEST(RulesExpressionsTest, ContextNotAllowedAtJobIf) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    if: matrix.os == 'x'
    runs-on: ubuntu-latest
    env:
      TOKEN: ${{ secrets.T }}
    steps:
      - run: x
        if: secrets.T != ''
)");
  EXPECT_THAT(findings(r, "expression-context"),
              ElementsAre("4:9: context 'matrix' is not available at 'jobs.build.if'",
                          "10:13: context 'secrets' is not available at "
                          "'jobs.build.steps[0].if'"))
      << dump(r);
}

TEST(RulesExpressionsTest, StepsNeedsMatrixInputsMustExist) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ steps.later.outputs.x }}
      - id: later
        run: echo ${{ needs.none.result }} ${{ matrix.os }} ${{ inputs.x }}
)");
  EXPECT_THAT(
      findings(r, "expression-reference"),
      ElementsAre("6:29: step 'later' is not defined (no earlier step has "
                  "that id)",
                  "8:29: job 'none' is not defined in this job's 'needs' (only direct "
                  "dependencies are visible)",
                  "8:55: matrix key 'os' is not defined in this job's strategy.matrix (it is "
                  "null here)",
                  "8:72: input 'x' is not defined under 'on.workflow_call.inputs' or "
                  "'on.workflow_dispatch.inputs'"))
      << dump(r);
}

TEST(RulesExpressionsTest, StatusFunctionOutsideIf) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ success() }}
)");
  EXPECT_THAT(findings(r, "expression-function"),
              ElementsAre("6:23: status function 'success()' is not allowed at "
                          "'jobs.build.steps[0].run'; only 'if' conditions may use success(), "
                          "failure(), cancelled() and always()"))
      << dump(r);
}

TEST(RulesExpressionsTest, ScriptInjectionWarnings) {
  TempRepo repo;
  auto r = repo.lint(R"(on: issues
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.issue.title }}"
      - uses: actions/github-script@v7
        with:
          script: console.log("${{ github.event.issue.body }}")
      - env:
          TITLE: ${{ github.event.issue.title }}
        run: echo "$TITLE"
)");
  EXPECT_THAT(findings(r, "script-injection"),
              ElementsAre("6:24: 'github.event.issue.title' is potentially untrusted; "
                          "interpolating it into a script allows script injection",
                          "9:36: 'github.event.issue.body' is potentially untrusted; "
                          "interpolating it into a script allows script injection"))
      << dump(r);
  EXPECT_EQ(r.diagnostics[0].severity, util::Severity::warning);
}

}  // namespace
}  // namespace pipewright::workflow::lint

namespace pipewright::workflow::lint {
namespace {

TEST(RulesExpressionsTest, UnknownFunctionGetsSuggestion) {
  testing::TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ toJsn(github) }}
)");
  ASSERT_EQ(r.diagnostics.size(), 1u) << testing::dump(r);
  EXPECT_EQ(r.diagnostics[0].location.line, 6);
  EXPECT_EQ(r.diagnostics[0].location.column, 23);
  EXPECT_EQ(r.diagnostics[0].hint, "did you mean 'toJSON'?");
}

TEST(RulesExpressionsTest, NeedsOutputsMustBeDeclared) {
  testing::TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "version=1" >> "$GITHUB_OUTPUT"
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.build.outputs.version }} ${{ needs.build.outputs.verison }}
)");
  EXPECT_THAT(testing::findings(r, "expression-reference"),
              ::testing::ElementsAre("14:78: job 'build' has no output 'verison'"))
      << testing::dump(r);
  EXPECT_EQ(r.diagnostics[0].hint, "did you mean 'version'?");
}

}  // namespace
}  // namespace pipewright::workflow::lint
