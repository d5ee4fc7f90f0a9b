// actions/cache, actions/cache/restore and actions/cache/save on the native cache
// store (cache_store.h), with @actions/cache's inputs, outputs, state and messages:
// - restore (cache main, cache/restore): `key`, `restore-keys`, `path`,
//   `enableCrossOsArchive`, `fail-on-cache-miss`, `lookup-only`; outputs `cache-hit`
//   ("true" only on the exact key, "false" on a restore-key match, unset on a miss, as
//   GitHub leaves it), `cache-primary-key` and `cache-matched-key`.
// - save (cache post, cache/save): only when the job succeeded and the primary key was
//   not hit; a problem (existing key, nothing to save, invalid key) is a warning.
// Invalid keys fail a restore, as GitHub's ValidationError does.
#include <fmt/format.h>

#include "pipewright/exec/actions/builtins/builtins.h"
#include "pipewright/exec/actions/builtins/cache_common.h"
#include "pipewright/exec/actions/builtins/common.h"

namespace pipewright::exec::actions::builtins {
namespace {

constexpr const char* k_state_key = "CACHE_KEY";
constexpr const char* k_state_matched = "CACHE_RESULT";

enum class CacheKind { both, restore_only, save_only };

// Inputs every variant needs; fails with GitHub's "Input required" wording.
struct CacheInputs {
  std::string key;
  std::string paths;
  std::vector<std::string> restore_keys;
  bool cross_os = false;
  bool fail_on_miss = false;
  bool lookup_only = false;
};

util::Expected<CacheInputs> read_inputs(const BuiltinCall& call, bool need_key) {
  CacheInputs in;
  in.key = trim(call.input("key"));
  if (need_key && in.key.empty()) return util::fail("Input required and not supplied: key");
  in.paths = call.input("path");
  if (lines_input(call, "path").empty()) return util::fail("Input required and not supplied: path");
  in.restore_keys = lines_input(call, "restore-keys");
  PW_TRY(cross, bool_input(call, "enableCrossOsArchive", false));
  PW_TRY(fail_on_miss, bool_input(call, "fail-on-cache-miss", false));
  PW_TRY(lookup, bool_input(call, "lookup-only", false));
  in.cross_os = cross;
  in.fail_on_miss = fail_on_miss;
  in.lookup_only = lookup;
  return in;
}

BuiltinResult restore(const BuiltinCall& call, CacheKind kind) {
  auto in = read_inputs(call, true);
  if (!in) return failure(call, in.error().message);
  BuiltinResult result;
  result.outputs.push_back({"cache-primary-key", in->key});
  result.state.push_back({k_state_key, in->key});
  result.run_post = kind == CacheKind::both;

  CacheRestoreRequest request{.key = in->key,
                              .restore_keys = in->restore_keys,
                              .paths = in->paths,
                              .scopes = cache_scopes(call),
                              .lookup_only = in->lookup_only,
                              .enable_cross_os_archive = in->cross_os};
  CacheStore store = open_cache_store(call);
  auto found = store.restore(request);
  if (!found) {
    // As @actions/cache: invalid keys fail the step; other problems (here: an archive
    // refused while extracting) are a warning and the job goes on without the cache.
    if (found.error().message.starts_with("Key Validation Error"))
      return failure(call, found.error().message);
    warn(call, fmt::format("Failed to restore: {}", found.error().message));
    return result;
  }
  if (!found->matched_key) {
    std::string keys = in->key;
    for (const auto& k : in->restore_keys)
      keys += ", " + k;
    if (in->fail_on_miss)
      return failure(call, fmt::format("Failed to restore cache entry. Exiting as "
                                       "fail-on-cache-miss is set. Input key: {}",
                                       in->key));
    log(call, fmt::format("Cache not found for input keys: {}", keys));
    return result;
  }
  result.state.push_back({k_state_matched, *found->matched_key});
  result.outputs.push_back({"cache-hit", found->exact ? "true" : "false"});
  result.outputs.push_back({"cache-matched-key", *found->matched_key});
  if (in->lookup_only)
    log(call, fmt::format("Cache found and can be restored from key: {}", *found->matched_key));
  else
    log(call,
        fmt::format("Cache restored from key: {} ({} files)", *found->matched_key, found->files));
  return result;
}

// Saves `key`; `Failed to save` problems are warnings as in @actions/cache.
BuiltinResult save(const BuiltinCall& call, const std::string& key) {
  auto in = read_inputs(call, false);
  if (!in) return failure(call, in.error().message);
  CacheSaveRequest request{.key = key,
                           .paths = in->paths,
                           .scope = github_string(call, "ref"),
                           .enable_cross_os_archive = in->cross_os};
  CacheStore store = open_cache_store(call);
  auto saved = store.save(request);
  if (!saved) {  // @actions/cache only warns when a save fails, whatever the reason
    warn(call, fmt::format("Failed to save: {}", saved.error().message));
    return {};
  }
  if (!saved->saved) {
    warn(call, saved->warning);
    return {};
  }
  log(call,
      fmt::format("Cache saved with key: {} ({} files, {} bytes)", key, saved->files, saved->size));
  return {};
}

class Cache : public BuiltinAction {
 public:
  std::string_view name() const override { return "actions/cache"; }
  BuiltinResult main(const BuiltinCall& call) const override {
    return restore(call, CacheKind::both);
  }
  BuiltinResult post(const BuiltinCall& call) const override {
    auto key = call.state.find(k_state_key);
    if (key == call.state.end() || key->second.empty()) {
      log(call, "Cache save skipped: no primary key was recorded by the restore.");
      return {};
    }
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
    return save(call, key->second);
  }
};

class CacheRestore : public BuiltinAction {
 public:
  std::string_view name() const override { return "actions/cache/restore"; }
  BuiltinResult main(const BuiltinCall& call) const override {
    return restore(call, CacheKind::restore_only);
  }
};

class CacheSave : public BuiltinAction {
 public:
  std::string_view name() const override { return "actions/cache/save"; }
  BuiltinResult main(const BuiltinCall& call) const override {
    std::string key = trim(call.input("key"));
    if (key.empty()) return failure(call, "Input required and not supplied: key");
    return save(call, key);
  }
};

}  // namespace

const BuiltinAction& cache() {
  static const Cache action;
  return action;
}
const BuiltinAction& cache_restore() {
  static const CacheRestore action;
  return action;
}
const BuiltinAction& cache_save() {
  static const CacheSave action;
  return action;
}

}  // namespace pipewright::exec::actions::builtins
