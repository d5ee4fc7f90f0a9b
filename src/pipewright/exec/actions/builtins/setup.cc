// actions/setup-python, setup-node, setup-go and setup-java, natively. The requested
// version (input, version file (version_files.h), or .python-version /
// .tool-versions; aliases such as `lts/*` resolved against what is known) is looked
// for among the host's installs first (toolchains.h: `--tool` mappings, PATH,
// versioned names, pyenv/nvm/JVM directories, the tool cache); its bin directory goes
// first on PATH and the outputs are the real actions'. When the host lacks it (or
// `check-latest` asks for the newest) and the tool has a release index (Node.js and
// Go: --tool-mirror, else nodejs.org / go.dev; never with --offline), the release is
// downloaded into the tool cache (tool_downloads.h). Otherwise the step fails with guidance
// ("Python 3.12 requested, host has 3.11.7; install it or map the version with --tool
// python=3.12:/path"). `cache:` restores the package manager's cache (setup_cache.h).
#include <filesystem>
#include <iterator>

#include <fmt/format.h>

#include "pipewright/exec/actions/builtins/builtins.h"
#include "pipewright/exec/actions/builtins/common.h"
#include "pipewright/exec/actions/builtins/setup_cache.h"
#include "pipewright/exec/actions/path_glob.h"
#include "pipewright/exec/actions/tool_downloads.h"
#include "pipewright/exec/actions/toolchains.h"
#include "pipewright/exec/actions/version_files.h"
#include "pipewright/os/file.h"

