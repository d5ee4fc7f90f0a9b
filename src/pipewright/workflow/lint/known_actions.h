// What the linter knows about popular actions without fetching them: the inputs each
// major version declares (which are required, which deprecated), which major versions
// GitHub has switched off, and that none of them is a Docker action. One table row per
// action and range of major versions (known_actions.cc).
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace pipewright::workflow::lint {

struct KnownInput {
  std::string_view name;
  bool required = false;
  std::string_view deprecated;  // non-empty: why and what to use instead
  std::string_view renamed_to;  // for an input that does not exist: the one meant
};

struct KnownAction {
  std::string_view repo;  // owner/repo, lower case
  int min_major = 0;      // the row covers vMIN..vMAX
  int max_major = 0;
  std::span<const KnownInput> inputs;  // empty for a row that only retires versions
  std::string_view retired;            // non-empty: these versions no longer run, and why
};

// The row for `owner/repo` at major version `major` (case-insensitive), or nullptr.
const KnownAction* find_known_action(std::string_view repo, int major);

// The major version of a tag ref: "v4" / "v4.1.2" / "4" / "release/v4" → 4; nullopt for other
// branches and SHAs.
std::optional<int> major_version(std::string_view ref);

}  // namespace pipewright::workflow::lint
