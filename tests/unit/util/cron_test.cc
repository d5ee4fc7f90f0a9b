#include "pipewright/util/cron.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace pipewright::util {
namespace {

using namespace std::chrono;

sys_seconds at(int y, unsigned mo, unsigned d, int h, int mi) {
  return sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi);
}

CronSchedule parse_ok(std::string_view text) {
  auto s = CronSchedule::parse(text);
  EXPECT_TRUE(s) << text << ": " << (s ? "" : s.error().message);
  return s ? *s : *CronSchedule::parse("* * * * *");
}

TEST(CronTest, EveryFifteenMinutes) {
  auto s = parse_ok("*/15 * * * *");
  EXPECT_TRUE(s.matches(at(2024, 1, 1, 3, 0)));
  EXPECT_TRUE(s.matches(at(2024, 1, 1, 3, 45)));
  EXPECT_FALSE(s.matches(at(2024, 1, 1, 3, 7)));
  EXPECT_EQ(s.next_after(at(2024, 1, 1, 3, 0)), at(2024, 1, 1, 3, 15));
  EXPECT_EQ(s.next_after(at(2024, 1, 1, 23, 50)), at(2024, 1, 2, 0, 0));
}

TEST(CronTest, NextAfterIsStrictlyLaterAndIgnoresSeconds) {
  auto s = parse_ok("30 5 * * *");
  EXPECT_EQ(s.next_after(at(2024, 3, 1, 5, 30)), at(2024, 3, 2, 5, 30));
  EXPECT_EQ(s.next_after(at(2024, 3, 1, 5, 29) + seconds(59)), at(2024, 3, 1, 5, 30));
}

TEST(CronTest, NamesRangesListsAndSteps) {
  auto s = parse_ok("0 9-17/4 * jan,Jul MON-FRI");
  // 2024-01-01 is a Monday.
  EXPECT_TRUE(s.matches(at(2024, 1, 1, 9, 0)));
  EXPECT_TRUE(s.matches(at(2024, 1, 1, 13, 0)));
  EXPECT_TRUE(s.matches(at(2024, 1, 1, 17, 0)));
  EXPECT_FALSE(s.matches(at(2024, 1, 1, 11, 0)));
  EXPECT_FALSE(s.matches(at(2024, 1, 6, 9, 0)));  // Saturday
  EXPECT_FALSE(s.matches(at(2024, 2, 5, 9, 0)));  // February
  EXPECT_EQ(s.next_after(at(2024, 1, 31, 17, 0)), at(2024, 7, 1, 9, 0));
}

TEST(CronTest, ValueWithStepRunsToTheEnd) {
  auto s = parse_ok("10/20 * * * *");
  EXPECT_TRUE(s.matches(at(2024, 1, 1, 0, 10)));
  EXPECT_TRUE(s.matches(at(2024, 1, 1, 0, 30)));
  EXPECT_TRUE(s.matches(at(2024, 1, 1, 0, 50)));
  EXPECT_FALSE(s.matches(at(2024, 1, 1, 0, 0)));
}

TEST(CronTest, DayOfMonthOrWeekdayWhenBothRestricted) {
  auto s = parse_ok("0 0 13 * FRI");
  EXPECT_TRUE(s.matches(at(2024, 9, 13, 0, 0)));  // Friday the 13th
  EXPECT_TRUE(s.matches(at(2024, 8, 13, 0, 0)));  // Tuesday
  EXPECT_TRUE(s.matches(at(2024, 8, 16, 0, 0)));  // Friday
  EXPECT_FALSE(s.matches(at(2024, 8, 14, 0, 0)));
  auto only_dom = parse_ok("0 0 13 * *");
  EXPECT_FALSE(only_dom.matches(at(2024, 8, 16, 0, 0)));
}

TEST(CronTest, LeapDayAndNever) {
  auto leap = parse_ok("0 12 29 2 *");
  EXPECT_EQ(leap.next_after(at(2024, 3, 1, 0, 0)), at(2028, 2, 29, 12, 0));
  auto never = parse_ok("0 0 30 2 *");
  EXPECT_EQ(never.next_after(at(2024, 1, 1, 0, 0)), std::nullopt);
}

struct BadCase {
  const char* text;
  const char* message;
  size_t offset;
};

TEST(CronTest, PreciseErrors) {
  const BadCase cases[] = {
      {"@daily", "'@daily' shortcuts are not supported", 0},
      {"* * * *", "expected 5 fields", 0},
      {"* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6",
       10},
      {"60 * * * *", "minute 60 is out of range 0-59", 0},
      {"0 24 * * *", "hour 24 is out of range 0-23", 2},
      {"0 0 0 * *", "day-of-month 0 is out of range 1-31", 4},
      {"0 0 * 13 *", "month 13 is out of range 1-12", 6},
      {"0 0 * * 7", "day-of-week 7 is out of range 0-6", 8},
      {"0 0 * FOO *", "'FOO' is not a valid month (a number 1-12 or a name JAN-DEC)", 6},
      {"x * * * *", "'x' is not a valid minute (a number 0-59)", 0},
      {"*/0 * * * *", "step '0' in the minute field must be a positive number", 2},
      {"*/ * * * *", "step '' in the minute field", 2},
      {"1,,2 * * * *", "empty list item in the minute field", 2},
      {"0 5-3 * * *", "range 5-3 in the hour field goes backwards", 2},
      {"0 0 * * MON-", "missing value in the day-of-week field", 12},
      {"MON * * * *", "'MON' is not a valid minute", 0},
  };
  for (const BadCase& c : cases) {
    auto s = CronSchedule::parse(c.text);
    ASSERT_FALSE(s) << c.text;
    EXPECT_NE(s.error().message.find(c.message), std::string::npos)
        << c.text << ": " << s.error().message;
    EXPECT_EQ(s.error().offset, c.offset) << c.text << ": " << s.error().message;
  }
}

}  // namespace
}  // namespace pipewright::util
