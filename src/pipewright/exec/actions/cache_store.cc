#include "pipewright/exec/actions/cache_store.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

#include "pipewright/exec/actions/path_glob.h"
#include "pipewright/os/fd.h"
#include "pipewright/os/file.h"
#include "pipewright/os/file_lock.h"
#include "pipewright/util/sha256.h"

namespace pipewright::exec::actions {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_max_key_length = 512;
constexpr size_t k_max_keys = 10;
constexpr size_t k_max_sidecar = 64 * 1024;
// Archive layout, recorded in the sidecar. 1: entries named by their absolute path
// (without the leading '/'). 2: "ws/<path relative to the workspace>" for files in the
// workspace (so another job's workspace restores them, like GitHub's tar -C
// $GITHUB_WORKSPACE), "abs/<absolute path>" for the others (~/.cache, ...).
constexpr int k_layout = 2;
constexpr std::string_view k_ws_prefix = "ws/";
constexpr std::string_view k_abs_prefix = "abs/";

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string hex_sha256(std::string_view data) {
  util::Sha256 h;
  h.update(data);
  return util::to_hex(h.finish());
}

struct Stored {
  CacheEntryInfo info;
  std::string id;
  int layout = 1;
};

std::string to_json(const CacheEntryInfo& e, int layout) {
  nlohmann::json j{{"key", e.key},    {"scope", e.scope},           {"version", e.version},
                   {"size", e.size},  {"created_ns", e.created_ns}, {"used_ns", e.used_ns},
                   {"layout", layout}};
  return j.dump() + "\n";
}

// The layout a sidecar records (1 when it predates the field).
int layout_of(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("layout") ||
      !j["layout"].is_number_integer())
    return 1;
  return j["layout"].get<int>();
}

std::optional<CacheEntryInfo> from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    CacheEntryInfo e;
    e.key = j.at("key").get<std::string>();
    e.scope = j.at("scope").get<std::string>();
    e.version = j.at("version").get<std::string>();
    e.size = j.at("size").get<uint64_t>();
    e.created_ns = j.at("created_ns").get<int64_t>();
    e.used_ns = j.at("used_ns").get<int64_t>();
    return e;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::vector<Stored> scan(const std::string& dir) {
  std::vector<Stored> out;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(dir, ec)) {
    std::string name = item.path().filename().string();
    if (!name.ends_with(".json")) continue;
    std::string id = name.substr(0, name.size() - 5);
    if (!fs::exists(dir + "/" + id + ".tar.zst", ec)) continue;
    auto text = os::read_file(item.path().string(), k_max_sidecar);
    if (!text) continue;
    auto info = from_json(*text);
    if (info) out.push_back({std::move(*info), id, layout_of(*text)});
  }
  std::sort(out.begin(), out.end(),
            [](const Stored& a, const Stored& b) { return a.info.created_ns > b.info.created_ns; });
  return out;
}

}  // namespace

CacheStore::CacheStore(CacheStoreOptions options) : m_options(std::move(options)) {}

std::string CacheStore::version_of(const std::string& paths, bool enable_cross_os_archive) {
  // As @actions/cache: the paths, the compression method and, on Windows only without
  // enableCrossOsArchive, "windows-only". This build runs on Linux.
  (void)enable_cross_os_archive;
  std::string material;
  size_t start = 0;
  while (start <= paths.size()) {
    size_t end = paths.find('\n', start);
    if (end == std::string::npos) end = paths.size();
    std::string line = paths.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    material += line.substr(first) + "|";
  }
  material += "zstd";
  return hex_sha256(material);
}

util::Expected<void> CacheStore::validate_keys(const std::string& key,
                                               const std::vector<std::string>& restore_keys) {
  if (key.empty()) return util::fail("Input required and not supplied: key");
  if (1 + restore_keys.size() > k_max_keys)
    return util::fail(
        fmt::format("Key Validation Error: Keys are limited to a maximum of {}.", k_max_keys));
  std::vector<std::string> all{key};
  all.insert(all.end(), restore_keys.begin(), restore_keys.end());
  for (const std::string& k : all) {
    if (k.size() > k_max_key_length)
      return util::fail(fmt::format("Key Validation Error: {} cannot be larger than {} characters.",
                                    k, k_max_key_length));
    if (k.find(',') != std::string::npos)
      return util::fail(fmt::format("Key Validation Error: {} cannot contain commas.", k));
  }
  return {};
}

