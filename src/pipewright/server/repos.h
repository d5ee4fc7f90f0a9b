// The rules of what an administrator registers, shared by the API and the local CLI
// (server/admin.h): repository names and sources, secret and variable names (GitHub's
// rules), sealing secrets, issuing tokens.
#pragma once

#include <string>
#include <string_view>

#include "pipewright/server/admin.h"
#include "pipewright/server/secret_box.h"
#include "pipewright/server/server_store.h"

namespace pipewright::server {

// OWNER/NAME: two non-empty parts of [A-Za-z0-9._-], neither "." nor "..".
util::Expected<void> validate_repo_name(std::string_view name);
// GitHub's rules for secret and variable names: [A-Za-z0-9_], not starting with a digit
// or GITHUB_. `what` is "secret" or "variable" (for the message).
util::Expected<void> validate_config_name(std::string_view name, std::string_view what);

// Registers `spec` (validated; its source fetched once into the mirror under
// `mirrors_dir`, so an unreachable source is refused now, not at the first push).
util::Expected<admin::RepoInfo> register_repo(ServerStore& store, const SecretBox& box,
                                              const std::string& mirrors_dir,
                                              const admin::RepoSpec& spec);
admin::RepoInfo repo_info(const Repo& repo);

util::Expected<admin::Written> store_secret(ServerStore& store, const SecretBox& box,
                                            std::string_view repo, std::string_view name,
                                            std::string_view value);
util::Expected<admin::Written> store_variable(ServerStore& store, std::string_view repo,
                                              std::string_view name, std::string_view value);
// A new token with `role` (its hash stored); the token itself.
util::Expected<std::string> issue_token(ServerStore& store, std::string_view name,
                                        std::string_view role);

// Where a repository's mirror lives under `mirrors_dir`.
std::string mirror_dir(const std::string& mirrors_dir, std::string_view repo);

}  // namespace pipewright::server
