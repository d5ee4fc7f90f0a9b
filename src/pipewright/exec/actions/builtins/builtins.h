// The native built-in actions, one per file in this folder; builtin_registry.cc lists
// them in its table. Each function returns a process-wide, stateless instance.
#pragma once

#include "pipewright/exec/actions/builtin.h"

namespace pipewright::exec::actions::builtins {

const BuiltinAction& checkout();           // actions/checkout
const BuiltinAction& cache();              // actions/cache
const BuiltinAction& cache_restore();      // actions/cache/restore
const BuiltinAction& cache_save();         // actions/cache/save
const BuiltinAction& upload_artifact();    // actions/upload-artifact
const BuiltinAction& download_artifact();  // actions/download-artifact
const BuiltinAction& setup_python();       // actions/setup-python
const BuiltinAction& setup_node();         // actions/setup-node
const BuiltinAction& setup_go();           // actions/setup-go
const BuiltinAction& setup_java();         // actions/setup-java

}  // namespace pipewright::exec::actions::builtins
