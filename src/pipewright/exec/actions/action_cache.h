// The action cache: remote actions and reusable workflows fetched once into
// `<cache root>/owner/repo@ref` (root: $XDG_CACHE_HOME/pipewright/actions) by a shallow
// `git clone` of `<actions url>/owner/repo`. Entries appear atomically (cloned into a
// temporary directory, then renamed) and fetching is serialised per entry by a file
// lock, so concurrent runs (threads or processes) share one clone.
#pragma once

#include <string>
#include <vector>

#include "pipewright/exec/actions/action_ref.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

// $XDG_CACHE_HOME/pipewright/actions when XDG_CACHE_HOME is absolute, else
// ~/.cache/pipewright/actions. Fails when no home is known.
util::Expected<std::string> default_action_cache_dir();

struct ActionCacheOptions {
  std::string root;                                // the cache directory (created on demand)
  std::string actions_url = "https://github.com";  // `--actions-url`; file:// works too
  bool offline = false;                            // `--offline`: never fetch
  // The environment git runs with; empty: PATH and HOME of this process. Always
  // extended with GIT_TERMINAL_PROMPT=0 and LC_ALL=C.
  std::vector<std::string> git_env;
};

// One entry of pull_all().
struct PullOutcome {
  std::string name;      // owner/repo@ref
  std::string dir;       // the entry's directory ('' on error)
  bool fetched = false;  // false: it was already cached
  std::string error;     // '' on success
};

class ActionCache {
 public:
  explicit ActionCache(ActionCacheOptions options);

  // The checked-out repository of a remote `ref` (its root, not ref.path), fetching it
  // when absent. Fails in offline mode naming the missing action and how to fetch it;
  // with git's output when the clone fails; with GitHub's message for a short SHA.
  util::Expected<std::string> repository_dir(const ActionRef& ref);
  // repository_dir() joined with ref.path; fails when that directory does not exist.
  util::Expected<std::string> action_dir(const ActionRef& ref);
  // Whether the entry for `ref` is present (no fetch, no lock).
  bool cached(const ActionRef& ref) const;
  // The directory an entry for `ref` has (or would have).
  std::string entry_dir(const ActionRef& ref) const;
  // `pipewright actions pull`: fetches every distinct remote ref (others are skipped),
  // even in offline mode; one outcome per distinct entry, in first-seen order.
  std::vector<PullOutcome> pull_all(const std::vector<ActionRef>& refs);

 private:
  util::Expected<std::string> fetch(const ActionRef& ref, bool* fetched);

  ActionCacheOptions m_options;
};

}  // namespace pipewright::exec::actions
