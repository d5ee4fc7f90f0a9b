#include "pipewright/server/cron_schedule.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::server {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// 2026-03-02 is a Monday.
sys_seconds at(int day, int hour, int minute, int second = 0) {
  return sys_days{year{2026} / March / day} + hours(hour) + minutes(minute) + seconds(second);
}

std::vector<Schedule> load(std::vector<std::string> crons) {
  std::vector<ScheduleEntry> entries;
  for (size_t i = 0; i < crons.size(); ++i)
    entries.push_back({".github/workflows/w" + std::to_string(i) + ".yml", crons[i], "",
                       util::Location{".github/workflows/w.yml", 4, 14}});
  LoadedSchedules loaded = load_schedules(entries);
  EXPECT_TRUE(loaded.refused.empty());
  return std::move(loaded.schedules);
}

TEST(CronScheduleTest, EntriesComeFromTheWorkflowWithTheirLocations) {
  auto loaded = workflow::load_workflow_text(R"(name: nightly
on:
  push:
  schedule:
    - cron: '30 5 * * 1-5'
    - cron: '0 9 * * *'
      timezone: America/New_York
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
)",
                                             ".github/workflows/nightly.yml");
  ASSERT_TRUE(loaded.workflow);
  auto entries = schedule_entries(*loaded.workflow);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].workflow_file, ".github/workflows/nightly.yml");
  EXPECT_EQ(entries[0].cron, "30 5 * * 1-5");
  EXPECT_EQ(entries[0].timezone, "");
  EXPECT_EQ(entries[0].location.line, 5);
  EXPECT_EQ(entries[1].timezone, "America/New_York");
  EXPECT_EQ(entries[1].location.line, 6);
  auto none = workflow::load_workflow_text("on: push\njobs: {}\n", "w.yml");
  ASSERT_TRUE(none.workflow);
  EXPECT_TRUE(schedule_entries(*none.workflow).empty());
}

TEST(CronScheduleTest, InvalidCronsAreRefusedWithTheirLocationAndTheRestLoad) {
  std::vector<ScheduleEntry> entries{
      {".github/workflows/nightly.yml", "0 3 * * *", "", {".github/workflows/nightly.yml", 5, 14}},
      {".github/workflows/bad.yml", "0 25 * * *", "", {".github/workflows/bad.yml", 6, 16}},
      {".github/workflows/short.yml", "@daily", "", {".github/workflows/short.yml", 7, 16}},
      {".github/workflows/four.yml", "0 3 * *", "", {".github/workflows/four.yml", 8, 16}},
  };
  LoadedSchedules loaded = load_schedules(entries);
  ASSERT_EQ(loaded.schedules.size(), 1u);
  EXPECT_EQ(loaded.schedules[0].entry.workflow_file, ".github/workflows/nightly.yml");
  ASSERT_EQ(loaded.refused.size(), 3u);
  EXPECT_EQ(util::format_error(loaded.refused[0]).substr(0, 31), ".github/workflows/bad.yml:6:16:");
  EXPECT_NE(loaded.refused[0].message.find("'0 25 * * *'"), std::string::npos);
  EXPECT_NE(loaded.refused[0].message.find("hour"), std::string::npos);
  EXPECT_NE(loaded.refused[1].message.find("not supported by GitHub"), std::string::npos);
  EXPECT_NE(loaded.refused[2].message.find("expected 5 fields"), std::string::npos);
  EXPECT_FALSE(loaded.refused[0].hint.empty());
}

