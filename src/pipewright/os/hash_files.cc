// hashFiles(): @actions/glob matching over the workspace, then SHA-256 of SHA-256s.
//
// Patterns (one per line after joining) are trimmed; empty lines and `#` comments are
// skipped; each leading `!` toggles negation; relative patterns are rooted at the
// workspace; a trailing `/` matches directories only. Every pattern implicitly
// matches the descendants of what it matches. For each path the last matching pattern
// decides. Walks start at each include pattern's literal prefix, depth-first,
// children in strcmp order, pruning directories no include pattern can reach.
#include "pipewright/os/hash_files.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <dirent.h>
#include <sys/stat.h>

#include "pipewright/os/glob_match.h"
#include "pipewright/util/sha256.h"

namespace pipewright::os {

namespace {

struct Pattern {
  bool negate = false;
  bool directories_only = false;
  std::vector<std::string> segments;  // absolute path, split on '/'
};

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > i) {
      std::string_view seg = path.substr(i, slash - i);
      if (seg == "..") {
        if (!out.empty()) out.pop_back();
      } else if (seg != ".") {
        out.emplace_back(seg);
      }
    }
    i = slash + 1;
  }
  return out;
}

// Whether `path` (a directory when `is_dir`) is matched by `p` itself or as a descendant.
bool matches(const Pattern& p, const std::vector<std::string>& path, bool is_dir) {
  if (match_path(p.segments, 0, path, 0)) return !p.directories_only || is_dir;
  // Implicit descendants: some proper ancestor of `path` matches the pattern (as a directory).
  for (size_t len = path.size(); len-- > 0;) {
    std::vector<std::string> ancestor(path.begin(),
                                      path.begin() + static_cast<std::ptrdiff_t>(len));
    if (match_path(p.segments, 0, ancestor, 0)) return true;
  }
  return false;
}

std::string join_path(const std::vector<std::string>& segments) {
  std::string out;
  for (const std::string& s : segments)
    out += "/" + s;
  return out.empty() ? "/" : out;
}

util::Expected<util::Sha256Digest> hash_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return util::fail("cannot read " + path + ": " + std::strerror(errno));
  util::Sha256 h;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    h.update(std::string_view(buf, n));
  bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) return util::fail("cannot read " + path);
  return h.finish();
}

class Walker {
 public:
  Walker(std::vector<Pattern> patterns, std::vector<std::string> workspace, bool follow)
      : m_patterns(std::move(patterns)), m_workspace(std::move(workspace)), m_follow(follow) {}

  util::Expected<void> walk(const std::vector<std::string>& path) {
    std::string full = join_path(path);
    struct stat st {};
    if ((m_follow ? ::stat(full.c_str(), &st) : ::lstat(full.c_str(), &st)) != 0) return {};
    bool is_dir = S_ISDIR(st.st_mode);
    if (included(path, is_dir) && !is_dir && inside_workspace(path)) {
      struct stat target {};
      if (::stat(full.c_str(), &target) == 0 && !S_ISDIR(target.st_mode)) {
        PW_TRY(digest, hash_file(full));
        m_outer.update(digest);
        ++m_count;
      }
    }
    if (!is_dir || !reachable(path)) return {};
    // Followed symlinks can loop: never enter a directory already on the walk's stack.
    std::pair<dev_t, ino_t> id{st.st_dev, st.st_ino};
    if (std::find(m_open.begin(), m_open.end(), id) != m_open.end()) return {};
    DIR* dir = ::opendir(full.c_str());
    if (!dir) return {};
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    std::vector<std::string> child = path;
    m_open.push_back(id);
    for (const std::string& name : names) {
      child.push_back(name);
      auto walked = walk(child);
      if (!walked) return walked;
      child.pop_back();
    }
    m_open.pop_back();
    return {};
  }

  size_t count() const { return m_count; }
  util::Sha256Digest finish() { return m_outer.finish(); }

 private:
  bool included(const std::vector<std::string>& path, bool is_dir) const {
    bool result = false;
    for (const Pattern& p : m_patterns)
      if (matches(p, path, is_dir)) result = !p.negate;
    return result;
  }

  bool reachable(const std::vector<std::string>& path) const {
    return std::any_of(m_patterns.begin(), m_patterns.end(), [&](const Pattern& p) {
      return !p.negate && partial_match(p.segments, path);
    });
  }

  bool inside_workspace(const std::vector<std::string>& path) const {
    return path.size() > m_workspace.size() &&
           std::equal(m_workspace.begin(), m_workspace.end(), path.begin());
  }

  std::vector<Pattern> m_patterns;
  std::vector<std::string> m_workspace;
  bool m_follow;
  util::Sha256 m_outer;
  size_t m_count = 0;
  std::vector<std::pair<dev_t, ino_t>> m_open;  // directories being walked
};

}  // namespace

util::Expected<std::string> hash_files(const std::string& workspace,
                                       const std::vector<std::string>& patterns,
                                       bool follow_symlinks) {
  std::string root = std::filesystem::absolute(workspace).lexically_normal().string();
  std::vector<std::string> root_segments = split_path(root);

  // Patterns are joined with newlines, then read one per line.
  std::string joined;
  for (const std::string& p : patterns)
    joined += p + "\n";
  std::vector<Pattern> parsed;
  size_t i = 0;
  while (i < joined.size()) {
    size_t nl = joined.find('\n', i);
    std::string_view line = std::string_view(joined).substr(i, nl - i);
    i = nl + 1;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
      line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    Pattern p;
    while (!line.empty() && line.front() == '!') {
      p.negate = !p.negate;
      line.remove_prefix(1);
    }
    p.directories_only = !line.empty() && line.back() == '/';
    std::string absolute = line.front() == '/' ? std::string(line) : root + "/" + std::string(line);
    p.segments = split_path(absolute);
    parsed.push_back(std::move(p));
  }

  // Search roots: each include pattern's literal prefix, without roots nested in others.
  std::vector<std::vector<std::string>> roots;
  for (const Pattern& p : parsed) {
    if (p.negate) continue;
    std::vector<std::string> prefix;
    for (const std::string& s : p.segments) {
      if (has_glob(s)) break;
      prefix.push_back(s);
    }
    roots.push_back(std::move(prefix));
  }
  std::vector<std::vector<std::string>> unique_roots;
  for (const auto& r : roots) {
    bool nested = std::any_of(roots.begin(), roots.end(), [&](const auto& other) {
      return other.size() < r.size() && std::equal(other.begin(), other.end(), r.begin());
    });
    bool duplicate = std::find(unique_roots.begin(), unique_roots.end(), r) != unique_roots.end();
    if (!nested && !duplicate) unique_roots.push_back(r);
  }

  Walker walker(std::move(parsed), root_segments, follow_symlinks);
  for (const auto& r : unique_roots)
    PW_TRY_VOID(walker.walk(r));
  if (walker.count() == 0) return std::string();
  return util::to_hex(walker.finish());
}

}  // namespace pipewright::os