namespace pipewright::exec::actions::builtins {
namespace {

namespace fs = std::filesystem;

// Extra environment a setup action exports for its install.
using SetupEnv = void (*)(const Install&, BuiltinResult&);

struct SetupRow {
  Tool tool;
  std::string_view action;         // actions/setup-python
  std::string_view version_input;  // python-version
  std::string_view file_input;     // python-version-file
  // Version files read when neither input is given ('' entries end the list).
  std::string_view default_files[2];
  bool version_required;            // setup-java: java-version or java-version-file
  std::string_view version_output;  // python-version
  std::string_view path_output;     // python-path ('' when none)
  std::string_view version_prefix;  // node reports "v20.11.0"
  SetupEnv env;
};

// The directory above bin/ (pythonLocation, JAVA_HOME, GOROOT).
std::string install_root(const Install& install) {
  return fs::path(install.bin_dir).parent_path().string();
}

void python_env(const Install& install, BuiltinResult& result) {
  std::string root = install_root(install);
  result.env.push_back({"pythonLocation", root});
  result.env.push_back({"Python_ROOT_DIR", root});
  result.env.push_back({"Python2_ROOT_DIR", root});
  result.env.push_back({"Python3_ROOT_DIR", root});
  result.env.push_back({"PKG_CONFIG_PATH", root + "/lib/pkgconfig"});
}
void node_env(const Install&, BuiltinResult&) {}
void go_env(const Install& install, BuiltinResult& result) {
  result.env.push_back({"GOROOT", install_root(install)});
}
void java_env(const Install& install, BuiltinResult& result) {
  std::string root = install_root(install);
  result.env.push_back({"JAVA_HOME", root});
  int major = install.version.parts.empty() ? 0 : install.version.parts[0];
  result.env.push_back({fmt::format("JAVA_HOME_{}_X64", major), root});
  result.outputs.push_back({"path", root});
}

constexpr SetupRow k_setups[] = {
    {Tool::python,
     "actions/setup-python",
     "python-version",
     "python-version-file",
     {".python-version", ".tool-versions"},
     false,
     "python-version",
     "python-path",
     "",
     python_env},
    {Tool::node,
     "actions/setup-node",
     "node-version",
     "node-version-file",
     {"", ""},
     false,
     "node-version",
     "",
     "v",
     node_env},
    {Tool::go,
     "actions/setup-go",
     "go-version",
     "go-version-file",
     {"", ""},
     false,
     "go-version",
     "",
     "",
     go_env},
    {Tool::java,
     "actions/setup-java",
     "java-version",
     "java-version-file",
     {"", ""},
     true,
     "version",
     "",
     "",
     java_env},
};

// GitHub gives each job a Python it can `pip install` into. A host interpreter that
// its distribution manages (PEP 668: EXTERNALLY-MANAGED next to the standard library,
// as Debian's /usr/bin/python3) refuses that, and should not be changed by a job
// anyway. Such a job gets a virtual environment over it in RUNNER_TEMP instead: the
// host's packages stay visible (--system-site-packages), what the job installs stays
// with the job, and `pip` runs the host's pip inside it. Other installs are used as is.
util::Expected<Install> job_python(const BuiltinCall& call, const Install& host) {
  const auto& parts = host.version.parts;
  std::string stdlib = install_root(host) + "/lib/python" +
                       (parts.size() >= 2 ? fmt::format("{}.{}", parts[0], parts[1]) : "3");
  if (call.runner_temp.empty() || !fs::exists(stdlib + "/EXTERNALLY-MANAGED")) return host;
  std::string dir = call.runner_temp + "/setup-python/" + host.version.text();
  if (!fs::exists(dir + "/bin/python")) {
    CommandOutput made = run_command(
        call, {host.executable, "-m", "venv", "--without-pip", "--system-site-packages", dir},
        env_strings(call));
    if (!made.ok)
      return util::fail("cannot create the job's Python environment in " + dir + ": " +
                        made.output);
    std::string pip = "#!" + dir + "/bin/python\nimport sys\n" +
                      "from pip._internal.cli.main import main\nsys.exit(main())\n";
    for (const char* name : {"/bin/pip", "/bin/pip3"}) {
      PW_TRY_VOID(os::write_file(dir + name, pip));
      fs::permissions(dir + name, fs::perms(0755));
    }
  }
  log(call, "Python of the host is managed by the system (PEP 668): the job installs into " + dir +
                " (a virtual environment that sees the host's packages)");
  Install job = host;
  job.executable = dir + "/bin/python";
  job.bin_dir = dir + "/bin";
  return job;
}

// The version specs asked for: the input's lines, else the version file's, else the
// default files'. Empty: whatever the host has.
util::Expected<std::vector<std::string>> requested_specs(const BuiltinCall& call,
                                                         const SetupRow& row) {
  std::vector<std::string> specs = lines_input(call, row.version_input);
  if (!specs.empty()) return specs;
  std::string file = trim(call.input(row.file_input));
  if (!file.empty()) {
    PW_TRY(version, read_version_file(row.tool, normalize_path(file, call.workspace)));
    return std::vector<std::string>{version};
  }
  for (std::string_view name : row.default_files) {
    if (name.empty()) break;
    std::string path = normalize_path(name, call.workspace);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) continue;
    auto version = read_version_file(row.tool, path);
    if (version) return std::vector<std::string>{*version};
  }
  if (row.version_required)
    return util::fail(fmt::format("{} or {} input expected", row.version_input, row.file_input));
  return std::vector<std::string>{};
}

// Where downloaded toolchains live (and are found again).
util::Expected<std::string> tool_cache(const BuiltinCall& call) {
  if (call.settings != nullptr && !call.settings->tool_cache_dir.empty())
    return call.settings->tool_cache_dir;
  return default_tool_cache_dir();
}

// The release index `tool` downloads from: its --tool-mirror, else the real action's;
// '' with --offline or when the tool has none.
util::Expected<std::string> release_mirror(const BuiltinCall& call, Tool tool) {
  if (!downloadable(tool) || (call.settings != nullptr && call.settings->offline)) return "";
  if (call.settings != nullptr)
    for (const std::string& text : call.settings->tool_mirrors) {
      PW_TRY(mirror, parse_tool_mirror(text));
      if (mirror.tool == tool) return mirror.url;
    }
  return std::string(default_tool_mirror(tool));
}

util::Expected<Toolchains> host_toolchains(const BuiltinCall& call) {
  ToolchainOptions options;
  options.path_dirs = split_path_list(env_value(call, "PATH").value_or(""));
  options.home = home_dir(call);
  if (auto cache = tool_cache(call)) options.tool_cache = *cache;
  if (call.settings != nullptr)
    for (const std::string& text : call.settings->tools) {
      PW_TRY(mapping, parse_tool_mapping(text));
      options.mappings.push_back(mapping);
    }
  return Toolchains(std::move(options));
}

// The newest release in `releases` satisfying `spec` (an alias resolved among them).
util::Expected<Version> newest_release(Tool tool, const std::string& spec,
                                       const std::vector<Release>& releases,
                                       const std::string& mirror) {
  PW_TRY(alias, resolve_alias(tool, spec, releases));
  PW_TRY(parsed, VersionSpec::parse(alias.value_or(spec)));
  const Release* best = nullptr;
  for (const Release& r : releases)
    if (parsed.matches(r.version) && (!best || compare(r.version, best->version) > 0)) best = &r;
  if (!best)
    return util::fail(
        fmt::format("Unable to find {} version '{}' for platform linux and "
                    "architecture {} in {}",
                    tool_display(tool), spec, host_arch(), mirror));
  return best->version;
}

// An install for `spec`: the host's (mappings included) unless check-latest finds a
// newer release, else a download from the release index; failing that, the host's
// error (which names the versions it has) with why the index did not help.
util::Expected<Install> acquire(const BuiltinCall& call, const Toolchains& chains, Tool tool,
                                const std::string& spec, bool check_latest) {
  auto host = chains.select(tool, spec);
  if (host && (host->source == "mapping" || !check_latest)) return host;
  PW_TRY(mirror, release_mirror(call, tool));
  if (mirror.empty()) {
    if (host && check_latest)
      log(call, fmt::format("check-latest: no release index {}; using the host's {} {}",
                            call.settings != nullptr && call.settings->offline
                                ? "(--offline)"
                                : "for " + std::string(tool_display(tool)),
                            tool_display(tool), host->version.text()));
    return host;
  }
  auto releases = fetch_release_index(tool, mirror);
  std::optional<Version> version;
  std::string why;
  if (releases) {
    auto newest = newest_release(tool, spec, *releases, mirror);
    if (newest)
      version = *newest;
    else
      why = newest.error().message;
  } else {
    why = releases.error().message;
  }
  if (host && (!version || compare(*version, host->version) <= 0)) {
    if (!version) log(call, "check-latest: " + why + "; using the host's " + host->version.text());
    return host;
  }
  if (!version) return util::fail(host.error().message + "; " + why);
  PW_TRY(cache, tool_cache(call));
  log(call, fmt::format("{} {} is not on this host: downloading it from {}", tool_display(tool),
                        version->text(), mirror));
  return install_release(tool, *version, mirror, cache,
                         [&](std::string_view line) { log(call, line); });
}

class Setup : public BuiltinAction {
 public:
  explicit Setup(const SetupRow& row) : m_row(row) {}
  std::string_view name() const override { return m_row.action; }

