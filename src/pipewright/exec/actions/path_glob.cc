#include "pipewright/exec/actions/path_glob.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <set>

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include "pipewright/os/glob_match.h"

namespace pipewright::exec::actions {

using os::has_glob;
using os::match_path;
using os::match_segment;
using os::partial_match;

namespace {

std::vector<std::string> split_segments(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(i, slash - i);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.emplace_back(seg);
    }
    i = slash + 1;
  }
  return out;
}

std::string join_segments(const std::vector<std::string>& segs, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += "/" + segs[i];
  return out.empty() ? "/" : out;
}

struct Pattern {
  bool negate = false;
  bool directories_only = false;
  std::vector<std::string> segments;
  size_t literal = 0;  // leading segments without glob characters
};

class Walker {
 public:
  Walker(const std::vector<Pattern>& patterns, bool hidden, std::set<std::string>& out)
      : m_patterns(patterns), m_hidden(hidden), m_out(out) {}

  // `inherited[i]`: an ancestor of `path` matched pattern i (implicit descendants).
  void walk(std::vector<std::string>& path, const std::vector<char>& inherited) {
    if (!m_hidden && path.size() > m_start_depth && path.back().starts_with('.')) return;
    std::string full = join_segments(path, path.size());
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) return;
    bool is_dir = S_ISDIR(st.st_mode);
    std::vector<char> here(m_patterns.size());
    bool included = false;
    for (size_t i = 0; i < m_patterns.size(); ++i) {
      const Pattern& p = m_patterns[i];
      here[i] =
          inherited[i] || (match_path(p.segments, 0, path, 0) && (!p.directories_only || is_dir));
      if (here[i]) included = !p.negate;
    }
    if (!is_dir) {
      if (included) m_out.insert(full);
      return;
    }
    bool reachable = false;
    for (size_t i = 0; i < m_patterns.size(); ++i)
      reachable = reachable || (!m_patterns[i].negate &&
                                (here[i] || partial_match(m_patterns[i].segments, path)));
    if (!reachable) return;
    DIR* dir = ::opendir(full.c_str());
    if (!dir) return;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      path.push_back(name);
      walk(path, here);
      path.pop_back();
    }
  }

  // Hidden names are skipped below where a walk starts, not in the pattern itself.
  void start_at(size_t depth) { m_start_depth = depth; }

 private:
  const std::vector<Pattern>& m_patterns;
  bool m_hidden;
  size_t m_start_depth = 0;
  std::set<std::string>& m_out;
};

}  // namespace

bool glob_match_name(std::string_view pattern, std::string_view name) {
  return match_segment(pattern, name);
}

std::string normalize_path(std::string_view path, std::string_view base) {
  std::string joined =
      path.starts_with('/') ? std::string(path) : std::string(base) + "/" + std::string(path);
  auto segs = split_segments(joined);
  return join_segments(segs, segs.size());
}

bool path_within(std::string_view path, std::string_view root) {
  if (root == "/") return path.starts_with('/');
  return path == root ||
         (path.starts_with(root) && path.size() > root.size() && path[root.size()] == '/');
}

std::string common_ancestor(const std::vector<std::string>& paths) {
  if (paths.empty()) return "/";
  auto common = split_segments(paths[0]);
  for (size_t k = 1; k < paths.size(); ++k) {
    auto segs = split_segments(paths[k]);
    size_t n = 0;
    while (n < common.size() && n < segs.size() && common[n] == segs[n])
      ++n;
    common.resize(n);
  }
  return join_segments(common, common.size());
}

util::Expected<GlobResult> expand_globs(std::string_view patterns, const GlobOptions& options) {
  std::vector<Pattern> parsed;
  GlobResult result;
  size_t start = 0;
  while (start <= patterns.size()) {
    size_t end = patterns.find('\n', start);
    if (end == std::string_view::npos) end = patterns.size();
    std::string_view line = patterns.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
      line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    if (line.empty() || line.starts_with('#')) continue;
    Pattern p;
    while (line.starts_with('!')) {
      p.negate = !p.negate;
      line.remove_prefix(1);
    }
    if (line.empty()) return util::fail("a '!' pattern names no path");
    std::string text(line);
    if (text == "~" || text.starts_with("~/")) {
      if (options.home.empty())
        return util::fail(fmt::format("cannot expand '{}': no home directory", text));
      text = options.home + text.substr(1);
    }
    p.directories_only = text.ends_with('/');
    p.segments = split_segments(normalize_path(text, options.base_dir));
    while (p.literal < p.segments.size() && !has_glob(p.segments[p.literal]))
      ++p.literal;
    if (!p.negate) {
      std::string search = join_segments(p.segments, p.literal);
      if (std::find(result.search_paths.begin(), result.search_paths.end(), search) ==
          result.search_paths.end())
        result.search_paths.push_back(search);
    }
    parsed.push_back(std::move(p));
  }
  std::set<std::string> files;
  Walker walker(parsed, options.include_hidden, files);
  std::set<std::string> started;
  for (const Pattern& p : parsed) {
    if (p.negate) continue;
    std::vector<std::string> root(p.segments.begin(),
                                  p.segments.begin() + static_cast<std::ptrdiff_t>(p.literal));
    std::string key = join_segments(root, root.size());
    if (!started.insert(key).second) continue;
    // The walk starts below `/`: patterns matching an ancestor of its start apply too.
    std::vector<char> inherited(parsed.size(), 0);
    for (size_t i = 0; i < parsed.size(); ++i)
      for (size_t k = 0; k < root.size() && !inherited[i]; ++k)
        inherited[i] = match_path(
            parsed[i].segments, 0,
            std::vector<std::string>(root.begin(), root.begin() + static_cast<std::ptrdiff_t>(k)),
            0);
    walker.start_at(root.size());
    walker.walk(root, inherited);
  }
  result.files.assign(files.begin(), files.end());
  return result;
}

}  // namespace pipewright::exec::actions
