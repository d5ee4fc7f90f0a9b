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

TEST(RulesMatrixTest, ValidMatrixIsClean) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        node: [18, 20]
        exclude:
          - os: windows-latest
            node: 18
        include:
          - os: ubuntu-latest
            experimental: true
    steps:
      - run: echo ${{ matrix.node }} ${{ matrix.experimental }}
)");
  EXPECT_THAT(r.diagnostics, IsEmpty()) << dump(r);
}

TEST(RulesMatrixTest, EmptyDuplicateAndBadExclude) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os: []
        node: [18, 20, '18']
        exclude:
          - nod: 18
          - node: 16
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "matrix"),
              ElementsAre("7:9: matrix vector 'os' does not contain any values",
                          "8:24: duplicate value in matrix vector 'node' (same as line 8)",
                          "10:13: matrix exclude key 'nod' does not match any key within the "
                          "matrix",
                          "11:19: matrix exclude value for 'node' matches no value of the vector"))
      << dump(r);
}

TEST(RulesMatrixTest, TooManyCombinations) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        x: [1, 2, 3, 4, 5, 6, 7, 8, 9]
        y: [1, 2, 3, 4, 5, 6, 7, 8, 9]
        z: [1, 2, 3, 4]
    steps: [{run: x}]
  b:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        x: [1, 2, 3, 4, 5, 6, 7, 8]
        y: [1, 2, 3, 4, 5, 6, 7, 8]
        z: [1, 2, 3, 4, 5]
        exclude:
          - z: 5
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "matrix"),
              ElementsAre("6:7: the matrix of job 'a' makes 324 jobs; GitHub allows at most 256"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
