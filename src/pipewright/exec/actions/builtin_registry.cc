// The table of native built-ins (STYLE.md rule 8: one row per action) and the parts of
// builtin.h every action shares.
#include <algorithm>
#include <array>

#include "pipewright/exec/actions/builtin.h"
#include "pipewright/exec/actions/builtins/builtins.h"
#include "pipewright/exec/actions/builtins/common.h"

namespace pipewright::exec::actions {
namespace {

struct BuiltinRow {
  std::string_view name;  // owner/repo[/path], lower case
  const BuiltinAction& (*action)();
};

constexpr std::array k_builtins{
    BuiltinRow{"actions/checkout", builtins::checkout},
    BuiltinRow{"actions/cache", builtins::cache},
    BuiltinRow{"actions/cache/restore", builtins::cache_restore},
    BuiltinRow{"actions/cache/save", builtins::cache_save},
    BuiltinRow{"actions/upload-artifact", builtins::upload_artifact},
    BuiltinRow{"actions/download-artifact", builtins::download_artifact},
    BuiltinRow{"actions/setup-python", builtins::setup_python},
    BuiltinRow{"actions/setup-node", builtins::setup_node},
    BuiltinRow{"actions/setup-go", builtins::setup_go},
    BuiltinRow{"actions/setup-java", builtins::setup_java},
};

// `--no-builtins=LIST` entries name an action as written in `uses:` (a ref after '@' is
// ignored); "actions/cache" also covers "actions/cache/restore" and "/save".
bool excluded(std::string_view name, const ActionSettings& settings) {
  if (!settings.builtins) return true;
  for (const auto& entry : settings.no_builtins) {
    std::string wanted = builtins::lower(builtins::trim(entry.substr(0, entry.find('@'))));
    while (!wanted.empty() && wanted.back() == '/')
      wanted.pop_back();
    if (wanted.empty()) continue;
    if (name == wanted) return true;
    if (name.size() > wanted.size() && name.starts_with(wanted) && name[wanted.size()] == '/')
      return true;
  }
  return false;
}

}  // namespace

std::string BuiltinCall::input(std::string_view name, std::string_view fallback) const {
  std::string wanted = builtins::lower(name);
  for (const auto& [key, value] : inputs)
    if (builtins::lower(key) == wanted) return value;
  return std::string(fallback);
}

BuiltinResult BuiltinAction::post(const BuiltinCall& /*call*/) const {
  return {};
}

const BuiltinAction* find_builtin(const ActionRef& ref, const ActionSettings& settings) {
  if (ref.kind != RefKind::remote_action) return nullptr;
  std::string name = builtins::lower(ref.slug());
  std::string path = ref.path;
  while (!path.empty() && path.back() == '/')
    path.pop_back();
  if (!path.empty()) name += "/" + builtins::lower(path);
  auto row = std::ranges::find(k_builtins, name, &BuiltinRow::name);
  if (row == k_builtins.end() || excluded(row->name, settings)) return nullptr;
  return &row->action();
}

}  // namespace pipewright::exec::actions