  BuiltinResult main(const BuiltinCall& call) const override {
    if (m_row.tool == Tool::java && trim(call.input("distribution")).empty())
      return failure(call, "Input required and not supplied: distribution");
    auto specs = requested_specs(call, m_row);
    if (!specs) return failure(call, util::format_error(specs.error()));
    auto chains = host_toolchains(call);
    if (!chains) return failure(call, chains.error().message);
    if (specs->empty()) {
      log(call,
          fmt::format("No {} version was specified; using the host's.", tool_display(m_row.tool)));
      specs->push_back("*");
    }

    auto check_latest = bool_input(call, "check-latest", false);
    if (!check_latest) return failure(call, check_latest.error().message);

    BuiltinResult result;
    std::optional<Install> last;
    for (const std::string& spec : *specs) {
      auto install = acquire(call, *chains, m_row.tool, spec, *check_latest);
      if (!install) return failure(call, install.error().message);
      if (!install->warning.empty()) warn(call, install->warning);
      if (m_row.tool == Tool::python) {
        install = job_python(call, *install);
        if (!install) return failure(call, install.error().message);
      }
      log(call, fmt::format("Using {} {} from {} ({}) for '{}'", tool_display(m_row.tool),
                            install->version.text(), install->executable, install->source, spec));
      result.path_lines.push_back(install->bin_dir);
      last = *install;
    }
    std::string version = std::string(m_row.version_prefix) + last->version.text();
    result.outputs.push_back({std::string(m_row.version_output), version});
    if (!m_row.path_output.empty())
      result.outputs.push_back({std::string(m_row.path_output), last->executable});
    m_row.env(*last, result);

    std::string manager = lower(trim(call.input("cache")));
    if (m_row.tool == Tool::go) {
      // setup-go caches by default since v4; `cache: false` turns it off.
      auto on = bool_input(call, "cache", ref_major(call, 5) >= 4);
      if (!on) return failure(call, on.error().message);
      manager = *on ? "true" : "";
      if (*on && !fs::exists(normalize_path("go.sum", call.workspace)) &&
          lines_input(call, "cache-dependency-path").empty()) {
        warn(call, "Restore cache failed: Dependencies file is not found in " + call.workspace +
                       ". Supported file pattern: go.sum");
        manager.clear();
      }
    }
    if (!manager.empty()) {
      auto cached = restore_dependency_cache(call, m_row.tool, manager, *last, result);
      if (!cached) return failure(call, cached.error().message);
    }
    return result;
  }

  BuiltinResult post(const BuiltinCall& call) const override { return save_dependency_cache(call); }

 private:
  const SetupRow& m_row;
};

// One instance per row of k_setups.
const BuiltinAction& setup(size_t row) {
  static const Setup actions[] = {Setup(k_setups[0]), Setup(k_setups[1]), Setup(k_setups[2]),
                                  Setup(k_setups[3])};
  static_assert(std::size(actions) == std::size(k_setups));
  return actions[row];
}

}  // namespace

const BuiltinAction& setup_python() {
  return setup(0);
}
const BuiltinAction& setup_node() {
  return setup(1);
}
const BuiltinAction& setup_go() {
  return setup(2);
}
const BuiltinAction& setup_java() {
  return setup(3);
}

}  // namespace pipewright::exec::actions::builtins
