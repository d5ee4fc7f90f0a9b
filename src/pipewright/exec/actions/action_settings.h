// Run-wide settings for `uses:` (issue 4): where remote actions come from, which
// built-ins run natively, host toolchain mappings and where the cache and artifact
// stores live. Filled by `pipewright run` from its flags and the data/cache dirs;
// carried unchanged from RunSettings into RunContext.
#pragma once

#include <string>
#include <vector>

namespace pipewright::exec::actions {

struct ActionSettings {
  std::string actions_url = "https://github.com";  // --actions-url (file:// in tests)
  bool offline = false;                            // --offline: action cache only
  bool builtins = true;                            // --no-builtins without a list: false
  // --no-builtins=actions/cache,actions/checkout: these run the real action instead.
  std::vector<std::string> no_builtins;
  std::vector<std::string> tools;  // --tool python=3.12:/path, as given
  // --tool-mirror [TOOL=]URL: release indexes setup-node / setup-go download from (a
  // bare URL is Node.js's, in the layout of https://nodejs.org/dist); none: the real
  // actions'.
  std::vector<std::string> tool_mirrors;
  std::string tool_cache_dir;    // downloaded toolchains ('' = $XDG_CACHE_HOME/pipewright/tools)
  std::string action_cache_dir;  // remote actions / reusable workflows ('' = XDG default)
  std::string cache_store_dir;   // actions/cache entries ('' = <data dir>/cache)
  std::string artifact_dir;      // artifacts of every run ('' = <data dir>/artifacts)
};

}  // namespace pipewright::exec::actions
