#include "pipewright/workflow/lint/known.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipewright::workflow::lint {
namespace {

TEST(KnownTest, ContextFields) {
  auto github = known_context_fields("GitHub");
  EXPECT_NE(std::find(github.begin(), github.end(), "event_name"), github.end());
  EXPECT_EQ(std::find(github.begin(), github.end(), "event_nam"), github.end());
  EXPECT_TRUE(known_context_fields("matrix").empty());
  EXPECT_FALSE(known_context_fields("runner").empty());
}

TEST(KnownTest, RunnerLabels) {
  EXPECT_TRUE(is_known_runner_label("ubuntu-latest"));
  EXPECT_TRUE(is_known_runner_label("Self-Hosted"));
  EXPECT_FALSE(is_known_runner_label("ubuntu-lates"));
}

TEST(KnownTest, Shells) {
  EXPECT_EQ(check_shell("bash"), std::nullopt);
  EXPECT_EQ(check_shell("PWSH"), std::nullopt);
  EXPECT_EQ(check_shell("perl {0}"), std::nullopt);
  auto bad = check_shell("zsh");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("'{0}'"), std::string::npos);
}

TEST(KnownTest, UsesForms) {
  std::string error;
  auto remote = parse_uses("actions/checkout@v4", error);
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->kind, UsesRef::Kind::remote);
  EXPECT_EQ(remote->owner, "actions");
  EXPECT_EQ(remote->repo, "checkout");
  EXPECT_EQ(remote->ref, "v4");
  auto path = parse_uses("octo/tools/.github/workflows/ci.yml@main", error);
  ASSERT_TRUE(path);
  EXPECT_EQ(path->path, ".github/workflows/ci.yml");
  auto local = parse_uses("./.github/actions/setup", error);
  ASSERT_TRUE(local);
  EXPECT_EQ(local->kind, UsesRef::Kind::local);
  EXPECT_EQ(local->path, ".github/actions/setup");
  auto docker = parse_uses("docker://alpine:3", error);
  ASSERT_TRUE(docker);
  EXPECT_EQ(docker->kind, UsesRef::Kind::docker);
  for (const char* bad : {"actions/checkout", "checkout@v4", "actions/@v4", "actions/checkout@",
                          "docker://", "./", "a/b/@v1"}) {
    error.clear();
    EXPECT_FALSE(parse_uses(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(KnownTest, FullSha) {
  EXPECT_TRUE(is_full_sha("8e5e7e5ab8b370d6c329ec480221332ada57f0ab"));
  EXPECT_FALSE(is_full_sha("8e5e7e5"));
  EXPECT_FALSE(is_full_sha("v4"));
}

TEST(KnownTest, UntrustedPaths) {
  using P = std::vector<std::string>;
  EXPECT_TRUE(is_untrusted_github_path(P{"event", "issue", "title"}));
  EXPECT_TRUE(is_untrusted_github_path(P{"Event", "Pull_Request", "Body"}));
  EXPECT_TRUE(is_untrusted_github_path(P{"head_ref"}));
  EXPECT_TRUE(is_untrusted_github_path(P{"event", "commits", "*", "message"}));
  EXPECT_FALSE(is_untrusted_github_path(P{"event", "issue", "number"}));
  EXPECT_FALSE(is_untrusted_github_path(P{"sha"}));
  EXPECT_FALSE(is_untrusted_github_path(P{"event", "pull_request", "head", "sha"}));
}

}  // namespace
}  // namespace pipewright::workflow::lint
