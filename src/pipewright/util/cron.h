// POSIX cron schedules as GitHub's `on.schedule[*].cron` accepts them: five fields
// (minute hour day-of-month month day-of-week) of numbers, `*`, ranges `a-b`, steps
// `*/n` / `a-b/n` / `a/n`, lists `a,b`, and the names JAN–DEC and SUN–SAT. Shortcuts
// like `@daily` are rejected because GitHub rejects them. Times are UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace pipewright::util {

// A syntax error in a cron expression: the message and the 0-based byte offset of the
// offending field or value in the expression.
struct CronError {
  std::string message;
  size_t offset = 0;
};

class CronSchedule {
 public:
  // Parses a 5-field expression; fails with a precise message (wrong field count,
  // value out of range, bad step, unknown name, shortcut, …).
  static std::expected<CronSchedule, CronError> parse(std::string_view expression);

  // True when the schedule fires in the minute starting at `time` (seconds ignored).
  bool matches(std::chrono::sys_seconds time) const;

  // The first firing time strictly after `time` (whole minutes), or nullopt when the
  // schedule never fires (e.g. `0 0 30 2 *`) within the next eight years.
  std::optional<std::chrono::sys_seconds> next_after(std::chrono::sys_seconds time) const;

  const std::string& text() const { return m_text; }

 private:
  std::string m_text;
  uint64_t m_minutes = 0;  // bit n set: fires at minute n
  uint32_t m_hours = 0;
  uint32_t m_days = 0;        // bits 1..31
  uint16_t m_months = 0;      // bits 1..12
  uint8_t m_weekdays = 0;     // bits 0..6, Sunday = 0
  bool m_any_day = true;      // day-of-month field was `*`
  bool m_any_weekday = true;  // day-of-week field was `*`

  bool day_matches(std::chrono::year_month_day date) const;
};

}  // namespace pipewright::util
