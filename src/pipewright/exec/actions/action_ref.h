// `uses:` parsed into a typed reference (gha-spec.md §8, §13): a local action
// `./path`, a remote action `owner/repo[/path]@ref`, a Docker image `docker://image`,
// or a reusable workflow (`./.github/workflows/f.yml`, `owner/repo/.github/workflows/
// f.yml@ref`).
#pragma once

#include <string>
#include <string_view>

#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

enum class RefKind { local_action, remote_action, docker, local_workflow, remote_workflow };

// Where a `uses:` appears: a step runs an action, a job calls a reusable workflow.
enum class UsesSite { step, job };

struct ActionRef {
  RefKind kind = RefKind::local_action;
  std::string text;   // the `uses:` value as written
  std::string owner;  // remote kinds only
  std::string repo;   // remote kinds only
  // Remote: the directory (action) or file (workflow) inside the repository, '' for
  // the root. Local: the path relative to the repository root, without "./".
  std::string path;
  std::string ref;    // remote kinds only: tag, branch or full commit SHA
  std::string image;  // docker only: what follows docker://

  bool remote() const { return kind == RefKind::remote_action || kind == RefKind::remote_workflow; }
  // "owner/repo" (remote kinds).
  std::string slug() const { return owner + "/" + repo; }
  // "owner/repo@ref": the action cache's entry name (remote kinds).
  std::string cache_name() const { return slug() + "@" + ref; }
  friend bool operator==(const ActionRef&, const ActionRef&) = default;
};

// Parses `uses` as found at `site`. Fails with GitHub's wording where GitHub has one
// ("Expected format {org}/{repo}[/path]@ref. Actual '…'"), otherwise naming the
// accepted forms. A ref that may be a short SHA is accepted here: only the repository
// can tell (see looks_like_short_sha and short_sha_error).
util::Expected<ActionRef> parse_action_ref(std::string_view uses, UsesSite site = UsesSite::step);

// 40 hexadecimal digits.
bool is_full_sha(std::string_view ref);
// 7 to 39 hexadecimal digits: a ref GitHub refuses when it abbreviates a commit.
bool looks_like_short_sha(std::string_view ref);
// GitHub's refusal of `ref` (an abbreviation of `full_sha`): "Unable to resolve action
// `owner/repo@abc1234`, the provided ref `abc1234` is the shortened version of a commit
// SHA, which is not supported. Please use the full commit SHA `…` instead."
util::Error short_sha_error(const ActionRef& ref, std::string_view full_sha);

}  // namespace pipewright::exec::actions
