#include "pipewright/expr/casefold.h"

#include <algorithm>

#include "pipewright/expr/casefold_table.h"

namespace pipewright::expr {

namespace {

// Decodes one UTF-8 code point at s[i], advancing i. Invalid bytes decode as
// themselves (0x80..0xFF) so that comparisons stay total.
char32_t decode(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  int len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return b;
  }
  char32_t cp = b & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      ++i;
      return b;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  i += len;
  return cp;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

char ascii_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
}

// The first UTF-16 code unit of a code point (for ordinal UTF-16 ordering).
uint32_t utf16_key(char32_t cp) {
  if (cp < 0x10000) return cp;
  return 0xD800 + ((cp - 0x10000) >> 10);
}

}  // namespace

char32_t to_upper(char32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  const detail::CaseRun* begin = detail::k_upper_runs;
  const detail::CaseRun* end = begin + detail::k_upper_run_count;
  const detail::CaseRun* it = std::upper_bound(
      begin, end, c, [](char32_t v, const detail::CaseRun& r) { return v < r.first; });
  if (it == begin) return c;
  --it;
  if (c > it->last || (c - it->first) % it->stride != 0) return c;
  return static_cast<char32_t>(static_cast<int32_t>(c) + it->delta);
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (is_ascii(a) && is_ascii(b)) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
    return true;
  }
  return compare_ignore_case(a, b) == 0;
}

int compare_ignore_case(std::string_view a, std::string_view b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    char32_t ca = to_upper(decode(a, i));
    char32_t cb = to_upper(decode(b, j));
    if (ca == cb) continue;
    uint32_t ka = utf16_key(ca);
    uint32_t kb = utf16_key(cb);
    if (ka != kb) return ka < kb ? -1 : 1;
    return ca < cb ? -1 : 1;  // same high surrogate: the low one decides
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

namespace {

// Whether `needle` matches `s` at byte `i` ignoring case; sets `end` past the match.
bool match_at(std::string_view s, size_t i, std::string_view needle, size_t& end) {
  size_t j = 0;
  while (j < needle.size()) {
    if (i >= s.size()) return false;
    if (to_upper(decode(s, i)) != to_upper(decode(needle, j))) return false;
  }
  end = i;
  return true;
}

}  // namespace

size_t find_ignore_case(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return 0;
  size_t end = 0;
  for (size_t i = 0; i < haystack.size();) {
    if (match_at(haystack, i, needle, end)) return i;
    decode(haystack, i);
  }
  return std::string_view::npos;
}

bool starts_with_ignore_case(std::string_view s, std::string_view part) {
  size_t end = 0;
  return match_at(s, 0, part, end);
}

bool ends_with_ignore_case(std::string_view s, std::string_view part) {
  if (part.empty()) return true;
  // Try every code-point boundary whose suffix could match (upper-casing keeps lengths
  // close but not equal in bytes, so scan).
  size_t end = 0;
  for (size_t i = 0; i < s.size();) {
    if (match_at(s, i, part, end) && end == s.size()) return true;
    decode(s, i);
  }
  return false;
}

std::string to_upper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  if (is_ascii(s)) {
    for (char c : s)
      out += ascii_upper(c);
    return out;
  }
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t cp = decode(s, i);
    if (i == start + 1 && static_cast<unsigned char>(s[start]) >= 0x80) {
      out += s[start];  // an invalid byte stays as it is
      continue;
    }
    encode(to_upper(cp), out);
  }
  return out;
}

size_t hash_ignore_case(std::string_view s) {
  size_t h = 14695981039346656037ull;
  for (size_t i = 0; i < s.size();) {
    h ^= to_upper(decode(s, i));
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace pipewright::expr
