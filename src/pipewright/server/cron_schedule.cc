#include "pipewright/server/cron_schedule.h"

#include <fmt/format.h>

namespace pipewright::server {

namespace {

using std::chrono::minutes;
using std::chrono::sys_seconds;

// Counting missed fire times is for the log only; a server down for longer than this
// counts the fire times of the last 400 days.
constexpr auto k_count_window = std::chrono::days(400);

bool is_utc(std::string_view zone) {
  return zone.empty() || zone == "UTC" || zone == "Etc/UTC" || zone == "Etc/GMT" || zone == "GMT" ||
         zone == "Z";
}

}  // namespace

LoadedSchedules load_schedules(const std::vector<ScheduleEntry>& entries) {
  LoadedSchedules loaded;
  for (const ScheduleEntry& entry : entries) {
    auto cron = util::CronSchedule::parse(entry.cron);
    if (!cron) {
      loaded.refused.push_back(
          util::Error{fmt::format("invalid cron expression '{}' in {}: {}", entry.cron,
                                  entry.workflow_file, cron.error().message),
                      entry.location,
                      "write five fields (minute hour day-of-month month day-of-week) in UTC, e.g. "
                      "'30 5 * * 1-5'; this schedule will not run until it is fixed"});
      continue;
    }
    if (!is_utc(entry.timezone)) {
      loaded.refused.push_back(util::Error{
          fmt::format("schedule '{}' in {} asks for time zone '{}', which this server does "
                      "not support yet",
                      entry.cron, entry.workflow_file, entry.timezone),
          entry.location, "remove `timezone:` and write the cron in UTC"});
      continue;
    }
    loaded.schedules.push_back(Schedule{entry, std::move(*cron)});
  }
  return loaded;
}

std::vector<Firing> due_firings(const std::vector<Schedule>& schedules,
                                std::optional<sys_seconds> last_check, sys_seconds now) {
  std::vector<Firing> firings;
  const sys_seconds now_minute = std::chrono::floor<minutes>(now);
  // Fire times strictly after `from` up to and including now's minute.
  sys_seconds from = now_minute - minutes(1);
  if (last_check) {
    from = std::chrono::floor<minutes>(*last_check);
    if (from >= now_minute) return firings;  // same minute again, or the clock went back
    if (from < now_minute - k_count_window) from = now_minute - k_count_window;
  }
  for (const Schedule& schedule : schedules) {
    Firing firing{&schedule, {}, 0};
    for (auto t = schedule.cron.next_after(from); t && *t <= now_minute;
         t = schedule.cron.next_after(*t)) {
      firing.at = *t;
      ++firing.missed;
    }
    if (firing.missed > 0) firings.push_back(firing);
  }
  return firings;
}

}  // namespace pipewright::server
