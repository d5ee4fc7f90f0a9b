#include "pipewright/server/cron_schedule.h"

#include <algorithm>

#include <fmt/format.h>

#include "pipewright/workflow/model.h"

namespace pipewright::server {

namespace {

using std::chrono::minutes;
using std::chrono::sys_seconds;

// Counting missed fire times is for the log only; a server down for longer than this
// counts the fire times of the last 400 days.
constexpr auto k_count_window = std::chrono::days(400);

// The latest wall-clock minute `zone` has shown up to `utc`. It is to_local(utc) except
// within a few hours after a fall-back change, when the clock still repeats times it has
// shown before the change (no zone sets its clock back by more than 3 hours).
sys_seconds wall_clock_reached(const util::TimeZone& zone, sys_seconds utc) {
  sys_seconds reached = zone.to_local(utc);
  if (zone.is_utc()) return reached;
  for (int k = 1; k <= 180; ++k)
    reached = std::max(reached, zone.to_local(utc - minutes(k)));
  return reached;
}

}  // namespace

std::vector<ScheduleEntry> schedule_entries(const workflow::Workflow& workflow) {
  std::vector<ScheduleEntry> entries;
  for (const workflow::Event& event : workflow.on) {
    if (event.name.value != "schedule") continue;
    for (const workflow::CronEntry& entry : event.schedule) {
      if (!entry.cron.present()) continue;
      entries.push_back(ScheduleEntry{workflow.file, entry.cron.value, entry.timezone.value,
                                      entry.cron.location});
    }
  }
  return entries;
}

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
    auto zone = util::TimeZone::load(entry.timezone);
    if (!zone) {
      loaded.refused.push_back(util::Error{fmt::format("schedule '{}' in {}: {}", entry.cron,
                                                       entry.workflow_file, zone.error().message),
                                           entry.location, zone.error().hint});
      continue;
    }
    loaded.schedules.push_back(Schedule{entry, std::move(*cron), std::move(*zone)});
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
    // The cron reads the zone's wall clock. Across a spring-forward gap the window of wall
    // times covers the skipped ones, so they fire at the jump; across a fall-back the wall
    // clock repeats an hour and the window is empty until it passes where it was.
    const sys_seconds local_from = wall_clock_reached(schedule.zone, from);
    const sys_seconds local_now = schedule.zone.to_local(now_minute);
    Firing firing{&schedule, {}, 0};
    sys_seconds latest{};
    for (auto t = schedule.cron.next_after(local_from); t && *t <= local_now;
         t = schedule.cron.next_after(*t)) {
      latest = *t;
      ++firing.missed;
    }
    if (firing.missed == 0) continue;
    // Back to UTC with the current offset; a skipped wall time is reported as the check.
    firing.at = latest - schedule.zone.offset_at(now_minute);
    if (firing.at <= from || firing.at > now_minute) firing.at = now_minute;
    firings.push_back(firing);
  }
  return firings;
}

}  // namespace pipewright::server
