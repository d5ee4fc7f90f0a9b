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

constexpr const char* k_job = R"(
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
)";

TEST(RulesEventsTest, ValidTriggersAreClean) {
  TempRepo repo;
  auto r = repo.lint(std::string(R"(on:
  push:
    branches: [main, 'releases/**', '!releases/**-alpha']
    paths: ['**.js', 'docs/*.md']
  pull_request:
    branches-ignore: ['dependabot/**']
  schedule:
    - cron: '*/15 1-5 * JAN-MAR MON-FRI')") +
                     k_job);
  EXPECT_THAT(r.diagnostics, IsEmpty()) << dump(r);
}

TEST(RulesEventsTest, BadCron) {
  TempRepo repo;
  auto r = repo.lint(std::string(R"(on:
  schedule:
    - cron: '0 25 * * *'
    - cron: '@daily')") +
                     k_job);
  EXPECT_THAT(findings(r, "cron"),
              ElementsAre("3:16: invalid cron expression '0 25 * * *': hour 25 is out of range "
                          "0-23",
                          "4:14: invalid cron expression '@daily': '@daily' shortcuts are not "
                          "supported by GitHub; write five fields, e.g. '0 0 * * *' for daily"))
      << dump(r);
}

TEST(RulesEventsTest, BadGlobs) {
  TempRepo repo;
  auto r = repo.lint(std::string(R"(on:
  push:
    tags: ['v[0-9']
    paths-ignore:
      - "docs/[z-a]*")") +
                     k_job);
  EXPECT_THAT(findings(r, "glob"),
              ElementsAre("3:14: invalid tags pattern 'v[0-9': '[' is not closed by ']'",
                          "5:16: invalid paths-ignore pattern 'docs/[z-a]*': invalid range 'z-a' "
                          "(a range stays within a-z, A-Z or 0-9 and goes from low to high)"))
      << dump(r);
}

TEST(RulesEventsTest, FilterWithItsIgnoreForm) {
  TempRepo repo;
  auto r = repo.lint(std::string(R"(on:
  push:
    branches: [main]
    branches-ignore: [dev])") +
                     k_job);
  EXPECT_THAT(findings(r, "filters"),
              ElementsAre("4:22: 'branches' and 'branches-ignore' cannot both be used for event "
                          "'push'; use 'branches' with '!' patterns instead"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
