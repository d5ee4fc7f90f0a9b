#include "pipewright/exec/actions/builtins/setup_cache.h"

#include <filesystem>

#include <fmt/format.h>

#include "pipewright/exec/actions/builtins/cache_common.h"
#include "pipewright/exec/actions/builtins/common.h"
#include "pipewright/os/hash_files.h"
#include "pipewright/os/process.h"

namespace pipewright::exec::actions::builtins {
namespace {

constexpr const char* k_state_key = "SETUP_CACHE_KEY";
constexpr const char* k_state_matched = "SETUP_CACHE_MATCHED";
constexpr const char* k_state_paths = "SETUP_CACHE_PATHS";

// Where a package manager keeps its cache, from the step environment.
using CacheDirs = std::vector<std::string> (*)(const BuiltinCall&, const Install&);

struct ManagerRow {
  Tool tool;
  std::string_view name;          // the `cache:` value
  std::string_view dependencies;  // default cache-dependency-path patterns
  std::string_view key_prefix;    // before -<hash>; {ver} is the install's version
  CacheDirs dirs;
};

// $VAR when set, else `fallback` below the home directory.
std::string env_or_home(const BuiltinCall& call, std::string_view var, std::string_view fallback) {
  if (auto v = env_value(call, var); v && !v->empty()) return *v;
  return home_dir(call) + "/" + std::string(fallback);
}

std::string xdg_cache(const BuiltinCall& call) {
  if (auto v = env_value(call, "XDG_CACHE_HOME"); v && v->starts_with('/')) return *v;
  return home_dir(call) + "/.cache";
}

std::vector<std::string> pip_dirs(const BuiltinCall& call, const Install&) {
  if (auto v = env_value(call, "PIP_CACHE_DIR"); v && !v->empty()) return {*v};
  return {xdg_cache(call) + "/pip"};
}
std::vector<std::string> pipenv_dirs(const BuiltinCall& call, const Install&) {
  return {home_dir(call) + "/.local/share/virtualenvs"};
}
std::vector<std::string> poetry_dirs(const BuiltinCall& call, const Install&) {
  return {xdg_cache(call) + "/pypoetry/virtualenvs", xdg_cache(call) + "/pypoetry/cache"};
}
std::vector<std::string> npm_dirs(const BuiltinCall& call, const Install&) {
  return {env_or_home(call, "npm_config_cache", ".npm")};
}
std::vector<std::string> yarn_dirs(const BuiltinCall& call, const Install&) {
  if (auto v = env_value(call, "YARN_CACHE_FOLDER"); v && !v->empty()) return {*v};
  return {xdg_cache(call) + "/yarn"};
}
std::vector<std::string> pnpm_dirs(const BuiltinCall& call, const Install&) {
  return {home_dir(call) + "/.local/share/pnpm/store"};
}
std::vector<std::string> maven_dirs(const BuiltinCall& call, const Install&) {
  return {home_dir(call) + "/.m2/repository"};
}
std::vector<std::string> gradle_dirs(const BuiltinCall& call, const Install&) {
  return {home_dir(call) + "/.gradle/caches", home_dir(call) + "/.gradle/wrapper"};
}
std::vector<std::string> sbt_dirs(const BuiltinCall& call, const Install&) {
  return {home_dir(call) + "/.ivy2/cache", home_dir(call) + "/.sbt", xdg_cache(call) + "/coursier"};
}
// `go env GOMODCACHE GOCACHE` of the selected go.
std::vector<std::string> go_dirs(const BuiltinCall& call, const Install& install) {
  CommandOutput go_env =
      run_command(call, {install.executable, "env", "GOMODCACHE", "GOCACHE"}, env_strings(call));
  std::vector<std::string> dirs;
  if (!go_env.ok) return dirs;
  const std::string& out = go_env.output;
  for (size_t start = 0; start < out.size();) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = trim(std::string_view(out).substr(start, end - start));
    if (!line.empty()) dirs.push_back(line);
    start = end + 1;
  }
  return dirs;
}

constexpr ManagerRow k_managers[] = {
    {Tool::python, "pip", "**/requirements*.txt", "setup-python-Linux-x64-python-{ver}-pip",
     pip_dirs},
    {Tool::python, "pipenv", "**/Pipfile.lock", "setup-python-Linux-x64-python-{ver}-pipenv",
     pipenv_dirs},
    {Tool::python, "poetry", "**/poetry.lock", "setup-python-Linux-x64-python-{ver}-poetry",
     poetry_dirs},
    {Tool::node, "npm", "**/package-lock.json\n**/npm-shrinkwrap.json", "node-cache-linux-x64-npm",
     npm_dirs},
    {Tool::node, "yarn", "**/yarn.lock", "node-cache-linux-x64-yarn", yarn_dirs},
    {Tool::node, "pnpm", "**/pnpm-lock.yaml", "node-cache-linux-x64-pnpm", pnpm_dirs},
    {Tool::go, "true", "**/go.sum", "setup-go-Linux-x64-go-{ver}", go_dirs},
    {Tool::java, "maven", "**/pom.xml", "setup-java-Linux-x64-maven", maven_dirs},
    {Tool::java, "gradle", "**/*.gradle*\n**/gradle-wrapper.properties",
     "setup-java-Linux-x64-gradle", gradle_dirs},
    {Tool::java, "sbt", "**/*.sbt\n**/project/build.properties\n**/project/**.scala",
     "setup-java-Linux-x64-sbt", sbt_dirs},
};

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

}  // namespace

