// The git side of the native actions/checkout: which refs to fetch and what to check
// out for a ref and/or commit, the way actions/checkout does it (a push to a branch
// gives that branch, with origin/<branch> as upstream; a tag, a pull request ref or a
// bare commit a detached HEAD), and a repository made from them with the git CLI.
// Internal to exec/actions/builtins.
#pragma once

#include <string>
#include <vector>

#include "pipewright/exec/actions/builtins/common.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::actions::builtins {

// What to check out: a fully qualified ref (refs/heads/x, refs/tags/v1, refs/pull/1/merge)
// and/or a commit sha. An empty ref means the commit alone (detached).
struct CheckoutTarget {
  std::string ref;
  std::string commit;
};

// The refspecs one fetch of `target` needs (the commit when known, else the ref).
std::vector<std::string> target_refspecs(const CheckoutTarget& target);
// The refspecs of a fetch-depth 0 fetch: every branch and tag (plus a pull request ref).
std::vector<std::string> all_history_refspecs(const CheckoutTarget& target);

// What HEAD becomes: `branch` (a local branch at `start_point`, origin/<branch>
// upstream) when set, else detached at `detached` (a ref or a sha).
struct CheckoutInfo {
  std::string branch;
  std::string start_point;
  std::string detached;
};
CheckoutInfo checkout_info(const CheckoutTarget& target);

struct RepositoryRequest {
  std::string url;  // origin
  CheckoutTarget target;
  int depth = 1;  // 0 = all history
  bool fetch_tags = false;
  // keep: `dir` already holds the files (the run's working tree, uncommitted changes
  // included); only .git, the index and HEAD are made. check_out: git writes the files.
  enum class Files { check_out, keep } files = Files::check_out;
};

// Makes `dir` a git repository of `request.url` at the target: init, origin, a fetch
// honouring depth and tags, then HEAD as checkout_info() says. Returns HEAD's sha.
// Fails with git's message.
util::Expected<std::string> make_repository(const BuiltinCall& call, const std::string& dir,
                                            const RepositoryRequest& request);

}  // namespace pipewright::exec::actions::builtins
