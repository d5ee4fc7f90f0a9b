// Schedules that fire more often than GitHub runs scheduled workflows: the shortest
// interval it honours is once every 5 minutes.
#include <chrono>

#include <fmt/format.h>

#include "pipewright/util/cron.h"
#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

using namespace std::chrono_literals;

constexpr std::chrono::seconds k_shortest_interval = 5min;
// A week (plus a day, for the step from Saturday to Sunday) holds every gap a 5-field
// cron expression can make between two firings on the same or adjacent days.
constexpr std::chrono::seconds k_window = 24h * 8;

// The shortest gap between two firings of `schedule`, or nullopt when it fires at most
// once in the window.
std::optional<std::chrono::seconds> shortest_gap(const util::CronSchedule& schedule) {
  // A Monday at midnight UTC, so the window starts on a week boundary.
  const std::chrono::sys_seconds start =
      std::chrono::sys_days{std::chrono::year{2024} / std::chrono::January / 1};
  std::optional<std::chrono::seconds> shortest;
  std::optional<std::chrono::sys_seconds> previous;
  std::chrono::sys_seconds t = start - 1min;
  while (auto next = schedule.next_after(t)) {
    if (*next > start + k_window) break;
    if (previous) {
      std::chrono::seconds gap = *next - *previous;
      if (!shortest || gap < *shortest) shortest = gap;
      if (*shortest < k_shortest_interval) break;
    }
    previous = next;
    t = *next;
  }
  return shortest;
}

}  // namespace

void check_cron_intervals(const LintContext& c) {
  for (const Event& event : c.workflow.on)
    for (const CronEntry& entry : event.schedule) {
      if (!entry.cron.present()) continue;
      auto schedule = util::CronSchedule::parse(entry.cron.value);
      if (!schedule) continue;  // the cron rule reports the syntax
      auto gap = shortest_gap(*schedule);
      if (!gap || *gap >= k_shortest_interval) continue;
      auto minutes = std::chrono::duration_cast<std::chrono::minutes>(*gap).count();
      c.error(entry.cron.location,
              fmt::format("schedule '{}' fires every {} minute{}; GitHub runs scheduled "
                          "workflows at most once every 5 minutes",
                          entry.cron.value, minutes, minutes == 1 ? "" : "s"),
              "cron-interval", "use a step of at least 5 minutes, e.g. '*/5 * * * *'");
    }
}

}  // namespace pipewright::workflow::lint