util::Expected<void> restore_dependency_cache(const BuiltinCall& call, Tool tool,
                                              const std::string& manager, const Install& install,
                                              BuiltinResult& result) {
  const ManagerRow* row = nullptr;
  std::vector<std::string> known;
  for (const ManagerRow& r : k_managers) {
    if (r.tool != tool) continue;
    known.emplace_back(r.name);
    if (r.name == manager) row = &r;
  }
  if (row == nullptr)
    return util::fail(fmt::format("Caching for '{}' is not supported (supported: {})", manager,
                                  join(known, ", ")));
  std::vector<std::string> patterns = lines_input(call, "cache-dependency-path");
  if (patterns.empty()) {
    std::string defaults(row->dependencies);
    for (size_t start = 0; start < defaults.size();) {
      size_t end = defaults.find('\n', start);
      if (end == std::string::npos) end = defaults.size();
      patterns.push_back(defaults.substr(start, end - start));
      start = end + 1;
    }
  }
  PW_TRY(hash, os::hash_files(call.workspace, patterns, false));
  if (hash.empty())
    return util::fail(fmt::format(
        "No file in {} matched to [{}], make sure you have checked out the target repository",
        call.workspace, join(patterns, ", ")));
  std::string prefix(row->key_prefix);
  if (size_t at = prefix.find("{ver}"); at != std::string::npos)
    prefix.replace(at, 5, install.version.text());
  std::string key = prefix + "-" + hash;
  std::vector<std::string> dirs = row->dirs(call, install);
  if (dirs.empty())
    return util::fail(fmt::format("Could not find the {} cache directory", manager));
  std::string paths = join(dirs, "\n");

  CacheStore store = open_cache_store(call);
  CacheRestoreRequest request;
  request.key = key;
  request.paths = paths;
  request.scopes = cache_scopes(call);
  auto found = store.restore(request);
  bool hit = false;
  if (!found) {
    warn(call, fmt::format("Failed to restore: {}", found.error().message));
  } else if (found->matched_key) {
    hit = found->exact;
    result.state.push_back({k_state_matched, *found->matched_key});
    log(call, fmt::format("Cache restored from key: {}", *found->matched_key));
  } else {
    log(call, fmt::format("{} cache is not found", manager == "true" ? "go" : manager));
  }
  result.outputs.push_back({"cache-hit", hit ? "true" : "false"});
  result.state.push_back({k_state_key, key});
  result.state.push_back({k_state_paths, paths});
  result.run_post = true;
  return {};
}

BuiltinResult save_dependency_cache(const BuiltinCall& call) {
  auto key = call.state.find(k_state_key);
  auto paths = call.state.find(k_state_paths);
  if (key == call.state.end() || paths == call.state.end()) return {};
  if (!call.job_succeeded) {
    log(call, "Cache save skipped: the job did not succeed.");
    return {};
  }
  auto matched = call.state.find(k_state_matched);
  if (matched != call.state.end() && matched->second == key->second) {
    log(call,
        fmt::format("Cache hit occurred on the primary key {}, not saving cache.", key->second));
    return {};
  }
  CacheStore store = open_cache_store(call);
  CacheSaveRequest request;
  request.key = key->second;
  request.paths = paths->second;
  request.scope = github_string(call, "ref");
  auto saved = store.save(request);
  if (!saved)
    warn(call, fmt::format("Failed to save: {}", saved.error().message));
  else if (!saved->saved)
    warn(call, saved->warning);
  else
    log(call, fmt::format("Cache saved with the key: {}", key->second));
  return {};
}

}  // namespace pipewright::exec::actions::builtins
