#include "pipewright/server/admin.h"

#include "pipewright/server/repos.h"
#include "pipewright/store/data_dir.h"

namespace pipewright::server::admin {

namespace {

struct Opened {
  std::string data_dir;
  std::unique_ptr<ServerStore> store;
};

util::Expected<Opened> open(const Location& where) {
  std::string dir = where.data_dir;
  if (dir.empty()) {
    PW_TRY(found, store::default_data_dir());
    dir = found;
  }
  PW_TRY(store, ServerStore::open(dir, where.database_url));
  return Opened{dir, std::move(store)};
}

}  // namespace

util::Expected<RepoInfo> add_repo(const Location& where, const RepoSpec& repo) {
  PW_TRY(opened, open(where));
  PW_TRY(box, SecretBox::open(opened.data_dir));
  return register_repo(*opened.store, box, opened.data_dir + "/mirrors", repo);
}

util::Expected<std::vector<RepoInfo>> list_repos(const Location& where) {
  PW_TRY(opened, open(where));
  PW_TRY(repos, opened.store->repos());
  std::vector<RepoInfo> out;
  for (const Repo& repo : repos)
    out.push_back(repo_info(repo));
  return out;
}

util::Expected<void> remove_repo(const Location& where, std::string_view name) {
  PW_TRY(opened, open(where));
  PW_TRY(removed, opened.store->remove_repo(name));
  if (!removed) return util::fail("repository " + std::string(name) + " is not registered");
  return {};
}

util::Expected<Written> set_secret(const Location& where, std::string_view repo,
                                   std::string_view name, std::string_view value) {
  PW_TRY(opened, open(where));
  PW_TRY(box, SecretBox::open(opened.data_dir));
  return store_secret(*opened.store, box, repo, name, value);
}

util::Expected<Written> set_variable(const Location& where, std::string_view repo,
                                     std::string_view name, std::string_view value) {
  PW_TRY(opened, open(where));
  return store_variable(*opened.store, repo, name, value);
}

util::Expected<std::string> create_token(const Location& where, std::string_view name,
                                         std::string_view role) {
  PW_TRY(opened, open(where));
  return issue_token(*opened.store, name, role);
}

}  // namespace pipewright::server::admin
