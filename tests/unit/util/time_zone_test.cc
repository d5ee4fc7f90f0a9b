#include "pipewright/util/time_zone.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace pipewright::util {
namespace {

using namespace std::chrono;

sys_seconds utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}

bool have_zoneinfo() {
  return std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin");
}

TEST(TimeZoneTest, UtcNeedsNoFile) {
  for (const char* name : {"", "UTC", "Etc/UTC", "GMT"}) {
    auto zone = TimeZone::load(name);
    ASSERT_TRUE(zone) << name;
    EXPECT_TRUE(zone->is_utc());
    EXPECT_EQ(zone->offset_at(utc(2026, 7, 1, 12)), seconds(0));
  }
}

TEST(TimeZoneTest, MalformedOrUnknownNamesFail) {
  for (const char* name : {"../../etc/passwd", "/etc/localtime", "Europe/../UTC", "Europe Berlin",
                           "Mars/Olympus_Mons", "Europe/"}) {
    auto zone = TimeZone::load(name);
    ASSERT_FALSE(zone) << name;
    EXPECT_FALSE(zone.error().hint.empty());
  }
}

TEST(TimeZoneTest, BerlinFromTheDatabase) {
  if (!have_zoneinfo()) GTEST_SKIP() << "no /usr/share/zoneinfo (tzdata)";
  auto berlin = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(berlin) << berlin.error().message;
  EXPECT_FALSE(berlin->is_utc());
  EXPECT_EQ(berlin->offset_at(utc(2026, 1, 15, 12)), hours(1));
  EXPECT_EQ(berlin->offset_at(utc(2026, 7, 15, 12)), hours(2));
  // 2026-03-29 01:00 UTC clocks go from 02:00 CET to 03:00 CEST.
  EXPECT_EQ(berlin->offset_at(utc(2026, 3, 29, 0, 59)), hours(1));
  EXPECT_EQ(berlin->offset_at(utc(2026, 3, 29, 1, 0)), hours(2));
  // 2026-10-25 01:00 UTC back to CET.
  EXPECT_EQ(berlin->offset_at(utc(2026, 10, 25, 0, 59)), hours(2));
  EXPECT_EQ(berlin->offset_at(utc(2026, 10, 25, 1, 0)), hours(1));
  EXPECT_EQ(berlin->to_local(utc(2026, 7, 15, 12)), utc(2026, 7, 15, 14));
}

TEST(TimeZoneTest, SouthernHemisphereAndHalfHourZones) {
  if (!have_zoneinfo()) GTEST_SKIP() << "no /usr/share/zoneinfo (tzdata)";
  auto sydney = TimeZone::load("Australia/Sydney");
  ASSERT_TRUE(sydney);
  EXPECT_EQ(sydney->offset_at(utc(2026, 1, 15, 0)), hours(11));  // summer: AEDT
  EXPECT_EQ(sydney->offset_at(utc(2026, 7, 15, 0)), hours(10));
  auto kolkata = TimeZone::load("Asia/Kolkata");
  ASSERT_TRUE(kolkata);
  EXPECT_EQ(kolkata->offset_at(utc(2026, 7, 15, 0)), hours(5) + minutes(30));
  auto new_york = TimeZone::load("America/New_York");
  ASSERT_TRUE(new_york);
  // 2026-03-08 07:00 UTC: 02:00 EST becomes 03:00 EDT.
  EXPECT_EQ(new_york->offset_at(utc(2026, 3, 8, 6, 59)), hours(-5));
  EXPECT_EQ(new_york->offset_at(utc(2026, 3, 8, 7, 0)), hours(-4));
}

TEST(TimeZoneTest, PastTheLastTransitionTheFooterRuleApplies) {
  if (!have_zoneinfo()) GTEST_SKIP() << "no /usr/share/zoneinfo (tzdata)";
  auto berlin = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(berlin);
  // 2060 is past every transition a TZif file lists; the rule CET-1CEST,M3.5.0,M10.5.0/3.
  EXPECT_EQ(berlin->offset_at(utc(2060, 1, 10, 12)), hours(1));
  EXPECT_EQ(berlin->offset_at(utc(2060, 7, 10, 12)), hours(2));
  // Last Sunday of March 2060 is the 28th: 01:00 UTC.
  EXPECT_EQ(berlin->offset_at(utc(2060, 3, 28, 0, 59)), hours(1));
  EXPECT_EQ(berlin->offset_at(utc(2060, 3, 28, 1, 0)), hours(2));
}

TEST(TimeZoneTest, PosixRulesAlone) {
  TimeZone zone;
  ASSERT_TRUE(parse_posix_tz("EST5EDT,M3.2.0,M11.1.0", zone));
  EXPECT_EQ(zone.offset_at(utc(2030, 1, 1, 0)), hours(-5));
  EXPECT_EQ(zone.offset_at(utc(2030, 7, 1, 0)), hours(-4));
  // Second Sunday of March 2030 is the 10th; 02:00 EST = 07:00 UTC.
  EXPECT_EQ(zone.offset_at(utc(2030, 3, 10, 6, 59)), hours(-5));
  EXPECT_EQ(zone.offset_at(utc(2030, 3, 10, 7, 0)), hours(-4));
  ASSERT_TRUE(parse_posix_tz("<+0330>-3:30", zone));
  EXPECT_EQ(zone.offset_at(utc(2030, 7, 1, 0)), hours(3) + minutes(30));
  ASSERT_TRUE(parse_posix_tz("AEST-10AEDT,M10.1.0,M4.1.0/3", zone));
  EXPECT_EQ(zone.offset_at(utc(2030, 1, 1, 0)), hours(11));
  EXPECT_EQ(zone.offset_at(utc(2030, 7, 1, 0)), hours(10));
  // Negative DST (Europe/Dublin's IST-1GMT0): "standard" is summer time.
  ASSERT_TRUE(parse_posix_tz("IST-1GMT0,M10.5.0,M3.5.0/1", zone));
  EXPECT_EQ(zone.offset_at(utc(2030, 1, 1, 0)), hours(0));
  EXPECT_EQ(zone.offset_at(utc(2030, 7, 1, 0)), hours(1));
  for (const char* bad : {"", "E5", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0",
                          "EST5EDT,M3.2.0,M11.1.0junk", "<+03"}) {
    TimeZone z;
    EXPECT_FALSE(parse_posix_tz(bad, z)) << bad;
  }
}

TEST(TimeZoneTest, TruncatedOrForeignFilesFail) {
  EXPECT_FALSE(parse_tzif("X", ""));
  EXPECT_FALSE(parse_tzif("X", "TZif2"));
  EXPECT_FALSE(parse_tzif("X", std::string("NOTZ") + std::string(60, '\0')));
  // A header that promises more data than there is.
  std::string header = "TZif2" + std::string(15, '\0');
  for (int count : {0, 0, 0, 50, 1, 4}) {
    header += std::string(3, '\0');
    header += static_cast<char>(count);
  }
  EXPECT_FALSE(parse_tzif("X", header + std::string(10, '\0')));
}

}  // namespace
}  // namespace pipewright::util
