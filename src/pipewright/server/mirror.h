// The server's own bare copy of a repository (libgit2): <data>/mirrors/<owner>/<name>.git.
// Fetched from SOURCE (a local path or a file:// / https:// URL; authentication is out of
// scope), it answers what the triggers need (refs, changed files, files at a commit) and
// gives each job a checkout of its commit. A Mirror is not thread-safe: use one from one
// thread at a time (the server serialises per repository).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipewright/plan/repository.h"
#include "pipewright/util/error.h"

namespace pipewright::server {

class Mirror {
 public:
  // Opens the bare repository at `dir`, creating it (and its parents) when absent, with
  // `source` as its origin (an existing mirror's origin is updated to `source`). Does not
  // fetch. Fails when `dir` exists but is not a git repository.
  static util::Expected<Mirror> open_or_create(const std::string& dir, const std::string& source);

  Mirror(Mirror&&) noexcept;
  Mirror& operator=(Mirror&&) noexcept;
  ~Mirror();

  // Fetches every branch and tag (and refs/pull/* when the source has them), pruning refs
  // gone from the source, and records the source's default branch. Safe after a kill
  // mid-fetch: lock files left by a dead process are removed; a fetch of the same mirror by
  // another live process is waited for (an flock the kernel releases when its holder dies).
  util::Expected<void> fetch();

  // The full commit sha of `ref`: "main", "refs/heads/main", "v1", "refs/tags/v1" (peeled
  // to its commit), "refs/pull/1/merge", a full or short sha. Fails when it names no commit.
  util::Expected<std::string> resolve(const std::string& ref);

  // The source's default branch (its HEAD), e.g. "main"; known after a fetch.
  util::Expected<std::string> default_branch();

  // Creates `dest` (must not exist or be empty) as a non-bare git repository whose HEAD is
  // `sha` with its files checked out: on branch `ref` when `ref` is refs/heads/X (or X),
  // detached otherwise. Its origin is the mirror's source, so plan::Repository::open and the
  // checkout action work there. On failure `dest` is removed.
  util::Expected<void> checkout(const std::string& sha, const std::string& ref,
                                const std::string& dest);

  // Files changed between two commits (as plan::Repository::changed_files: `before` =
  // k_zero_sha diffs against the empty tree; renames count as both paths).
  util::Expected<plan::ChangedFiles> changed_files(const std::string& before,
                                                   const std::string& after,
                                                   plan::DiffMode mode = plan::DiffMode::two_dot,
                                                   size_t limit = 300);

  // Every branch of the mirror as (name, sha), sorted by name: what --poll compares.
  util::Expected<std::vector<std::pair<std::string, std::string>>> branch_heads();

  // The content of `path` at commit `sha` (e.g. a workflow file, without a checkout).
  util::Expected<std::string> read_file(const std::string& sha, const std::string& path);
  // The names of the files (blobs) directly in directory `dir` at `sha`, sorted; empty when
  // the directory does not exist (e.g. ".github/workflows").
  util::Expected<std::vector<std::string>> list_files(const std::string& sha,
                                                      const std::string& dir);

  const std::string& dir() const { return m_dir; }
  const std::string& source() const { return m_source; }

 private:
  struct Impl;
  Mirror(std::string dir, std::string source, std::unique_ptr<Impl> impl);

  std::string m_dir;
  std::string m_source;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace pipewright::server
