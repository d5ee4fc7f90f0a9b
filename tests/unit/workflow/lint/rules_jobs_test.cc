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

TEST(RulesJobsTest, ValidIdsAndNeedsAreClean) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: compile
        run: make
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: make test
)");
  EXPECT_THAT(r.diagnostics, IsEmpty()) << dump(r);
}

TEST(RulesJobsTest, BadJobIds) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  1build:
    runs-on: ubuntu-latest
    steps: [{run: x}]
  __gen:
    runs-on: ubuntu-latest
    steps: [{run: x}]
  Test:
    runs-on: ubuntu-latest
    steps: [{run: x}]
  test:
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  // Syntax and case-insensitive duplicates come from the loader; each is reported once.
  EXPECT_THAT(findings(r, "id"),
              ElementsAre("6:3: job id '__gen' starts with '__', which is reserved for generated "
                          "ids"))
      << dump(r);
  EXPECT_EQ(r.diagnostics.size(), 3u) << dump(r);
}

TEST(RulesJobsTest, StepIdsUniqueIgnoringCase) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: Setup
        run: a
      - id: setup
        run: b
      - id: bad.id
        run: c
)");
  EXPECT_THAT(findings(r, "id"),
              ElementsAre("8:13: step id 'setup' is already used in job 'build' (line 6); step ids "
                          "must be unique, ignoring case",
                          "10:13: step id 'bad.id' contains '.'; use only letters, digits, '-' "
                          "and '_'"))
      << dump(r);
}

TEST(RulesJobsTest, NeedsUnknownJob) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{run: x}]
  test:
    needs: [bild]
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "needs"), ElementsAre("7:13: job 'test' depends on unknown job 'bild'"))
      << dump(r);
  EXPECT_EQ(r.diagnostics[0].hint, "did you mean 'build'?");
}

TEST(RulesJobsTest, NeedsCyclePrinted) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    needs: c
    runs-on: ubuntu-latest
    steps: [{run: x}]
  b:
    needs: a
    runs-on: ubuntu-latest
    steps: [{run: x}]
  c:
    needs: b
    runs-on: ubuntu-latest
    steps: [{run: x}]
  d:
    needs: d
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "needs"),
              ElementsAre("8:12: jobs depend on each other in a cycle: a -> c -> b -> a",
                          "16:12: job 'd' depends on itself: d -> d"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
