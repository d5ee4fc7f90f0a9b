// @actions/glob pattern matching, shared by hashFiles (os/hash_files.cc) and the
// cache/artifact path globs (exec/actions/path_glob.cc).
#include "pipewright/os/glob_match.h"

#include <algorithm>

namespace pipewright::os {

namespace {

// Matches a character class at p[pi] == '['; advances pi past it. Returns nullopt-like -1
// when the class is malformed (then '[' is literal).
int match_class(std::string_view p, size_t& pi, unsigned char c) {
  size_t i = pi + 1;
  bool negated = i < p.size() && (p[i] == '!' || p[i] == '^');
  if (negated) ++i;
  bool matched = false;
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    unsigned char lo = static_cast<unsigned char>(p[i]);
    if (lo == '\\' && i + 1 < p.size()) lo = static_cast<unsigned char>(p[++i]);
    unsigned char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = static_cast<unsigned char>(p[i + 2]);
      i += 2;
    }
    if (c >= lo && c <= hi) matched = true;
    ++i;
  }
  if (i >= p.size()) return -1;
  pi = i + 1;
  return matched != negated ? 1 : 0;
}

}  // namespace

bool has_glob(std::string_view segment) {
  return segment.find_first_of("*?[") != std::string_view::npos;
}

// One path segment against one pattern segment (`*`, `?`, `[...]`, `\x`); `*` matches dotfiles.
bool match_segment(std::string_view p, std::string_view s) {
  size_t pi = 0;
  size_t si = 0;
  size_t star_p = std::string_view::npos;
  size_t star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      char pc = p[pi];
      if (pc == '*') {
        star_p = ++pi;
        star_s = si;
        continue;
      }
      if (pc == '?') {
        ++pi;
        ++si;
        continue;
      }
      if (pc == '[') {
        size_t next = pi;
        int r = match_class(p, next, static_cast<unsigned char>(s[si]));
        if (r == 1) {
          pi = next;
          ++si;
          continue;
        }
        if (r == -1 && s[si] == '[') {
          ++pi;
          ++si;
          continue;
        }
      } else {
        if (pc == '\\' && pi + 1 < p.size()) pc = p[pi + 1];
        if (pc == s[si]) {
          pi += p[pi] == '\\' && pi + 1 < p.size() ? 2 : 1;
          ++si;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*')
    ++pi;
  return pi == p.size();
}

// Full match of path segments against pattern segments (`**` = any number of segments).
bool match_path(const std::vector<std::string>& pat, size_t pi,
                const std::vector<std::string>& path, size_t si) {
  while (pi < pat.size()) {
    if (pat[pi] == "**") {
      for (size_t k = si; k <= path.size(); ++k)
        if (match_path(pat, pi + 1, path, k)) return true;
      return false;
    }
    if (si >= path.size() || !match_segment(pat[pi], path[si])) return false;
    ++pi;
    ++si;
  }
  return si == path.size();
}

// Whether some descendant of `path` could match `pat` (prefix match; `**` reaches anything).
bool partial_match(const std::vector<std::string>& pat, const std::vector<std::string>& path) {
  size_t n = std::min(pat.size(), path.size());
  for (size_t i = 0; i < n; ++i) {
    if (pat[i] == "**") return true;
    if (!match_segment(pat[i], path[i])) return false;
  }
  return true;  // shorter: a prefix that may still match; longer: implicit descendants
}

}  // namespace pipewright::os
