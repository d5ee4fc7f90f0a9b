#include "pipewright/util/cron.h"

#include <array>
#include <cctype>
#include <charconv>
#include <span>
#include <vector>

#include <fmt/format.h>

namespace pipewright::util {

namespace {

using namespace std::chrono;

constexpr std::string_view k_month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                              "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::string_view k_day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

// One row per field, in expression order.
struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  std::span<const std::string_view> names;  // names[i] stands for min + i
};
const FieldSpec k_fields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month", 1, 12, k_month_names},
    {"day-of-week", 0, 6, k_day_names},
};

std::unexpected<CronError> cron_fail(std::string message, size_t offset) {
  return std::unexpected(CronError{std::move(message), offset});
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

// A single value: a number or (for month/weekday) a name.
std::expected<int, CronError> parse_value(std::string_view text, size_t offset,
                                          const FieldSpec& f) {
  if (text.empty()) return cron_fail(fmt::format("missing value in the {} field", f.name), offset);
  for (size_t i = 0; i < f.names.size(); ++i)
    if (iequals(text, f.names[i])) return f.min + static_cast<int>(i);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range)
    return cron_fail(fmt::format("{} {} is out of range {}-{}", f.name, text, f.min, f.max),
                     offset);
  if (ec != std::errc() || end != text.data() + text.size()) {
    std::string allowed = fmt::format("a number {}-{}", f.min, f.max);
    if (!f.names.empty())
      allowed += fmt::format(" or a name {}-{}", f.names.front(), f.names.back());
    return cron_fail(fmt::format("'{}' is not a valid {} ({})", text, f.name, allowed), offset);
  }
  if (value < f.min || value > f.max)
    return cron_fail(fmt::format("{} {} is out of range {}-{}", f.name, value, f.min, f.max),
                     offset);
  return value;
}

// One field ("1,5-10/2,*/15") as a bit mask.
std::expected<uint64_t, CronError> parse_field(std::string_view text, size_t offset,
                                               const FieldSpec& f) {
  uint64_t bits = 0;
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
    size_t at = offset + pos;
    if (item.empty()) return cron_fail(fmt::format("empty list item in the {} field", f.name), at);
    int step = 1;
    size_t slash = item.find('/');
    std::string_view range = item.substr(0, slash);
    if (slash != std::string_view::npos) {
      std::string_view s = item.substr(slash + 1);
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size() || step < 1)
        return cron_fail(
            fmt::format("step '{}' in the {} field must be a positive number", s, f.name),
            at + slash + 1);
    }
    int lo = f.min, hi = f.max;
    if (range != "*") {
      size_t dash = range.find('-');
      auto first = parse_value(range.substr(0, dash), at, f);
      if (!first) return std::unexpected(first.error());
      lo = *first;
      if (dash != std::string_view::npos) {
        auto last = parse_value(range.substr(dash + 1), at + dash + 1, f);
        if (!last) return std::unexpected(last.error());
        hi = *last;
        if (hi < lo)
          return cron_fail(fmt::format("range {} in the {} field goes backwards", range, f.name),
                           at);
      } else if (slash == std::string_view::npos) {
        hi = lo;  // a lone value; `a/n` means a..max every n
      }
    }
    for (int v = lo; v <= hi; v += step)
      bits |= uint64_t{1} << v;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return bits;
}

}  // namespace

std::expected<CronSchedule, CronError> CronSchedule::parse(std::string_view expression) {
  CronSchedule s;
  s.m_text = std::string(expression);
  std::vector<std::pair<std::string_view, size_t>> fields;
  size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && std::isspace(static_cast<unsigned char>(expression[i])))
      ++i;
    size_t start = i;
    while (i < expression.size() && !std::isspace(static_cast<unsigned char>(expression[i])))
      ++i;
    if (i > start) fields.emplace_back(expression.substr(start, i - start), start);
  }
  if (!fields.empty() && fields[0].first.starts_with('@'))
    return cron_fail(fmt::format("'{}' shortcuts are not supported by GitHub; write five fields, "
                                 "e.g. '0 0 * * *' for daily",
                                 fields[0].first),
                     fields[0].second);
  if (fields.size() != std::size(k_fields))
    return cron_fail(fmt::format("expected 5 fields (minute hour day-of-month month "
                                 "day-of-week), found {}",
                                 fields.size()),
                     fields.size() > std::size(k_fields) ? fields[std::size(k_fields)].second : 0);
  std::array<uint64_t, 5> bits{};
  for (size_t f = 0; f < fields.size(); ++f) {
    auto parsed = parse_field(fields[f].first, fields[f].second, k_fields[f]);
    if (!parsed) return std::unexpected(parsed.error());
    bits[f] = *parsed;
  }
  s.m_minutes = bits[0];
  s.m_hours = static_cast<uint32_t>(bits[1]);
  s.m_days = static_cast<uint32_t>(bits[2]);
  s.m_months = static_cast<uint16_t>(bits[3]);
  s.m_weekdays = static_cast<uint8_t>(bits[4]);
  s.m_any_day = fields[2].first.starts_with('*');
  s.m_any_weekday = fields[4].first.starts_with('*');
  return s;
}

bool CronSchedule::day_matches(year_month_day date) const {
  if (!(m_months >> static_cast<unsigned>(date.month()) & 1)) return false;
  bool dom = m_days >> static_cast<unsigned>(date.day()) & 1;
  bool dow = m_weekdays >> weekday(sys_days(date)).c_encoding() & 1;
  // POSIX: when both day fields are restricted, either may match.
  if (!m_any_day && !m_any_weekday) return dom || dow;
  return dom && dow;
}

bool CronSchedule::matches(sys_seconds time) const {
  sys_days day = floor<days>(time);
  hh_mm_ss hms(time - day);
  return day_matches(year_month_day(day)) && (m_hours >> hms.hours().count() & 1) &&
         (m_minutes >> hms.minutes().count() & 1);
}

std::optional<sys_seconds> CronSchedule::next_after(sys_seconds time) const {
  sys_seconds start = floor<minutes>(time) + minutes(1);
  sys_days day = floor<days>(start);
  minutes from = floor<minutes>(start - day);
  for (int d = 0; d < 366 * 8 + 2; ++d, from = minutes(0)) {
    sys_days today = day + days(d);
    if (!day_matches(year_month_day(today))) continue;
    for (int m = static_cast<int>(from.count()); m < 24 * 60; ++m)
      if ((m_hours >> (m / 60) & 1) && (m_minutes >> (m % 60) & 1))
        return sys_seconds(today) + minutes(m);
  }
  return std::nullopt;
}

}  // namespace pipewright::util
