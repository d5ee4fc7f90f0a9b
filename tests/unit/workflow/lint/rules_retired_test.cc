#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lint_fixture.h"

namespace pipewright::workflow::lint {
namespace {

using testing::dump;
using ::testing::ElementsAre;
using testing::findings;
using testing::TempRepo;

TEST(RulesRetiredTest, RetiredLabelsAndMatrixValues) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-20.04
    steps: [{run: x}]
  b:
    runs-on: [self-hosted, ubuntu-20.04]
    steps: [{run: x}]
  c:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, macos-12, windows-2022]
        include:
          - os: Windows-2019
    steps: [{run: x}]
  d:
    runs-on: ${{ matrix.config.os }}
    strategy:
      matrix:
        config: [{os: macos-13}]
    steps: [{run: x}]
  e:
    runs-on: [ubuntu-24.04, macos-15, windows-2025]
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "runner-retired"),
              ElementsAre("4:14: runner image 'ubuntu-20.04' was retired by GitHub on 2025-04-15; "
                          "jobs asking for it never start",
                          "13:29: runner image 'macos-12' was retired by GitHub on 2024-12-03; "
                          "jobs asking for it never start",
                          "15:17: runner image 'Windows-2019' was retired by GitHub on "
                          "2025-06-30; jobs asking for it never start"))
      << dump(r);
  EXPECT_EQ(r.diagnostics[0].hint, "use ubuntu-24.04 (or ubuntu-22.04)");
}

TEST(RulesRetiredTest, LabelsOfTwoHostedSystemsConflict) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: [ubuntu-latest, windows-latest]
    steps: [{run: x}]
  b:
    runs-on: [ubuntu-latest, ubuntu-24.04]
    steps: [{run: x}]
  c:
    runs-on: [self-hosted, ubuntu-22.04, windows-2022]
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "runs-on"),
              ElementsAre("4:30: runner labels 'ubuntu-latest' and 'windows-latest' name "
                          "GitHub-hosted images of two systems; no runner has both, so the job "
                          "never starts"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
