#include "pipewright/util/time_zone.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>

namespace pipewright::util {

namespace {

using namespace std::chrono;

constexpr size_t k_header = 44;
constexpr size_t k_max_file = 1 << 20;

bool utc_alias(std::string_view name) {
  return name.empty() || name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Etc/GMT" ||
         name == "Etc/Universal" || name == "Universal" || name == "Zulu" || name == "Etc/Zulu";
}

// Zone names are paths below the database: letters, digits, `_+-` and `/` between parts.
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '/' || name.back() == '/') return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '-' &&
        c != '+')
      return false;
  return name.find("..") == std::string_view::npos && name.find("//") == std::string_view::npos;
}

int64_t read_be(std::string_view data, size_t at, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i)
    v = v << 8 | static_cast<unsigned char>(data[at + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

// ---- POSIX TZ strings ---------------------------------------------------------------------

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
};

bool read_name(Cursor& c) {
  if (c.peek() == '<') {
    size_t close = c.s.find('>', c.i);
    if (close == std::string_view::npos) return false;
    c.i = close + 1;
    return true;
  }
  size_t start = c.i;
  while (std::isalpha(static_cast<unsigned char>(c.peek())))
    ++c.i;
  return c.i - start >= 3;
}

std::optional<int> read_number(Cursor& c) {
  size_t start = c.i;
  int v = 0;
  while (std::isdigit(static_cast<unsigned char>(c.peek())) && c.i - start < 4)
    v = v * 10 + (c.s[c.i++] - '0');
  if (c.i == start) return std::nullopt;
  return v;
}

// [+-]hh[:mm[:ss]] in seconds.
std::optional<int32_t> read_time(Cursor& c) {
  int sign = 1;
  if (c.peek() == '+' || c.peek() == '-') sign = c.s[c.i++] == '-' ? -1 : 1;
  auto h = read_number(c);
  if (!h || *h > 167) return std::nullopt;
  int32_t total = *h * 3600;
  for (int unit : {60, 1}) {
    if (c.peek() != ':') break;
    ++c.i;
    auto part = read_number(c);
    if (!part || *part > 59) return std::nullopt;
    total += *part * unit;
  }
  return sign * total;
}

std::optional<TimeZone::Rule> read_rule(Cursor& c) {
  TimeZone::Rule rule;
  if (c.peek() == 'M') {
    ++c.i;
    auto m = read_number(c);
    if (!m || c.peek() != '.') return std::nullopt;
    ++c.i;
    auto w = read_number(c);
    if (!w || c.peek() != '.') return std::nullopt;
    ++c.i;
    auto d = read_number(c);
    if (!d || *m < 1 || *m > 12 || *w < 1 || *w > 5 || *d > 6) return std::nullopt;
    rule.month = *m;
    rule.week = *w;
    rule.day = *d;
  } else {
    rule.kind = TimeZone::Rule::Kind::julian_zero;
    if (c.peek() == 'J') {
      ++c.i;
      rule.kind = TimeZone::Rule::Kind::julian_no_leap;
    }
    auto n = read_number(c);
    if (!n || *n > 365) return std::nullopt;
    rule.day = *n;
  }
  if (c.peek() == '/') {
    ++c.i;
    auto t = read_time(c);
    if (!t) return std::nullopt;
    rule.time = *t;
  }
  return rule;
}

// The local midnight (as days since the epoch) the rule names in `y`.
sys_days rule_day(const TimeZone::Rule& rule, year y) {
  switch (rule.kind) {
    case TimeZone::Rule::Kind::julian_no_leap: {
      // 1..365, February 29 never counted.
      sys_days d = sys_days{y / January / 1} + days(rule.day - 1);
      if (y.is_leap() && rule.day >= 60) d += days(1);
      return d;
    }
    case TimeZone::Rule::Kind::julian_zero:
      return sys_days{y / January / 1} + days(rule.day);
    case TimeZone::Rule::Kind::month_week_day:
      break;
  }
  month m{static_cast<unsigned>(rule.month)};
  weekday wd{static_cast<unsigned>(rule.day)};
  if (rule.week == 5) return sys_days{y / m / wd[last]};
  return sys_days{y / m / wd[static_cast<unsigned>(rule.week)]};
}

}  // namespace

bool parse_posix_tz(std::string_view text, TimeZone& zone) {
  Cursor c{text};
  if (!read_name(c)) return false;
  auto std_offset = read_time(c);
  if (!std_offset) return false;
  zone.m_has_footer = true;
  zone.m_std = -*std_offset;  // POSIX counts west of Greenwich as positive
  zone.m_has_rule = false;
  if (c.done()) return true;
  if (!read_name(c)) return false;
  zone.m_dst = zone.m_std + 3600;
  if (c.peek() != ',' && !c.done()) {
    auto dst_offset = read_time(c);
    if (!dst_offset) return false;
    zone.m_dst = -*dst_offset;
  }
  TimeZone::Rule start{TimeZone::Rule::Kind::month_week_day, 3, 2, 0, 7200};  // POSIX default
  TimeZone::Rule end{TimeZone::Rule::Kind::month_week_day, 11, 1, 0, 7200};
  if (c.peek() == ',') {
    ++c.i;
    auto s = read_rule(c);
    if (!s || c.peek() != ',') return false;
    ++c.i;
    auto e = read_rule(c);
    if (!e) return false;
    start = *s;
    end = *e;
  }
  if (!c.done()) return false;
  zone.m_has_rule = true;
  zone.m_start = start;
  zone.m_end = end;
  return true;
}

