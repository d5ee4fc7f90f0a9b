// IANA time zones from the system's tz database (TZif files under /usr/share/zoneinfo, or
// $TZDIR), for schedules with a `timezone:`. GCC 12's <chrono> has no tzdb, and the C
// library's localtime needs the process-wide TZ variable, so the files are read here: the
// transitions they list and, past the last one, the POSIX TZ rule in their footer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::util {

class TimeZone {
 public:
  // UTC.
  TimeZone() = default;
  // The zone `name` ("Europe/Berlin"); "UTC", "Etc/UTC", "GMT" and "" need no file. Fails
  // for a name that is not a zone (unknown, malformed, `..`) or an unreadable file.
  static Expected<TimeZone> load(std::string_view name);

  // The offset from UTC at instant `utc` (local = utc + offset).
  std::chrono::seconds offset_at(std::chrono::sys_seconds utc) const;
  // The local wall-clock time of `utc`, as a sys_seconds value (for calendar arithmetic).
  std::chrono::sys_seconds to_local(std::chrono::sys_seconds utc) const {
    return utc + offset_at(utc);
  }
  const std::string& name() const { return m_name; }
  bool is_utc() const { return m_transitions.empty() && !m_has_rule && m_initial == 0; }

  // A daylight-saving rule of a POSIX TZ string (the footer of TZif files).
  struct Rule {
    enum class Kind { month_week_day, julian_no_leap, julian_zero } kind = Kind::month_week_day;
    int month = 0, week = 0, day = 0;  // Mm.w.d; `day` is also n of Jn / n
    int32_t time = 7200;               // seconds after local midnight (may be < 0 or > 24 h)
  };

 private:
  std::string m_name = "UTC";
  std::vector<int64_t> m_transitions;  // UTC seconds, ascending
  std::vector<int32_t> m_offsets;      // offset in force from transition i on
  int32_t m_initial = 0;               // offset before the first transition
  // The footer rule: standard offset, and when `m_has_rule`, DST offset and its start/end.
  bool m_has_footer = false;
  int32_t m_std = 0, m_dst = 0;
  bool m_has_rule = false;
  Rule m_start, m_end;

  friend Expected<TimeZone> parse_tzif(std::string name, std::string_view data);
  friend bool parse_posix_tz(std::string_view text, TimeZone& zone);
  int32_t rule_offset(int64_t utc) const;
};

// Parses TZif data (RFC 8536, versions 1 to 4) into a zone called `name`.
Expected<TimeZone> parse_tzif(std::string name, std::string_view data);
// Reads a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3") into `zone`'s footer rule.
bool parse_posix_tz(std::string_view text, TimeZone& zone);

}  // namespace pipewright::util