TEST(CronScheduleTest, UnknownTimeZonesAreRefused) {
  std::vector<ScheduleEntry> entries{
      {"w.yml", "0 9 * * *", "Mars/Olympus_Mons", {"w.yml", 3, 9}},
      {"x.yml", "0 9 * * *", "../../etc/passwd", {"x.yml", 3, 9}},
      {"u.yml", "0 9 * * *", "UTC", {"u.yml", 3, 9}},
      {"e.yml", "0 9 * * *", "Etc/UTC", {"e.yml", 3, 9}},
  };
  LoadedSchedules loaded = load_schedules(entries);
  ASSERT_EQ(loaded.refused.size(), 2u);
  EXPECT_NE(loaded.refused[0].message.find("Mars/Olympus_Mons"), std::string::npos);
  EXPECT_EQ(loaded.refused[0].location.file, "w.yml");
  EXPECT_FALSE(loaded.refused[0].hint.empty());
  EXPECT_EQ(loaded.schedules.size(), 2u);
}

// Checks once a minute from `begin` to `end` (UTC) and returns every firing's time.
std::vector<sys_seconds> run_minutes(const std::vector<Schedule>& schedules, sys_seconds begin,
                                     sys_seconds end) {
  std::vector<sys_seconds> fired;
  sys_seconds last = begin - 1min;
  for (sys_seconds now = begin; now <= end; now += 1min) {
    for (const Firing& f : due_firings(schedules, last, now)) {
      EXPECT_EQ(f.missed, 1u);
      fired.push_back(f.at);
    }
    last = now;
  }
  return fired;
}

Schedule zoned(const std::string& cron, const std::string& zone) {
  LoadedSchedules loaded = load_schedules({{"z.yml", cron, zone, {"z.yml", 1, 1}}});
  EXPECT_TRUE(loaded.refused.empty()) << loaded.refused.front().message;
  return std::move(loaded.schedules.at(0));
}

TEST(CronScheduleTest, TimeZoneSchedulesFireOnTheZonesWallClock) {
  if (!std::filesystem::exists("/usr/share/zoneinfo/America/New_York")) GTEST_SKIP();
  std::vector<Schedule> schedules{zoned("0 9 * * *", "America/New_York")};
  // 09:00 New York is 14:00 UTC in winter (EST) and 13:00 UTC in summer (EDT).
  EXPECT_EQ(run_minutes(schedules, at(2, 12, 0), at(2, 15, 0)),
            std::vector<sys_seconds>{at(2, 14, 0)});
  sys_seconds july = sys_days{year{2026} / July / 1};
  EXPECT_EQ(run_minutes(schedules, july + 12h, july + 15h), std::vector<sys_seconds>{july + 13h});
}

TEST(CronScheduleTest, SpringForwardFiresSkippedTimesAtTheJumpAndFallBackOnce) {
  if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin")) GTEST_SKIP();
  std::vector<Schedule> schedules{zoned("30 2 * * *", "Europe/Berlin")};
  // 2026-03-29: 02:00 CET (01:00 UTC) jumps to 03:00 CEST; 02:30 never happens and fires
  // at 03:00 local, 01:00 UTC (GitHub: "a 2:30 AM schedule advances to 3:00 AM").
  EXPECT_EQ(run_minutes(schedules, at(29, 0, 0), at(29, 3, 0)),
            std::vector<sys_seconds>{at(29, 1, 0)});
  // 2026-10-25: 03:00 CEST (01:00 UTC) goes back to 02:00 CET; 02:30 happens twice
  // (00:30 and 01:30 UTC) and fires once.
  sys_seconds oct25 = sys_days{year{2026} / October / 25};
  EXPECT_EQ(run_minutes(schedules, oct25 - 1h, oct25 + 4h),
            std::vector<sys_seconds>{oct25 + 30min});
  // An ordinary day: 02:30 CEST = 00:30 UTC.
  sys_seconds june = sys_days{year{2026} / June / 10};
  EXPECT_EQ(run_minutes(schedules, june, june + 3h), std::vector<sys_seconds>{june + 30min});
}

