#include "pipewright/exec/actions/toolchains.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipewright/os/file.h"
#include "pipewright/os/process.h"

namespace pipewright::exec::actions {

namespace fs = std::filesystem;

namespace {

struct ToolRow {
  Tool tool;
  std::string_view id;
  std::string_view display;
  std::vector<std::string_view> names;  // executables looked for on PATH
  std::vector<std::string_view> globs;  // "<dir>/*/<rest>" patterns; '~' is home
  std::vector<std::string> probe_args;
};

const std::vector<ToolRow>& tool_rows() {
  static const std::vector<ToolRow> rows = {
      {Tool::python,
       "python",
       "Python",
       {"python3", "python"},
       {"~/.pyenv/versions/*/bin/python3"},
       {"--version"}},
      {Tool::node,
       "node",
       "Node.js",
       {"node", "nodejs"},
       {"~/.nvm/versions/node/*/bin/node"},
       {"--version"}},
      {Tool::go, "go", "Go", {"go"}, {"/usr/local/go/bin/go", "/usr/lib/go-*/bin/go"}, {"version"}},
      {Tool::java, "java", "Java", {"java"}, {"/usr/lib/jvm/*/bin/java"}, {"-version"}},
  };
  return rows;
}

const ToolRow& row(Tool tool) {
  for (const ToolRow& r : tool_rows())
    if (r.tool == tool) return r;
  return tool_rows().front();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// The version in a tool's --version output.
std::optional<Version> version_in_output(Tool tool, std::string_view out) {
  size_t at = 0;
  if (tool == Tool::go) {
    at = out.find(" go");
    at = at == std::string_view::npos ? 0 : at + 3;
  } else if (tool == Tool::java) {
    at = out.find('"');
    at = at == std::string_view::npos ? 0 : at + 1;
  }
  while (at < out.size() && !std::isdigit(static_cast<unsigned char>(out[at])))
    ++at;
  if (at >= out.size()) return std::nullopt;
  auto v = parse_version(out.substr(at));
  // Java 8 and older report 1.8.0_392.
  if (v && tool == Tool::java && v->parts.size() >= 2 && v->parts[0] == 1)
    v->parts.erase(v->parts.begin());
  return v;
}

// Versioned executables: python3.11 next to python3.
bool versioned_name(const ToolRow& r, std::string_view name) {
  if (r.tool != Tool::python || !name.starts_with("python3.")) return false;
  std::string_view rest = name.substr(8);
  return !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

bool executable(const std::string& path) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  return !ec && fs::is_regular_file(st) &&
         (st.permissions() & fs::perms::owner_exec) != fs::perms::none;
}

// Expands one '*' segment of `pattern`.
std::vector<std::string> expand_star(const std::string& pattern) {
  size_t star = pattern.find('*');
  if (star == std::string::npos) return {pattern};
  size_t dir_end = pattern.rfind('/', star);
  std::string dir = pattern.substr(0, dir_end);
  std::string prefix = pattern.substr(dir_end + 1, star - dir_end - 1);
  size_t seg_end = pattern.find('/', star);
  std::string suffix = pattern.substr(
      star + 1, seg_end == std::string::npos ? std::string::npos : seg_end - star - 1);
  std::string rest = seg_end == std::string::npos ? "" : pattern.substr(seg_end);
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(suffix) &&
        name.size() >= prefix.size() + suffix.size())
      out.push_back(dir + "/" + name + rest);
  }
  std::sort(out.begin(), out.end());
  return out;
}

util::Expected<std::string> default_probe(Tool tool, const std::string& exe) {
  os::SpawnOptions spawn;
  spawn.argv = {exe};
  for (const std::string& a : row(tool).probe_args)
    spawn.argv.push_back(a);
  if (const char* path = std::getenv("PATH")) spawn.env.push_back(std::string("PATH=") + path);
  std::string out;
  os::RunOptions run;
  run.on_output = [&](std::string_view chunk) {
    if (out.size() < 4096) out.append(chunk);
  };
  run.timeout = std::chrono::seconds(10);
  PW_TRY(result, os::run(spawn, run));
  if (result.exit_code() != 0) return util::fail(fmt::format("{} {}", exe, os::describe(result)));
  return out;
}

}  // namespace

