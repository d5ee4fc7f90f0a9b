// The local git repository as the run engine sees it (libgit2): HEAD, refs, the origin
// remote, commits and changed files between commits, and the working tree's files.
// A directory that is not inside a git repository still opens, with fallbacks (sha of
// zeros, refs/heads/main, repository = directory name).
// A Repository is not thread-safe (libgit2 handles): use it from one thread at a time;
// working_tree_files() is best called once per run and its list shared by the jobs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::plan {

inline constexpr std::string_view k_zero_sha = "0000000000000000000000000000000000000000";

enum class RefType { branch, tag };

// "branch" or "tag".
std::string_view ref_type_name(RefType type);

// What `Repository::open` found out about the repository and its HEAD.
struct RepositoryInfo {
  std::string root;     // absolute path of the working tree (or of the plain directory)
  bool is_git = false;  // false: a plain directory (fallback values below)
  std::string sha;      // HEAD commit; k_zero_sha when there is none (unborn, not git)
  std::string branch;   // current branch name; "" when HEAD is detached
  std::vector<std::string> head_tags;             // tags (names) pointing exactly at HEAD, sorted
  std::string default_branch;                     // origin/HEAD, else main/master, else the branch
  std::string remote_url;                         // the `origin` URL as configured ("" when none)
  std::string server_url = "https://github.com";  // https://<host> of the remote, if https/ssh
  std::string repository;                         // owner/name
  std::string repository_owner;
  std::string actor;        // git config user.name, else $USER, else "pipewright"
  std::string actor_email;  // git config user.email ("" when unset)

  // The ref a run of `type` starts from: refs/heads/<branch> (the default branch when
  // detached) or refs/tags/<first head tag> (falls back to the branch when there is none).
  std::string ref_for(RefType type) const;
};

// One commit, shaped for event payloads.
struct CommitInfo {
  std::string sha;
  std::string tree_sha;
  std::string message;
  std::string author_name, author_email;
  std::string committer_name, committer_email;
  std::int64_t time = 0;        // committer time, seconds since the epoch
  int time_offset_minutes = 0;  // committer time zone

  // ISO 8601 with the commit's offset, e.g. 2024-05-01T12:00:00+02:00.
  std::string timestamp() const;
};

enum class DiffMode {
  two_dot,    // push: from..to
  three_dot,  // pull request: merge-base(from, to)..to
};

struct ChangedFiles {
  std::vector<std::string> files;  // repository-relative paths, at most the limit, diff order
  size_t total = 0;                // how many files changed in all
};

class Repository {
 public:
  // Opens the git repository containing `dir` (searching upward), or `dir` itself as a
  // plain directory when it is in none. Fails only when `dir` is not a readable directory.
  static util::Expected<Repository> open(const std::string& dir);

  Repository(Repository&&) noexcept;
  Repository& operator=(Repository&&) noexcept;
  ~Repository();

  const RepositoryInfo& info() const { return m_info; }
  // Names the repository `owner/name` (github.repository), whatever its origin says: the
  // server's checkouts come from its mirror, but runs see the registered name.
  void name_as(std::string_view full_name);

  // The full sha of a revision (`HEAD~1`, a branch, a tag, a short sha). Fails when it
  // does not resolve to a commit or the directory is not a git repository.
  util::Expected<std::string> resolve(std::string_view revision) const;
  // The commit `sha`.
  util::Expected<CommitInfo> commit(std::string_view sha) const;
  // The sha of the first parent of `sha`; k_zero_sha for a root commit.
  util::Expected<std::string> parent(std::string_view sha) const;
  // The best common ancestor of two commits.
  util::Expected<std::string> merge_base(std::string_view a, std::string_view b) const;
  // The commits reachable from `to` but not from `from` (k_zero_sha: from nothing),
  // oldest first, at most `limit` (the newest ones are kept).
  util::Expected<std::vector<CommitInfo>> commits_between(std::string_view from,
                                                          std::string_view to,
                                                          size_t limit = 2048) const;
  // Files changed between two commits (renames count as both paths), at most `limit`.
  // `from` = k_zero_sha diffs `to` against the empty tree.
  util::Expected<ChangedFiles> changed_files(std::string_view from, std::string_view to,
                                             DiffMode mode, size_t limit = 300) const;
  // Every file of the working tree a job workspace gets: tracked files that exist plus
  // untracked files that are not ignored, relative to root(), sorted, `.git` excluded.
  // For a plain directory: every regular file and symlink below it.
  util::Expected<std::vector<std::string>> working_tree_files() const;

 private:
  struct Impl;
  Repository(RepositoryInfo info, std::unique_ptr<Impl> impl);

  RepositoryInfo m_info;
  std::unique_ptr<Impl> m_impl;  // null for a plain directory
};

// Owner and name from a remote URL: https://host/o/r(.git), ssh://git@host/o/r,
// git@host:o/r.git, file paths (/x/o/r.git). Returns false when nothing usable is found.
bool parse_remote_url(std::string_view url, std::string& owner, std::string& name,
                      std::string& host);

}  // namespace pipewright::plan
