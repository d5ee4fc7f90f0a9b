// Which scheduled workflows fire now. The server keeps the time of its last completed check
// and asks, once a minute, which (workflow, cron) fell due in (last check, now]. As on
// GitHub, schedules fire on the minute in UTC, or in the entry's IANA `timezone`: a time
// skipped by a spring-forward change fires when the clock jumps (02:30 fires at 03:00, as
// GitHub documents) and a time repeated by a fall-back change fires once. When the server
// was down across fire times, each missed schedule fires once at start (coalesced), never a
// burst, and the firing says how many fire times it stands for.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pipewright/util/cron.h"
#include "pipewright/util/error.h"
#include "pipewright/util/time_zone.h"

namespace pipewright::workflow {
struct Workflow;
}

namespace pipewright::server {

// A `schedule:` entry as written in a workflow of the default branch.
struct ScheduleEntry {
  std::string workflow_file;  // e.g. .github/workflows/nightly.yml
  std::string cron;           // the cron text
  std::string timezone;       // IANA name, "" = UTC
  util::Location location;    // of the cron value
};

// A parsed, valid entry.
struct Schedule {
  ScheduleEntry entry;
  util::CronSchedule cron;
  util::TimeZone zone;  // UTC unless the entry names one
};

struct LoadedSchedules {
  std::vector<Schedule> schedules;
  std::vector<util::Error> refused;  // invalid crons or time zones: file:line:col, what, hint
};

// The `on.schedule` entries of a loaded workflow (its file as `workflow_file`); entries
// without a `cron` are left out (the loader reports them).
std::vector<ScheduleEntry> schedule_entries(const workflow::Workflow& workflow);

// Parses every entry; an invalid one is refused with a located error, the rest load.
LoadedSchedules load_schedules(const std::vector<ScheduleEntry>& entries);

struct Firing {
  const Schedule* schedule = nullptr;  // points into the vector given to due_firings
  std::chrono::sys_seconds at;         // the (latest) fire time it stands for, in UTC
  size_t missed = 1;                   // fire times it stands for; > 1 means coalesced
};

// The schedules due in the minutes after `last_check` up to and including `now`'s minute,
// one firing each, in the order of `schedules`. Without a last check (first start) only
// `now`'s minute counts. A clock that went backwards (now <= last_check) fires nothing.
// After a very long outage only the last 400 days are counted in `missed`.
std::vector<Firing> due_firings(const std::vector<Schedule>& schedules,
                                std::optional<std::chrono::sys_seconds> last_check,
                                std::chrono::sys_seconds now);

}  // namespace pipewright::server