std::string_view tool_id(Tool tool) {
  return row(tool).id;
}
std::string_view tool_display(Tool tool) {
  return row(tool).display;
}

std::optional<Tool> parse_tool(std::string_view id) {
  for (const ToolRow& r : tool_rows())
    if (r.id == id) return r.tool;
  return std::nullopt;
}

std::string Version::text() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i ? "." : "") + std::to_string(parts[i]);
  return out;
}

std::optional<Version> parse_version(std::string_view text) {
  text = trim(text);
  if (text.starts_with('v') || text.starts_with('V')) text.remove_prefix(1);
  if (text.starts_with("go")) text.remove_prefix(2);
  Version v;
  size_t i = 0;
  while (v.parts.size() < 3 && i < text.size() &&
         std::isdigit(static_cast<unsigned char>(text[i]))) {
    int n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (n > 100'000'000) return std::nullopt;
      n = n * 10 + (text[i++] - '0');
    }
    v.parts.push_back(n);
    if (i < text.size() && text[i] == '.' && i + 1 < text.size() &&
        std::isdigit(static_cast<unsigned char>(text[i + 1])))
      ++i;
    else
      break;
  }
  if (v.parts.empty()) return std::nullopt;
  return v;
}

int compare(const Version& a, const Version& b) {
  for (size_t i = 0; i < std::max(a.parts.size(), b.parts.size()); ++i) {
    int x = i < a.parts.size() ? a.parts[i] : 0;
    int y = i < b.parts.size() ? b.parts[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

util::Expected<VersionSpec> VersionSpec::parse(std::string_view text) {
  VersionSpec spec;
  spec.m_text = std::string(trim(text));
  if (spec.m_text.empty()) return util::fail("the version spec is empty");
  if (spec.m_text.starts_with("lts/"))
    return util::fail(fmt::format(
        "'{}' needs a release schedule this host does not have; give a version such as '20'",
        spec.m_text));
  std::string_view rest = spec.m_text;
  for (;;) {
    size_t bar = rest.find("||");
    std::string_view alt = trim(rest.substr(0, bar));
    std::vector<Comparator> all;
    size_t i = 0;
    while (i < alt.size()) {
      while (i < alt.size() && std::isspace(static_cast<unsigned char>(alt[i])))
        ++i;
      size_t start = i;
      while (i < alt.size() && !std::isspace(static_cast<unsigned char>(alt[i])))
        ++i;
      std::string_view token = alt.substr(start, i - start);
      if (token.empty()) break;
      using Op = Comparator::Op;
      Op op = Op::eq_prefix;
      char range = 0;
      for (auto [prefix, o] : {std::pair{">=", Op::ge},
                               {"<=", Op::le},
                               {">", Op::gt},
                               {"<", Op::lt},
                               {"=", Op::eq_prefix}}) {
        if (token.starts_with(prefix)) {
          op = o;
          token.remove_prefix(std::string_view(prefix).size());
          break;
        }
      }
      if (op == Op::eq_prefix && (token.starts_with('^') || token.starts_with('~'))) {
        range = token[0];
        token.remove_prefix(1);
      }
      // Wildcards end the version: 3.x, 3.*, 3.11.X; a lone x/* matches anything.
      std::string_view numbers = token;
      for (size_t k = 0; k < numbers.size(); ++k)
        if ((numbers[k] == 'x' || numbers[k] == 'X' || numbers[k] == '*') &&
            (k == 0 || numbers[k - 1] == '.')) {
          numbers = numbers.substr(0, k == 0 ? 0 : k - 1);
          break;
        }
      if (numbers.empty() && op == Op::eq_prefix && !range &&
          (token == "x" || token == "X" || token == "*" || token == "latest" || token == "node")) {
        all.push_back({Op::ge, Version{{0}}});
        continue;
      }
      auto v = parse_version(numbers);
      if (!v || v->text() != std::string(numbers).substr(numbers.starts_with('v') ? 1 : 0))
        return util::fail(fmt::format(
            "'{}' is not a version spec this host understands (e.g. 3.11, 3.x, >=3.9, ^18, ~1.21)",
            spec.m_text));
      if (range) {
        Version upper = *v;
        size_t bump = range == '^' ? 0 : std::min<size_t>(1, v->parts.size() - 1);
        if (range == '^')
          while (bump + 1 < upper.parts.size() && upper.parts[bump] == 0)
            ++bump;
        upper.parts.resize(bump + 1);
        ++upper.parts[bump];
        if (range == '~' && v->parts.size() == 1) upper = Version{{v->parts[0] + 1}};
        all.push_back({Op::ge, *v});
        all.push_back({Op::lt, upper});
      } else {
        all.push_back({op, *v});
      }
    }
    if (all.empty()) return util::fail(fmt::format("'{}' has an empty alternative", spec.m_text));
    spec.m_alternatives.push_back(std::move(all));
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return spec;
}

bool VersionSpec::matches(const Version& version) const {
  for (const auto& all : m_alternatives) {
    bool ok = true;
    for (const Comparator& c : all) {
      int cmp = compare(version, c.version);
      switch (c.op) {
        case Comparator::Op::eq_prefix: {
          for (size_t i = 0; i < c.version.parts.size(); ++i)
            ok = ok && (i < version.parts.size() ? version.parts[i] : 0) == c.version.parts[i];
          break;
        }
        case Comparator::Op::lt:
          ok = ok && cmp < 0;
          break;
        case Comparator::Op::le:
          ok = ok && cmp <= 0;
          break;
        case Comparator::Op::gt:
          ok = ok && cmp > 0;
          break;
        case Comparator::Op::ge:
          ok = ok && cmp >= 0;
          break;
      }
    }
    if (ok) return true;
  }
  return false;
}

util::Expected<std::string> read_version_file(Tool tool, const std::string& path) {
  PW_TRY(text, os::read_file(path, 64 * 1024));
  std::string name = fs::path(path).filename().string();
  std::string_view rest = text;
  std::string go_line;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (line.empty() || line.starts_with('#')) continue;
    if (name == "go.mod") {
      if (line.starts_with("toolchain go")) return std::string(trim(line.substr(12)));
      if (line.starts_with("go ") && go_line.empty()) go_line = std::string(trim(line.substr(3)));
      continue;
    }
    if (name == ".tool-versions") {
      std::string_view id = tool == Tool::node ? "nodejs" : tool_id(tool);
      if (line.starts_with(id) && line.size() > id.size() &&
          std::isspace(static_cast<unsigned char>(line[id.size()]))) {
        std::string_view v = trim(line.substr(id.size()));
        return std::string(v.substr(0, v.find(' ')));
      }
      continue;
    }
    if (line.starts_with('v') && line.size() > 1 &&
        std::isdigit(static_cast<unsigned char>(line[1])))
      line.remove_prefix(1);
    return std::string(line);
  }
  if (!go_line.empty()) return go_line;
  return util::fail(fmt::format("{} names no {} version", path, tool_display(tool)));
}

util::Expected<ToolMapping> parse_tool_mapping(std::string_view text) {
  size_t eq = text.find('=');
  size_t colon = text.find(':', eq == std::string_view::npos ? 0 : eq);
  auto bad = [&] {
    return util::fail(
        fmt::format("invalid --tool '{}'; expected TOOL=VERSION:/path/to/executable, e.g. "
                    "python=3.12:/opt/py312/bin/python3",
                    text));
  };
  if (eq == std::string_view::npos || colon == std::string_view::npos) return bad();
  auto tool = parse_tool(text.substr(0, eq));
  if (!tool)
    return util::fail(fmt::format("invalid --tool '{}': unknown tool '{}' (python, node, go, java)",
                                  text, text.substr(0, eq)));
  auto version = parse_version(text.substr(eq + 1, colon - eq - 1));
  std::string path(text.substr(colon + 1));
  if (!version || path.empty() || path[0] != '/') return bad();
  return ToolMapping{*tool, *version, path};
}

std::vector<std::string> split_path_list(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Toolchains::Toolchains(ToolchainOptions options) : m_options(std::move(options)) {
  if (!m_options.probe) m_options.probe = default_probe;
}

std::vector<Install> Toolchains::find_all(Tool tool) const {
  const ToolRow& r = row(tool);
  std::vector<std::pair<std::string, std::string>> candidates;  // executable, source
  auto scan_dir = [&](const std::string& dir, const std::string& source, bool versioned_only) {
    for (std::string_view name : r.names)
      if (!versioned_only) candidates.emplace_back(dir + "/" + std::string(name), source);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (versioned_name(r, e.path().filename().string()))
        candidates.emplace_back(e.path().string(), source);
  };
  // Version-manager shims (pyenv, asdf, rbenv) dispatch on the caller's directory and
  // environment, so what they report here may not be what a step gets: skip them; the
  // installs behind them are found through the globs.
  for (const std::string& dir : m_options.path_dirs)
    if (fs::path(dir).filename() != "shims") scan_dir(dir, "PATH", false);
  for (const std::string& dir : m_options.system_dirs)
    scan_dir(dir, dir, true);
  for (std::string_view g : r.globs) {
    std::string pattern(g);
    if (pattern.starts_with('~')) {
      if (m_options.home.empty()) continue;
      pattern = m_options.home + pattern.substr(1);
    }
    for (const std::string& path : expand_star(pattern))
      candidates.emplace_back(
          path, pattern.find(".pyenv") != std::string::npos ? "pyenv" : std::string(g));
  }
  std::vector<Install> out;
  std::set<std::string> seen;
  for (const auto& [exe, source] : candidates) {
    if (!executable(exe)) continue;
    std::error_code ec;
    std::string real = fs::canonical(exe, ec).string();
    if (ec || !seen.insert(real).second) continue;
    auto output = m_options.probe(tool, exe);
    if (!output) continue;
    auto version = version_in_output(tool, *output);
    if (!version) continue;
    out.push_back({tool, *version, exe, fs::path(exe).parent_path().string(), source});
  }
  std::stable_sort(out.begin(), out.end(), [](const Install& a, const Install& b) {
    return compare(a.version, b.version) > 0;
  });
  return out;
}

util::Expected<Install> Toolchains::select(Tool tool, std::string_view spec_text) const {
  PW_TRY(spec, VersionSpec::parse(spec_text));
  for (const ToolMapping& m : m_options.mappings) {
    if (m.tool != tool || !spec.matches(m.version)) continue;
    if (!executable(m.path))
      return util::fail(fmt::format("--tool {}={}:{}: no executable at {}", tool_id(tool),
                                    m.version.text(), m.path, m.path));
    return Install{tool, m.version, m.path, fs::path(m.path).parent_path().string(), "mapping"};
  }
  std::vector<Install> all = find_all(tool);
  // Prefer what the PATH finds first (as a shell would), then the newest elsewhere.
  auto path_rank = [&](const Install& install) {
    if (install.source != "PATH") return m_options.path_dirs.size();
    auto at = std::find(m_options.path_dirs.begin(), m_options.path_dirs.end(), install.bin_dir);
    return static_cast<size_t>(at - m_options.path_dirs.begin());
  };
  const Install* best = nullptr;
  for (const Install& install : all)
    if (spec.matches(install.version) && (!best || path_rank(install) < path_rank(*best)))
      best = &install;
  if (best) return *best;
  std::vector<std::string> versions;
  for (const Install& install : all)
    if (std::find(versions.begin(), versions.end(), install.version.text()) == versions.end())
      versions.push_back(install.version.text());
  std::string has = versions.empty() ? fmt::format("no {}", tool_display(tool))
                                     : fmt::format("{}", fmt::join(versions, ", "));
  auto plain = parse_version(spec.text());
  std::string mapped = plain && plain->text() == spec.text() ? spec.text() : "VERSION";
  return util::fail(fmt::format(
      "{} {} requested, host has {}; install it or map the version with --tool {}={}:/path",
      tool_display(tool), spec.text(), has, tool_id(tool), mapped));
}

}  // namespace pipewright::exec::actions
