// Files GitHub accepts and runs: `pipewright lint` gives no error on them (a warning at
// most, where the file may still be wrong).
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

size_t errors(const LintResult& r) {
  size_t n = 0;
  for (const util::Diagnostic& d : r.diagnostics)
    n += d.severity == util::Severity::error;
  return n;
}

TEST(AcceptedByGitHub, ShellGivenByAnExpression) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        shell: [bash, pwsh]
    defaults:
      run:
        shell: ${{ matrix.shell }}
    steps:
      - run: echo hi
)");
  EXPECT_THAT(r.diagnostics, IsEmpty()) << dump(r);
}

TEST(AcceptedByGitHub, MatrixExcludeWithExpressions) {
  TempRepo repo;
  auto r = repo.lint(R"(on:
  workflow_dispatch:
    inputs:
      os: {default: ubuntu-latest}
jobs:
  a:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: ['${{ inputs.os }}', windows-latest]
        node: [18, 20]
        exclude:
          - os: ubuntu-latest
            node: 18
          - os: windows-latest
            node: ${{ github.event_name == 'push' && 18 || 20 }}
          - os: {name: '${{ inputs.os }}'}
    steps:
      - run: echo ${{ matrix.node }}
)");
  EXPECT_EQ(errors(r), 0u) << dump(r);
}

TEST(AcceptedByGitHub, MatrixKeyThatIsNotDefinedReadsAsNull) {
  // A public workflow's idiom (idna): the key is absent from the matrix on purpose.
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    strategy:
      matrix:
        python-version: ['3.12']
    runs-on: ${{ matrix.os || 'ubuntu-latest' }}
    steps:
      - run: echo ${{ matrix.python-version }}
)");
  EXPECT_EQ(errors(r), 0u) << dump(r);
  EXPECT_THAT(findings(r, "expression-reference"),
              ElementsAre("7:25: matrix key 'os' is not defined in this job's strategy.matrix "
                          "(it is null here)"));
}

TEST(AcceptedByGitHub, DispatchInputDeclaredWithNothing) {
  TempRepo repo;
  auto r = repo.lint(R"(on:
  workflow_dispatch:
    inputs:
      name:
      tag: ~
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ inputs.name }} ${{ inputs.tag }}
)");
  EXPECT_THAT(r.diagnostics, IsEmpty()) << dump(r);
}

TEST(AcceptedByGitHub, LocalActionAnEarlierStepCreates) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {repository: octo/tools, path: tools}
      - uses: ./tools/.github/actions/setup
  b:
    runs-on: ubuntu-latest
    steps:
      - run: "mkdir -p gen && echo 'runs: {using: composite, steps: []}' > gen/action.yml"
      - uses: ./gen
)");
  EXPECT_EQ(errors(r), 0u) << dump(r);
  EXPECT_THAT(findings(r, "local-action"),
              ElementsAre("8:15: local action './tools/.github/actions/setup' not found: no "
                          "action.yml or action.yaml in 'tools/.github/actions/setup' (an "
                          "earlier step may create it)",
                          "13:15: local action './gen' not found: no action.yml or action.yaml "
                          "in 'gen' (an earlier step may create it)"));
}

TEST(AcceptedByGitHub, LocalActionNothingCreatesStaysAnError) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./missing
)");
  EXPECT_EQ(errors(r), 1u) << dump(r);
  EXPECT_THAT(findings(r, "local-action"),
              ElementsAre("7:15: local action './missing' not found: no action.yml or "
                          "action.yaml in 'missing'"));
}

TEST(AcceptedByGitHub, NeedsOfAJobThatIsNotADirectNeed) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs: {v: '1'}
    steps: [{run: echo}]
  b:
    needs: a
    runs-on: ubuntu-latest
    steps: [{run: echo}]
  c:
    needs: b
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.a.outputs.v }} ${{ needs.nope.result }}
)");
  EXPECT_THAT(findings(r, "expression-reference"),
              ElementsAre("15:29: job 'a' is not in this job's 'needs', so 'needs.a' is null "
                          "here (only direct dependencies are visible)",
                          "15:54: job 'nope' is not defined in this job's 'needs' (only direct "
                          "dependencies are visible)"));
  EXPECT_EQ(errors(r), 1u) << dump(r);  // only the job that does not exist
}

}  // namespace
}  // namespace pipewright::workflow::lint
