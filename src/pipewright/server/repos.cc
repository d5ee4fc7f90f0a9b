#include "pipewright/server/repos.h"

#include <filesystem>

#include "pipewright/server/core.h"
#include "pipewright/server/json_views.h"
#include "pipewright/server/mirror.h"
#include "pipewright/server/tokens.h"
#include "pipewright/util/ascii.h"

namespace pipewright::server {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

util::Expected<void> validate_repo_name(std::string_view name) {
  size_t slash = name.find('/');
  auto part_ok = [](std::string_view part) {
    if (part.empty() || part == "." || part == ".." || part.size() > 100) return false;
    for (char c : part)
      if (!name_char(c)) return false;
    return true;
  };
  if (slash == std::string_view::npos || !part_ok(name.substr(0, slash)) ||
      !part_ok(name.substr(slash + 1)))
    return util::fail(
        "invalid repository name '" + std::string(name) + "'", {},
        "use OWNER/NAME as on GitHub (letters, digits, '.', '_', '-'), e.g. acme/api");
  return {};
}

util::Expected<void> validate_config_name(std::string_view name, std::string_view what) {
  std::string hint = std::string(what) +
                     " names use letters, digits and '_', and start with a "
                     "letter or '_' (GitHub's rules)";
  if (name.empty()) return util::fail(std::string(what) + " name is empty", {}, hint);
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return util::fail(std::string(what) + " name '" + std::string(name) +
                            "' may only contain alphanumeric characters or underscores",
                        {}, hint);
  if (name[0] >= '0' && name[0] <= '9')
    return util::fail(
        std::string(what) + " name '" + std::string(name) + "' must not start with a number", {},
        hint);
  if (util::ascii_lower(name).starts_with("github_"))
    return util::fail(
        std::string(what) + " name '" + std::string(name) + "' must not start with GITHUB_", {},
        hint);
  return {};
}

std::string mirror_dir(const std::string& mirrors_dir, std::string_view repo) {
  return mirrors_dir + "/" + util::ascii_lower(repo) + ".git";
}

admin::RepoInfo repo_info(const Repo& repo) {
  return admin::RepoInfo{repo.full_name, repo.source, repo.default_branch, repo.poll_seconds,
                         rfc3339(repo.created_at)};
}

util::Expected<admin::RepoInfo> register_repo(ServerStore& store, const SecretBox& box,
                                              const std::string& mirrors_dir,
                                              const admin::RepoSpec& spec) {
  PW_TRY_VOID(validate_repo_name(spec.name));
  if (spec.source.empty())
    return util::fail("repository " + spec.name + " needs a source", {},
                      "give a local path or a git URL, e.g. /srv/git/api.git");
  if (spec.poll_seconds < 0) return util::fail("--poll must not be negative");
  std::string source = spec.source;
  // A local path is kept absolute: the server may run from another directory.
  if (source.find("://") == std::string::npos && !source.starts_with("git@")) {
    std::error_code ec;
    if (!std::filesystem::exists(source, ec))
      return util::fail("source " + source + " does not exist", {},
                        "give a local repository path or a git URL");
    source = std::filesystem::absolute(source, ec).lexically_normal().string();
  }
  PW_TRY(existing, store.find_repo(spec.name));
  if (existing)
    return util::fail("repository " + spec.name + " is already registered", {},
                      "remove it first (pipewright repo remove " + spec.name + ")");
  {
    PW_TRY(mirror, Mirror::open_or_create(mirror_dir(mirrors_dir, spec.name), source));
    if (auto fetched = mirror.fetch(); !fetched)
      return util::fail("cannot fetch " + source + ": " + fetched.error().message, {},
                        "check the path or URL; the server fetches it without credentials");
  }
  Repo repo;
  repo.full_name = spec.name;
  repo.source = source;
  repo.webhook_secret = spec.webhook_secret.empty()
                            ? ""
                            : box.seal(spec.webhook_secret, webhook_secret_context(spec.name));
  repo.default_branch = spec.default_branch;
  repo.poll_seconds = spec.poll_seconds;
  repo.created_at = now_ms();
  PW_TRY_VOID(store.add_repo(repo));
  return repo_info(repo);
}

util::Expected<admin::Written> store_secret(ServerStore& store, const SecretBox& box,
                                            std::string_view repo, std::string_view name,
                                            std::string_view value) {
  PW_TRY_VOID(validate_config_name(name, "secret"));
  PW_TRY(found, store.find_repo(repo));
  if (!found) return util::fail("repository " + std::string(repo) + " is not registered");
  // GitHub: secrets are at most 48 KB.
  if (value.size() > 48 * 1024)
    return util::fail("secret values are limited to 48 KB (GitHub's limit)");
  PW_TRY(created, store.put_secret(found->full_name, name,
                                   box.seal(value, secret_context(found->full_name, name))));
  return created ? admin::Written::created : admin::Written::updated;
}

util::Expected<admin::Written> store_variable(ServerStore& store, std::string_view repo,
                                              std::string_view name, std::string_view value) {
  PW_TRY_VOID(validate_config_name(name, "variable"));
  PW_TRY(found, store.find_repo(repo));
  if (!found) return util::fail("repository " + std::string(repo) + " is not registered");
  // GitHub: variables are at most 48 KB.
  if (value.size() > 48 * 1024)
    return util::fail("variable values are limited to 48 KB (GitHub's limit)");
  PW_TRY(created, store.put_variable(found->full_name, name, value));
  return created ? admin::Written::created : admin::Written::updated;
}

util::Expected<std::string> issue_token(ServerStore& store, std::string_view name,
                                        std::string_view role) {
  if (!parse_role(role))
    return util::fail("unknown role '" + std::string(role) + "'", {},
                      "use viewer, maintainer or admin");
  if (name.empty()) return util::fail("a token needs a name (--name)");
  std::string token = new_token();
  PW_TRY_VOID(store.add_token(token_hash(token), name, role));
  return token;
}

}  // namespace pipewright::server
