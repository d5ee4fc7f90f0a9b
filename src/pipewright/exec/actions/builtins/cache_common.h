// The cache store as the cache and setup-* built-ins open it for one call.
#pragma once

#include "pipewright/exec/actions/builtin.h"
#include "pipewright/exec/actions/cache_store.h"

namespace pipewright::exec::actions::builtins {

// The store at settings.cache_store_dir (or the data dir default), relative paths
// against the workspace and `~` as the step's HOME.
CacheStore open_cache_store(const BuiltinCall& call);

}  // namespace pipewright::exec::actions::builtins
