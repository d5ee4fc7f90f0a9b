// Administration of a server's data directory without a running server: what
// `pipewright repo|secret|var|token ...` do when no --server is given. The same
// operations go through the API (/api/v1/repos, /secrets, /variables, /tokens) when a
// server is given; these functions are the local path (cli/server_commands.cc).
// Both paths share their rules (names, sealing, hashing) through server/repos.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::server::admin {

// Where the server keeps its state: `--data-dir DIR` ('' : the default data dir) and
// `--database URL` ('' : SQLite in the data dir).
struct Location {
  std::string data_dir;
  std::string database_url;
};

// A repository as `pipewright repo add` gives it (API: POST /api/v1/repos).
struct RepoSpec {
  std::string name;            // OWNER/NAME
  std::string source;          // a local path or a git URL
  std::string webhook_secret;  // '' : none
  std::string default_branch;  // '' : the source's HEAD
  int64_t poll_seconds = 0;    // 0 : no polling
};

// A registered repository (API: one of "repositories").
struct RepoInfo {
  std::string full_name;
  std::string source;
  std::string default_branch;
  int64_t poll_seconds = 0;
  std::string created_at;  // RFC 3339 UTC
};

// Whether a secret or variable was new or replaced an older value.
enum class Written { created, updated };

// Registers a repository; fails when the name is taken or invalid, or the source
// unusable.
util::Expected<RepoInfo> add_repo(const Location& where, const RepoSpec& repo);
// Every registered repository, by name.
util::Expected<std::vector<RepoInfo>> list_repos(const Location& where);
// Removes a repository (its runs stay in the history); fails when it is unknown.
util::Expected<void> remove_repo(const Location& where, std::string_view name);
// Stores secret `name` of `repo` (encrypted at rest). The value never appears in an error.
util::Expected<Written> set_secret(const Location& where, std::string_view repo,
                                   std::string_view name, std::string_view value);
// Stores configuration variable `name` of `repo`.
util::Expected<Written> set_variable(const Location& where, std::string_view repo,
                                     std::string_view name, std::string_view value);
// Creates an API token with `role` (viewer, maintainer or admin) and returns it; only
// its hash is stored, so this is the one time it can be shown.
util::Expected<std::string> create_token(const Location& where, std::string_view name,
                                         std::string_view role);

}  // namespace pipewright::server::admin
