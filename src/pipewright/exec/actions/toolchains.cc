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
  std::string_view cache_name;  // its directory in the tool cache ('' for none)
};

const std::vector<ToolRow>& tool_rows() {
  static const std::vector<ToolRow> rows = {
      {Tool::python,
       "python",
       "Python",
       {"python3", "python"},
       {"~/.pyenv/versions/*/bin/python3"},
       {"--version"},
       "Python"},
      {Tool::node,
       "node",
       "Node.js",
       {"node", "nodejs"},
       {"~/.nvm/versions/node/*/bin/node"},
       {"--version"},
       "node"},
      {Tool::go,
       "go",
       "Go",
       {"go"},
       {"/usr/local/go/bin/go", "/usr/lib/go-*/bin/go"},
       {"version"},
       "go"},
      {Tool::java, "java", "Java", {"java"}, {"/usr/lib/jvm/*/bin/java"}, {"-version"}, ""},
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
          (token == "x" || token == "X" || token == "*")) {
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

util::Expected<ToolMapping> parse_tool_mapping(std::string_view text) {
  size_t eq = text.find('=');
  auto bad = [&] {
    return util::fail(fmt::format(
        "invalid --tool '{}'; expected TOOL=VERSION:/path/to/executable (e.g. "
        "python=3.12:/opt/py312/bin/python3), TOOL=*:/path for every version, or TOOL=host",
        text));
  };
  if (eq == std::string_view::npos) return bad();
  auto tool = parse_tool(text.substr(0, eq));
  if (!tool)
    return util::fail(fmt::format("invalid --tool '{}': unknown tool '{}' (python, node, go, java)",
                                  text, text.substr(0, eq)));
  std::string_view value = text.substr(eq + 1);
  ToolMapping mapping{*tool, std::nullopt, "", std::string(text)};
  if (value == "host") return mapping;
  size_t colon = value.find(':');
  if (colon == std::string_view::npos) return bad();
  std::string_view version = value.substr(0, colon);
  mapping.path = std::string(value.substr(colon + 1));
  if (mapping.path.empty() || mapping.path[0] != '/') return bad();
  if (version == "*") return mapping;
  mapping.version = parse_version(version);
  if (!mapping.version) return bad();
  return mapping;
}

std::string_view node_lts_codename(int major) {
  static constexpr std::pair<int, std::string_view> k_codenames[] = {
      {4, "argon"},   {6, "boron"},    {8, "carbon"},   {10, "dubnium"},
      {12, "erbium"}, {14, "fermium"}, {16, "gallium"}, {18, "hydrogen"},
      {20, "iron"},   {22, "jod"},     {24, "krypton"},
  };
  for (auto [m, name] : k_codenames)
    if (m == major) return name;
  return {};
}

Release node_release(Version version) {
  int major = version.parts.empty() ? 0 : version.parts[0];
  Release release{std::move(version), major >= 4 && major % 2 == 0,
                  std::string(node_lts_codename(major))};
  return release;
}

bool is_version_alias(Tool tool, std::string_view spec) {
  spec = trim(spec);
  if (tool == Tool::node)
    return spec == "latest" || spec == "current" || spec == "node" || spec.starts_with("lts/");
  if (tool == Tool::go) return spec == "stable" || spec == "oldstable";
  return false;
}

constexpr size_t k_max_listed_versions = 12;

util::Expected<std::optional<std::string>> resolve_alias(Tool tool, std::string_view spec_text,
                                                         const std::vector<Release>& releases) {
  std::string spec(trim(spec_text));
  if (!is_version_alias(tool, spec)) return std::nullopt;
  std::vector<Release> sorted = releases;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Release& a, const Release& b) {
    return compare(a.version, b.version) > 0;
  });
  auto none = [&](std::string_view what) {
    std::vector<std::string> versions;  // the newest few (an index has hundreds)
    for (const Release& r : sorted)
      if (versions.size() < k_max_listed_versions) versions.push_back(r.version.text());
    if (sorted.size() > k_max_listed_versions) versions.push_back("…");
    return util::fail(fmt::format(
        "{} '{}' names {}, and the versions known are {}", tool_display(tool), spec, what,
        versions.empty() ? "none" : fmt::format("{}", fmt::join(versions, ", "))));
  };
  if (spec == "latest" || spec == "current" || spec == "node" || spec == "stable") {
    if (sorted.empty()) return none("the newest release");
    return sorted.front().version.text();
  }
  if (spec == "oldstable") {
    if (sorted.empty()) return none("the newest release of the previous minor line");
    const Version& newest = sorted.front().version;
    for (const Release& r : sorted) {
      const auto& p = r.version.parts;
      const auto& n = newest.parts;
      if (p.size() >= 2 && n.size() >= 2 && (p[0] < n[0] || (p[0] == n[0] && p[1] < n[1])))
        return r.version.text();
    }
    return none("the newest release of the minor line before the newest");
  }
  // lts/*, lts/-N, lts/<codename>: LTS majors, newest first.
  std::string alias = spec.substr(4);
  for (char& c : alias)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<int> majors;
  std::vector<std::string> codenames;
  for (const Release& r : sorted) {
    if (!r.lts || r.version.parts.empty()) continue;
    if (std::find(majors.begin(), majors.end(), r.version.parts[0]) != majors.end()) continue;
    majors.push_back(r.version.parts[0]);
    codenames.push_back(r.codename);
  }
  if (alias == "*") {
    if (majors.empty()) return none("the newest LTS release");
    return std::to_string(majors.front());
  }
  if (alias.starts_with('-') && alias.size() > 1 &&
      std::all_of(alias.begin() + 1, alias.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    size_t n = alias.size() > 4 ? majors.size() : std::stoul(alias.substr(1));
    if (n >= majors.size()) return none(fmt::format("the LTS line {} below the newest", n));
    return std::to_string(majors[n]);
  }
  for (size_t i = 0; i < majors.size(); ++i)
    if (codenames[i] == alias) return std::to_string(majors[i]);
  // A known codename the releases lack: name its major in the error.
  for (int major = 4; major <= 40; major += 2)
    if (node_lts_codename(major) == alias)
      return none(fmt::format("the LTS line {} ({})", major, alias));
  if (alias.empty()) return none("no LTS line");
  return none(fmt::format("an unknown LTS line '{}'", alias));
}

std::string_view host_arch() {
#if defined(__aarch64__)
  return "arm64";
#else
  return "x64";
#endif
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
  // What setup actions downloaded before: <tool cache>/node/20.11.0/x64/bin/node.
  if (!m_options.tool_cache.empty() && !r.cache_name.empty())
    for (const std::string& dir : expand_star(
             fmt::format("{}/{}/*/{}/bin", m_options.tool_cache, r.cache_name, host_arch()))) {
      std::error_code ec;
      if (!fs::exists(fs::path(dir).parent_path().string() + ".complete", ec)) continue;
      for (std::string_view name : r.names)
        candidates.emplace_back(dir + "/" + std::string(name), "tool cache");
    }
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

const Install* Toolchains::preferred(const std::vector<Install>& all,
                                     const VersionSpec* spec) const {
  // What the PATH finds first (as a shell would), then the newest elsewhere.
  auto path_rank = [&](const Install& install) {
    if (install.source != "PATH") return m_options.path_dirs.size();
    auto at = std::find(m_options.path_dirs.begin(), m_options.path_dirs.end(), install.bin_dir);
    return static_cast<size_t>(at - m_options.path_dirs.begin());
  };
  const Install* best = nullptr;
  for (const Install& install : all)
    if ((!spec || spec->matches(install.version)) &&
        (!best || path_rank(install) < path_rank(*best)))
      best = &install;
  return best;
}

util::Expected<Install> Toolchains::mapped(const ToolMapping& mapping, std::string_view spec_text,
                                           const std::vector<Install>& all) const {
  Tool tool = mapping.tool;
  std::string requested(trim(spec_text));
  Install install;
  if (mapping.path.empty()) {  // --tool TOOL=host
    const Install* host = preferred(all, nullptr);
    if (!host)
      return util::fail(fmt::format("--tool {}: the host has no {} (looked on PATH and in {})",
                                    mapping.text, tool_display(tool),
                                    fmt::join(m_options.system_dirs, ", ")));
    install = *host;
  } else {
    if (!executable(mapping.path))
      return util::fail(fmt::format("--tool {}: no executable at {}", mapping.text, mapping.path));
    install = Install{tool,      {}, mapping.path, fs::path(mapping.path).parent_path().string(),
                      "mapping", ""};
    auto output = m_options.probe(tool, mapping.path);
    std::optional<Version> real = output ? version_in_output(tool, *output) : std::nullopt;
    if (!real && !mapping.version)
      return util::fail(fmt::format("--tool {}: cannot learn the version of {}{}", mapping.text,
                                    mapping.path, output ? "" : ": " + output.error().message));
    install.version = real ? *real : *mapping.version;
  }
  install.source = "mapping";
  // Whether the real version is what was asked for; otherwise say so.
  bool satisfied = requested == "*";
  if (!satisfied) {
    auto alias = resolve_alias(
        tool, requested,
        {tool == Tool::node ? node_release(install.version) : Release{install.version}});
    if (alias) {
      auto spec = VersionSpec::parse(alias->value_or(requested));
      satisfied = spec && spec->matches(install.version);
    }
  }
  if (!satisfied)
    install.warning = fmt::format("{} {} requested, using {} {} from {} (--tool {})",
                                  tool_display(tool), requested, tool_display(tool),
                                  install.version.text(), install.executable, mapping.text);
  return install;
}

util::Expected<Install> Toolchains::select(Tool tool, std::string_view spec_text) const {
  std::string requested(trim(spec_text));
  std::vector<Install> all = find_all(tool);
  for (const ToolMapping& m : m_options.mappings)
    if (m.tool == tool && !m.version) return mapped(m, requested, all);
  // An alias means a version among those known here.
  std::string resolved = requested;
  if (is_version_alias(tool, requested)) {
    std::vector<Release> releases;
    auto release = [&](const Version& v) {
      return tool == Tool::node ? node_release(v) : Release{v};
    };
    for (const ToolMapping& m : m_options.mappings)
      if (m.tool == tool) releases.push_back(release(*m.version));
    for (const Install& install : all)
      releases.push_back(release(install.version));
    auto alias = resolve_alias(tool, requested, releases);
    if (!alias)
      return util::fail(
          fmt::format("{}; install one or map it with --tool {}=VERSION:/path "
                      "(or --tool {}=host)",
                      alias.error().message, tool_id(tool), tool_id(tool)));
    resolved = alias->value_or(requested);
  }
  PW_TRY(spec, VersionSpec::parse(resolved));
  for (const ToolMapping& m : m_options.mappings)
    if (m.tool == tool && spec.matches(*m.version)) return mapped(m, resolved, all);
  if (const Install* best = preferred(all, &spec)) return *best;
  std::vector<std::string> versions;
  for (const Install& install : all)
    if (std::find(versions.begin(), versions.end(), install.version.text()) == versions.end())
      versions.push_back(install.version.text());
  std::string has = versions.empty() ? fmt::format("no {}", tool_display(tool))
                                     : fmt::format("{}", fmt::join(versions, ", "));
  auto plain = parse_version(requested);
  std::string mapped_version = plain && plain->text() == requested ? requested : "VERSION";
  return util::fail(fmt::format(
      "{} {} requested, host has {}; install it or map the version with --tool {}={}:/path",
      tool_display(tool), requested, has, tool_id(tool), mapped_version));
}

}  // namespace pipewright::exec::actions
