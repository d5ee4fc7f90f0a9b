#include "pipewright/cli/remote.h"

#include <gtest/gtest.h>

namespace pipewright::cli {
namespace {

TEST(RemoteTest, PathSegmentsAreEncodedSoNamesCannotChangeThePath) {
  EXPECT_EQ(path_segment("DEPLOY_TOKEN-1.x~"), "DEPLOY_TOKEN-1.x~");
  EXPECT_EQ(path_segment("a/../b c"), "a%2F..%2Fb%20c");
  EXPECT_EQ(path_segment("x?y#z\r\n"), "x%3Fy%23z%0D%0A");
  EXPECT_EQ(repo_api_path("acme/my repo"), "/api/v1/repos/acme/my%20repo");
}

TEST(RemoteTest, RepositoryNamesAreTwoSegments) {
  EXPECT_TRUE(is_repo_name("acme/api"));
  for (const char* bad : {"", "acme", "/api", "acme/", "acme/api/x", "/"})
    EXPECT_FALSE(is_repo_name(bad)) << bad;
}

TEST(RemoteTest, StatusesMapToExitCodes) {
  for (int status : {400, 404, 422})
    EXPECT_EQ(exit_code_for_status(status), k_exit_usage) << status;
  for (int status : {401, 403, 409, 413, 429, 500, 503})
    EXPECT_EQ(exit_code_for_status(status), k_exit_failure) << status;
}

}  // namespace
}  // namespace pipewright::cli
