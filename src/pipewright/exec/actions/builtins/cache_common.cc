#include "pipewright/exec/actions/builtins/cache_common.h"

#include "pipewright/exec/actions/builtins/common.h"

namespace pipewright::exec::actions::builtins {

CacheStore open_cache_store(const BuiltinCall& call) {
  CacheStoreOptions options;
  options.dir = store_dir(call.settings != nullptr ? call.settings->cache_store_dir : "", "cache");
  options.workspace = call.workspace;
  options.home = home_dir(call);
  return CacheStore(std::move(options));
}

}  // namespace pipewright::exec::actions::builtins
