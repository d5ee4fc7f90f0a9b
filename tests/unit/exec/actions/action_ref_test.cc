#include "pipewright/exec/actions/action_ref.h"

#include <gtest/gtest.h>

namespace pipewright::exec::actions {
namespace {

TEST(ActionRef, LocalAction) {
  auto r = parse_action_ref("./.github/actions/build/");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, RefKind::local_action);
  EXPECT_EQ(r->path, ".github/actions/build");
  EXPECT_FALSE(r->remote());
  auto root = parse_action_ref("./");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->path, "");
}

TEST(ActionRef, LocalActionRejectsParentSegments) {
  auto r = parse_action_ref("./a/../../etc");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'..'"), std::string::npos);
}

TEST(ActionRef, RemoteAction) {
  auto r = parse_action_ref("actions/checkout@v4");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, RefKind::remote_action);
  EXPECT_EQ(r->owner, "actions");
  EXPECT_EQ(r->repo, "checkout");
  EXPECT_EQ(r->path, "");
  EXPECT_EQ(r->ref, "v4");
  EXPECT_EQ(r->cache_name(), "actions/checkout@v4");
}

TEST(ActionRef, RemoteActionWithPathAndSlashedRef) {
  auto r = parse_action_ref("github/codeql-action/init@releases/v3");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->repo, "codeql-action");
  EXPECT_EQ(r->path, "init");
  EXPECT_EQ(r->ref, "releases/v3");
}

TEST(ActionRef, FullShaIsAccepted) {
  auto r = parse_action_ref("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683");
  ASSERT_TRUE(r);
  EXPECT_TRUE(is_full_sha(r->ref));
  EXPECT_FALSE(looks_like_short_sha(r->ref));
}

TEST(ActionRef, ShortShaIsFlaggedWithGitHubsMessage) {
  auto r = parse_action_ref("actions/checkout@11bd719");
  ASSERT_TRUE(r);
  EXPECT_TRUE(looks_like_short_sha(r->ref));
  EXPECT_FALSE(looks_like_short_sha("v4"));
  EXPECT_FALSE(looks_like_short_sha("abc12"));
  EXPECT_EQ(short_sha_error(*r, "11bd71901bbe5b1630ceea73d27597364c9af683").message,
            "Unable to resolve action `actions/checkout@11bd719`, the provided ref `11bd719` is "
            "the shortened version of a commit SHA, which is not supported. Please use the full "
            "commit SHA `11bd71901bbe5b1630ceea73d27597364c9af683` instead.");
}

TEST(ActionRef, MalformedRemoteUsesGitHubsWording) {
  for (std::string_view bad :
       {"actions/checkout", "checkout@v4", "actions/@v4", "actions/checkout@", "a/b@v1@v2",
        "actions/checkout/@v4", "a/b/../c@v1", "a/b@has space", "a/b@x..y", "own er/repo@v1"}) {
    auto r = parse_action_ref(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message,
              "Expected format {org}/{repo}[/path]@ref. Actual '" + std::string(bad) + "'");
  }
}

TEST(ActionRef, Docker) {
  auto r = parse_action_ref("docker://alpine:3.20");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RefKind::docker);
  EXPECT_EQ(r->image, "alpine:3.20");
  EXPECT_FALSE(parse_action_ref("docker://"));
  EXPECT_FALSE(parse_action_ref("docker://alpine:3.20", UsesSite::job));
}

TEST(ActionRef, ReusableWorkflows) {
  auto local = parse_action_ref("./.github/workflows/build.yml", UsesSite::job);
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->kind, RefKind::local_workflow);
  EXPECT_EQ(local->path, ".github/workflows/build.yml");
  auto remote = parse_action_ref("octo/ci/.github/workflows/test.yaml@main", UsesSite::job);
  ASSERT_TRUE(remote) << remote.error().message;
  EXPECT_EQ(remote->kind, RefKind::remote_workflow);
  EXPECT_EQ(remote->path, ".github/workflows/test.yaml");
  EXPECT_EQ(remote->ref, "main");
}

TEST(ActionRef, ReusableWorkflowErrors) {
  EXPECT_FALSE(parse_action_ref("./ci/build.yml", UsesSite::job));
  EXPECT_FALSE(parse_action_ref("./.github/workflows/build.yml@v1", UsesSite::job));
  EXPECT_FALSE(parse_action_ref("./.github/workflows/sub/build.yml", UsesSite::job));
  EXPECT_FALSE(parse_action_ref("octo/ci@main", UsesSite::job));
  auto r = parse_action_ref("octo/ci/build.yml@main", UsesSite::job);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Invalid workflow reference 'octo/ci/build.yml@main'"),
            std::string::npos);
}

}  // namespace
}  // namespace pipewright::exec::actions
