#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lint_fixture.h"

namespace pipewright::workflow::lint {
namespace {

using testing::dump;
using ::testing::ElementsAre;
using testing::findings;
using ::testing::IsEmpty;
using testing::TempRepo;

TEST(RulesSecurityTest, PullRequestTargetCheckingOutHead) {
  TempRepo repo;
  auto r = repo.lint(R"(on: pull_request_target
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.base.sha }}
)");
  EXPECT_THAT(findings(r, "untrusted-checkout"),
              ElementsAre("8:16: a 'pull_request_target' workflow checks out the pull request's "
                          "head code; it runs with write access and secrets, so untrusted code "
                          "can steal them"))
      << dump(r);
}

TEST(RulesSecurityTest, SameCheckoutInPullRequestIsFine) {
  TempRepo repo;
  auto r = repo.lint(R"(on: pull_request
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
)");
  EXPECT_THAT(r.diagnostics, IsEmpty()) << dump(r);
}

TEST(RulesSecurityTest, SecretsToUnpinnedThirdPartyAction) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/deploy-action@v2
        with:
          token: ${{ secrets.DEPLOY_TOKEN }}
      - uses: someone/deploy-action@8e5e7e5ab8b370d6c329ec480221332ada57f0ab
        with:
          token: ${{ secrets.DEPLOY_TOKEN }}
      - uses: actions/setup-node@v4
        with:
          token: ${{ secrets.GITHUB_TOKEN }}
      - uses: someone/lint-action@main
        with:
          level: strict
)");
  EXPECT_THAT(findings(r, "unpinned-action"),
              ElementsAre("6:15: secrets are passed to third-party action "
                          "'someone/deploy-action@v2', which is pinned to 'v2' rather than a full "
                          "commit SHA; whoever controls that ref gets the secrets"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
