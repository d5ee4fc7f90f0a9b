// Placeholder for server/admin.h until the server's store exists: every operation fails
// with the same message, so the CLI's local path reports it clearly. The integrator
// replaces this file.
#include "pipewright/server/admin.h"

namespace pipewright::server::admin {

namespace {
std::unexpected<util::Error> not_yet() {
  return util::fail("not yet implemented without --server", {},
                    "give --server URL (or PIPEWRIGHT_SERVER) of a running `pipewright serve`");
}
}  // namespace

util::Expected<RepoInfo> add_repo(const Location&, const RepoSpec&) {
  return not_yet();
}
util::Expected<std::vector<RepoInfo>> list_repos(const Location&) {
  return not_yet();
}
util::Expected<void> remove_repo(const Location&, std::string_view) {
  return not_yet();
}
util::Expected<Written> set_secret(const Location&, std::string_view, std::string_view,
                                   std::string_view) {
  return not_yet();
}
util::Expected<Written> set_variable(const Location&, std::string_view, std::string_view,
                                     std::string_view) {
  return not_yet();
}
util::Expected<std::string> create_token(const Location&, std::string_view, std::string_view) {
  return not_yet();
}

}  // namespace pipewright::server::admin
