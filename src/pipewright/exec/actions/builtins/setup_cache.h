// The dependency caches of setup-python / setup-node / setup-go / setup-java
// (`cache: pip|pipenv|poetry|npm|yarn|pnpm|maven|gradle|sbt`, go's `cache: true`) on
// the native cache store, with the key shapes of the real actions, e.g.
// setup-python-Linux-x64-python-3.11.7-pip-<hashFiles(**/requirements*.txt)>.
// Restored by main(), saved by post() (when the job succeeded and the key missed).
#pragma once

#include <string>

#include "pipewright/exec/actions/builtin.h"
#include "pipewright/exec/actions/toolchains.h"

namespace pipewright::exec::actions::builtins {

// Restores the `cache:` package manager's cache for `install` (which setup action:
// `tool`) into the directories it uses. Adds `cache-hit` to the outputs and what
// post() needs to the state (and sets run_post). Fails with the real action's wording
// on an unknown package manager or when no dependency file matches.
util::Expected<void> restore_dependency_cache(const BuiltinCall& call, Tool tool,
                                              const std::string& manager, const Install& install,
                                              BuiltinResult& result);

// post(): saves what restore_dependency_cache() recorded in the state, unless the job
// failed or the primary key was hit. No-op when main() set up no cache.
BuiltinResult save_dependency_cache(const BuiltinCall& call);

}  // namespace pipewright::exec::actions::builtins