TEST(CronScheduleTest, FiresOnTheMinuteOnce) {
  auto schedules = load({"*/15 * * * *", "30 5 * * 1-5"});
  // Checked every minute (with jitter in the seconds): each fire time fires exactly once.
  std::vector<std::pair<size_t, sys_seconds>> fired;
  sys_seconds last = at(2, 4, 59, 40);
  for (sys_seconds now = at(2, 5, 0, 3); now <= at(2, 5, 46, 0); now += 61s) {
    for (const Firing& f : due_firings(schedules, last, now)) {
      EXPECT_EQ(f.missed, 1u);
      fired.emplace_back(static_cast<size_t>(f.schedule - schedules.data()), f.at);
    }
    last = now;
  }
  std::vector<std::pair<size_t, sys_seconds>> expected{
      {0, at(2, 5, 0)}, {0, at(2, 5, 15)}, {1, at(2, 5, 30)}, {0, at(2, 5, 30)}, {0, at(2, 5, 45)}};
  // Order within one check follows the schedules' order.
  std::sort(expected.begin(), expected.end(), [](auto& a, auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  EXPECT_EQ(fired, expected);
}

TEST(CronScheduleTest, SameMinuteTwiceOrAClockGoingBackFiresNothing) {
  auto schedules = load({"* * * * *"});
  EXPECT_TRUE(due_firings(schedules, at(2, 5, 0, 10), at(2, 5, 0, 50)).empty());
  EXPECT_TRUE(due_firings(schedules, at(2, 5, 10), at(2, 5, 3)).empty());
  EXPECT_EQ(due_firings(schedules, at(2, 5, 0, 59), at(2, 5, 1, 0)).size(), 1u);
}

TEST(CronScheduleTest, FirstStartCountsOnlyTheCurrentMinute) {
  auto schedules = load({"0 * * * *", "5 * * * *"});
  auto firings = due_firings(schedules, std::nullopt, at(2, 7, 0, 30));
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].schedule, &schedules[0]);
  EXPECT_EQ(firings[0].at, at(2, 7, 0));
  EXPECT_TRUE(due_firings(schedules, std::nullopt, at(2, 7, 1)).empty());
}

TEST(CronScheduleTest, MissedFireTimesAreCoalescedIntoOneFiringEach) {
  // Down from Monday 01:00 to Tuesday 09:20.
  auto schedules = load({"*/10 * * * *", "0 3 * * *", "0 12 * * *", "0 0 1 1 *"});
  auto firings = due_firings(schedules, at(2, 1, 0), at(3, 9, 20, 5));
  ASSERT_EQ(firings.size(), 3u);
  EXPECT_EQ(firings[0].schedule, &schedules[0]);
  EXPECT_EQ(firings[0].at, at(3, 9, 20));
  // 01:10 Monday .. 09:20 Tuesday: 32 h 10 min after the first, one every 10 minutes.
  EXPECT_EQ(firings[0].missed, 6u * 32 + 2);
  EXPECT_EQ(firings[1].schedule, &schedules[1]);
  EXPECT_EQ(firings[1].at, at(3, 3, 0));
  EXPECT_EQ(firings[1].missed, 2u);  // Monday 03:00 and Tuesday 03:00
  EXPECT_EQ(firings[2].schedule, &schedules[2]);
  EXPECT_EQ(firings[2].at, at(2, 12, 0));
  EXPECT_EQ(firings[2].missed, 1u);  // only Monday noon; the yearly one did not fall due
  // The next minute's check does not fire them again.
  EXPECT_TRUE(due_firings(schedules, at(3, 9, 20, 5), at(3, 9, 21, 0)).empty());
}

TEST(CronScheduleTest, AVeryLongOutageStillFiresOnce) {
  auto schedules = load({"* * * * *"});
  auto firings = due_firings(schedules, at(2, 0, 0) - days(3 * 365), at(2, 0, 0));
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].at, at(2, 0, 0));
  EXPECT_EQ(firings[0].missed, 400u * 24 * 60);
}

TEST(CronScheduleTest, NoSchedulesFireNothing) {
  EXPECT_TRUE(due_firings({}, at(2, 0, 0), at(3, 0, 0)).empty());
  EXPECT_TRUE(load_schedules({}).schedules.empty());
}

}  // namespace
}  // namespace pipewright::server