int32_t TimeZone::rule_offset(int64_t utc) const {
  if (!m_has_rule) return m_std;
  year y = year_month_day(floor<days>(sys_seconds(seconds(utc + m_std)))).year();
  // DST starts at a standard-time wall clock and ends at a daylight-time one.
  auto start = sys_seconds(rule_day(m_start, y)).time_since_epoch().count() + m_start.time - m_std;
  auto end = sys_seconds(rule_day(m_end, y)).time_since_epoch().count() + m_end.time - m_dst;
  bool dst = start < end ? (utc >= start && utc < end) : (utc < end || utc >= start);
  return dst ? m_dst : m_std;
}

std::chrono::seconds TimeZone::offset_at(sys_seconds utc) const {
  int64_t t = utc.time_since_epoch().count();
  if (m_transitions.empty() || t < m_transitions.front())
    return seconds(m_transitions.empty() && m_has_footer ? rule_offset(t) : m_initial);
  if (t >= m_transitions.back() && m_has_footer) return seconds(rule_offset(t));
  auto it = std::upper_bound(m_transitions.begin(), m_transitions.end(), t);
  return seconds(m_offsets[static_cast<size_t>(it - m_transitions.begin()) - 1]);
}

Expected<TimeZone> parse_tzif(std::string name, std::string_view data) {
  auto bad = [&] { return fail("the time zone file of '" + name + "' is not valid TZif data"); };
  if (data.size() < k_header || data.substr(0, 4) != "TZif") return bad();
  char version = data[4];
  size_t at = 0;
  size_t time_size = 4;
  // Version 2+ repeats the data with 64-bit times after the version 1 block: use that.
  for (int pass = 0; pass < 2; ++pass) {
    if (data.size() < at + k_header || data.substr(at, 4) != "TZif") return bad();
    auto count = [&](int i) { return static_cast<size_t>(read_be(data, at + 20 + 4 * i, 4)); };
    size_t isut = count(0), isstd = count(1), leap = count(2), times = count(3), types = count(4),
           chars = count(5);
    if (types == 0 || types > 256 || times > 100000 || chars > 1000 || leap > 1000) return bad();
    size_t body =
        times * time_size + times + types * 6 + chars + leap * (time_size + 4) + isstd + isut;
    size_t start = at + k_header;
    if (data.size() < start + body) return bad();
    if (pass == 0 && version != '\0') {
      at = start + body;
      time_size = 8;
      continue;
    }
    TimeZone zone;
    zone.m_name = std::move(name);
    size_t idx_at = start + times * time_size;
    size_t type_at = idx_at + times;
    auto type_offset = [&](size_t type) {
      return static_cast<int32_t>(read_be(data, type_at + 6 * type, 4));
    };
    for (size_t i = 0; i < times; ++i) {
      size_t type = static_cast<unsigned char>(data[idx_at + i]);
      if (type >= types) return bad();
      zone.m_transitions.push_back(read_be(data, start + i * time_size, time_size));
      zone.m_offsets.push_back(type_offset(type));
    }
    if (!std::is_sorted(zone.m_transitions.begin(), zone.m_transitions.end())) return bad();
    // Before the first transition: time type 0 (RFC 8536 section 3.2).
    zone.m_initial = type_offset(0);
    if (time_size == 8) {
      size_t footer = start + body;
      if (footer < data.size() && data[footer] == '\n') {
        size_t end = data.find('\n', footer + 1);
        if (end == std::string_view::npos) return bad();
        std::string_view tz = data.substr(footer + 1, end - footer - 1);
        if (!tz.empty() && !parse_posix_tz(tz, zone)) return bad();
      }
    }
    return zone;
  }
  return bad();
}

Expected<TimeZone> TimeZone::load(std::string_view name) {
  if (utc_alias(name)) return TimeZone();
  if (!valid_name(name))
    return fail("'" + std::string(name) + "' is not an IANA time zone name", {},
                "use a name like 'America/New_York' or 'Europe/Berlin'");
  const char* dir = std::getenv("TZDIR");
  std::string path =
      std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail("unknown time zone '" + std::string(name) + "'", {},
                "use a name from the IANA time zone database, e.g. 'America/New_York'");
  std::string data;
  data.resize(k_max_file);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return parse_tzif(std::string(name), data);
}

}  // namespace pipewright::util
