#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lint_fixture.h"

namespace pipewright::workflow::lint {
namespace {

using testing::dump;
using ::testing::ElementsAre;
using testing::findings;
using testing::TempRepo;

TEST(RulesScheduleTest, SchedulesMoreOftenThanEveryFiveMinutes) {
  TempRepo repo;
  auto r = repo.lint(R"(on:
  schedule:
    - cron: '* * * * *'
    - cron: '*/4 * * * *'
    - cron: '0,58 * * * *'
    - cron: '*/5 * * * *'
    - cron: '0,30 * * * *'
    - cron: '58 23 * * *'
    - cron: '0 0 * * *'
    - cron: '59 * * * *'
    - cron: '0,57 9 * * 1'
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  // '0,58 * * * *' fires at :58 and two minutes later at :00 of the next hour.
  EXPECT_THAT(findings(r, "cron-interval"),
              ElementsAre("3:13: schedule '* * * * *' fires every 1 minute; GitHub runs "
                          "scheduled workflows at most once every 5 minutes",
                          "4:13: schedule '*/4 * * * *' fires every 4 minutes; GitHub runs "
                          "scheduled workflows at most once every 5 minutes",
                          "5:13: schedule '0,58 * * * *' fires every 2 minutes; GitHub runs "
                          "scheduled workflows at most once every 5 minutes"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