util::Expected<CacheSaveResult> CacheStore::save(const CacheSaveRequest& request) {
  PW_TRY_VOID(validate_keys(request.key, {}));
  GlobOptions glob{m_options.workspace, m_options.home, true};
  PW_TRY(matched, expand_globs(request.paths, glob));
  CacheSaveResult result;
  if (matched.files.empty()) {
    result.warning =
        "Path Validation Error: Path(s) specified in the action for caching do(es) not exist, "
        "hence no cache is being saved.";
    return result;
  }
  CacheEntryInfo info;
  info.key = request.key;
  info.scope = request.scope;
  info.version = version_of(request.paths, request.enable_cross_os_archive);
  std::string id = hex_sha256(info.scope + '\0' + info.key + '\0' + info.version);
  std::string base = m_options.dir + "/" + id;

  PW_TRY(lock, os::FileLock::acquire(m_options.dir + "/.lock"));
  std::error_code ec;
  if (fs::exists(base + ".json", ec) && fs::exists(base + ".tar.zst", ec)) {
    result.warning =
        fmt::format("Unable to reserve cache with key {}, another job may be creating this cache.",
                    request.key);
    return result;
  }
  std::vector<PackInput> inputs;
  inputs.reserve(matched.files.size());
  const std::string workspace = normalize_path(m_options.workspace, "/");
  for (const std::string& file : matched.files) {
    if (path_within(file, workspace) && file != workspace)
      inputs.push_back({file, std::string(k_ws_prefix) + file.substr(workspace.size() + 1)});
    else
      inputs.push_back({file, std::string(k_abs_prefix) + file.substr(1)});
  }
  PW_TRY(stats, write_archive(base + ".tar.zst", inputs));
  info.size = stats.compressed;
  info.created_ns = info.used_ns = now_ns();
  PW_TRY_VOID(os::write_file(base + ".json", to_json(info, k_layout)));
  result.saved = true;
  result.files = stats.entries;
  result.size = stats.compressed;
  PW_TRY_VOID(evict_locked());
  return result;
}

util::Expected<CacheRestoreResult> CacheStore::restore(const CacheRestoreRequest& request) {
  PW_TRY_VOID(validate_keys(request.key, request.restore_keys));
  std::string version = version_of(request.paths, request.enable_cross_os_archive);
  std::vector<Stored> entries = scan(m_options.dir);
  const Stored* found = nullptr;
  for (const std::string& scope : request.scopes) {
    auto first = [&](auto&& pred) -> const Stored* {
      for (const Stored& s : entries)  // newest first
        if (s.info.scope == scope && s.info.version == version && pred(s.info.key)) return &s;
      return nullptr;
    };
    found = first([&](const std::string& k) { return k == request.key; });
    if (!found) found = first([&](const std::string& k) { return k.starts_with(request.key); });
    for (size_t i = 0; !found && i < request.restore_keys.size(); ++i)
      found = first([&](const std::string& k) { return k.starts_with(request.restore_keys[i]); });
    if (found) break;
  }
  CacheRestoreResult result;
  if (!found) return result;
  result.matched_key = found->info.key;
  result.exact = found->info.key == request.key;
  if (request.lookup_only) return result;

  GlobOptions glob{m_options.workspace, m_options.home, true};
  PW_TRY(declared, expand_globs(request.paths, glob));
  std::vector<std::string> roots = declared.search_paths;
  const std::string workspace = normalize_path(m_options.workspace, "/");
  const int layout = found->layout;
  PlaceEntry place = [&](std::string_view name) -> util::Expected<Placement> {
    std::string dest;
    if (layout == 1)
      dest = "/" + std::string(name);
    else if (name.starts_with(k_ws_prefix))
      dest = normalize_path(name.substr(k_ws_prefix.size()), workspace);
    else if (name.starts_with(k_abs_prefix))
      dest = "/" + std::string(name.substr(k_abs_prefix.size()));
    else
      return util::fail(fmt::format("refusing cache entry '{}': unknown layout", name));
    const std::string* best = nullptr;
    for (const std::string& r : roots)
      if (path_within(dest, r) && (!best || r.size() > best->size())) best = &r;
    if (!best)
      return util::fail(fmt::format(
          "refusing cache entry '{}': it is outside the paths this cache declares", name));
    std::string root = *best;
    if (dest == root) root = root.substr(0, std::max<size_t>(1, root.rfind('/')));
    return Placement{root, dest};
  };
  std::string archive = m_options.dir + "/" + found->id + ".tar.zst";
  PW_TRY(stats, extract_archive(archive, place, m_options.limits));
  result.files = stats.entries;
  // Last use, for LRU eviction.
  CacheEntryInfo used = found->info;
  used.used_ns = now_ns();
  PW_TRY(lock, os::FileLock::acquire(m_options.dir + "/.lock"));
  std::error_code ec;
  if (fs::exists(archive, ec))
    PW_TRY_VOID(
        os::write_file(m_options.dir + "/" + found->id + ".json", to_json(used, found->layout)));
  return result;
}

std::vector<CacheEntryInfo> CacheStore::list() const {
  std::vector<CacheEntryInfo> out;
  for (Stored& s : scan(m_options.dir))
    out.push_back(std::move(s.info));
  return out;
}

util::Expected<void> CacheStore::evict() {
  PW_TRY(lock, os::FileLock::acquire(m_options.dir + "/.lock"));
  return evict_locked();
}

util::Expected<void> CacheStore::evict_locked() {
  std::vector<Stored> entries = scan(m_options.dir);
  uint64_t total = 0;
  for (const Stored& s : entries)
    total += s.info.size;
  std::sort(entries.begin(), entries.end(),
            [](const Stored& a, const Stored& b) { return a.info.used_ns < b.info.used_ns; });
  for (const Stored& s : entries) {
    if (total <= m_options.budget_bytes) break;
    std::string base = m_options.dir + "/" + s.id;
    // The sidecar first: without it the entry is invisible, never half there.
    if (::unlink((base + ".json").c_str()) != 0 && errno != ENOENT)
      return util::fail(fmt::format("cannot evict {}: {}", base, std::strerror(errno)));
    ::unlink((base + ".tar.zst").c_str());
    total -= s.info.size;
  }
  return {};
}

}  // namespace pipewright::exec::actions
