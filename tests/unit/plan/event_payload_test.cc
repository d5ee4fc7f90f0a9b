// plan::event_from_payload: webhook deliveries taken as sent, with the facts derived
// as for `pipewright run` (one derivation), and events whose ref is not `ref`.
#include <fstream>

#include <gtest/gtest.h>

#include "pipewright/expr/json.h"
#include "pipewright/plan/event.h"

#include "unit/plan/git_fixture.h"

namespace pipewright::plan {
namespace {

using testing::TempGitRepo;

// main: README.md, then src/app.py; branch feature (from main): docs/guide.md; tag v1 at
// the first commit.
struct History {
  TempGitRepo git;
  std::string first, second, feature;
  History() {
    git.init();
    git.git("remote add origin https://github.com/octo/app.git");
    git.write("README.md", "r");
    git.commit("first");
    git.git("tag v1");
    git.write("src/app.py", "print()");
    git.commit("add app");
    git.git("checkout -q -b feature");
    git.write("docs/guide.md", "g");
    git.commit("docs");
    feature = Repository::open(git.root())->info().sha;
    git.git("checkout -q main");
    auto repo = Repository::open(git.root());
    second = repo->info().sha;
    first = *repo->parent(second);
  }
};

expr::Value json(const std::string& text) {
  auto value = expr::parse_json(text);
  EXPECT_TRUE(value) << text;
  return value ? *value : expr::Value();
}

TEST(EventFromPayload, PushChangedFilesFromBeforeToAfter) {
  History fx;
  auto repo = Repository::open(fx.git.root());
  ASSERT_TRUE(repo);
  auto event = event_from_payload("push",
                                  json(R"({"ref": "refs/heads/feature", "before": ")" + fx.first +
                                       R"(", "after": ")" + fx.feature + R"("})"),
                                  *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->ref, "refs/heads/feature");
  EXPECT_EQ(event->ref_name(), "feature");
  EXPECT_EQ(event->sha, fx.feature);  // not the checkout's HEAD (main)
  EXPECT_EQ(event->action, "");
  ASSERT_TRUE(event->changed_files);
  EXPECT_EQ(event->changed_files->files, (std::vector<std::string>{"docs/guide.md", "src/app.py"}));
  // Nothing synthesized: the payload is the delivery's.
  EXPECT_EQ(event->payload.member("repository"), nullptr);
  EXPECT_EQ(event->payload.member("head_commit"), nullptr);
}

// The server's checkouts: working trees of its bare mirror, detached at the run's
// commit. The mirror's commits and branches are what the event is derived from (a bare
// mirror itself opens as a plain directory: changed files unknown).
TEST(EventFromPayload, CheckoutOfABareMirror) {
  History fx;
  fx.git.git("clone -q --mirror . ../mirror.git");
  fx.git.git("--git-dir=../mirror.git worktree add -q --detach ../checkout " + fx.feature);
  auto checkout = Repository::open(fx.git.root() + "/../checkout");
  ASSERT_TRUE(checkout) << checkout.error().message;
  auto event = event_from_payload("push",
                                  json(R"({"ref": "refs/heads/feature", "before": ")" + fx.first +
                                       R"(", "after": ")" + fx.feature + R"("})"),
                                  *checkout);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->sha, fx.feature);
  ASSERT_TRUE(event->changed_files);
  EXPECT_EQ(event->changed_files->files, (std::vector<std::string>{"docs/guide.md", "src/app.py"}));
  // No ref in the payload: the mirror's default branch head, not the checkout's commit.
  auto schedule = event_from_payload("schedule", json("{}"), *checkout);
  ASSERT_TRUE(schedule);
  EXPECT_EQ(schedule->ref, "refs/heads/main");
  EXPECT_EQ(schedule->sha, fx.second);
}

TEST(EventFromPayload, PushWithUnknownBeforeHasNoChangedFiles) {
  History fx;
  auto repo = Repository::open(fx.git.root());
  std::string unknown(40, 'a');
  auto event = event_from_payload("push",
                                  json(R"({"ref": "refs/heads/main", "before": ")" + unknown +
                                       R"(", "after": ")" + fx.second + R"("})"),
                                  *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->sha, fx.second);
  EXPECT_FALSE(event->changed_files);  // unknown: path filters pass, as on a diff timeout
}

TEST(EventFromPayload, PushOfANewBranchDiffsFromNothing) {
  History fx;
  auto repo = Repository::open(fx.git.root());
  auto event = event_from_payload("push",
                                  json(R"({"ref": "refs/heads/feature", "created": true,
                                          "before": "0000000000000000000000000000000000000000",
                                          "after": ")" +
                                       fx.feature + R"("})"),
                                  *repo);
  ASSERT_TRUE(event) << event.error().message;
  ASSERT_TRUE(event->changed_files);
  EXPECT_EQ(event->changed_files->total, 3u);
}

TEST(EventFromPayload, BranchDeletion) {
  History fx;
  auto repo = Repository::open(fx.git.root());
  auto event =
      event_from_payload("push",
                         json(R"({"ref": "refs/heads/feature", "deleted": true,
                                          "before": ")" +
                              fx.feature + R"(", "after": ")" + std::string(k_zero_sha) + R"("})"),
                         *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->ref, "refs/heads/feature");
  EXPECT_EQ(event->sha, k_zero_sha);  // nothing to check out
  EXPECT_FALSE(event->changed_files);
}

TEST(EventFromPayload, PullRequestRefs) {
  History fx;
  auto repo = Repository::open(fx.git.root());
  std::string payload = R"({"action": "synchronize", "number": 7, "pull_request": {
      "head": {"ref": "feature", "sha": ")" +
                        fx.feature + R"("}, "base": {"ref": "main", "sha": ")" + fx.second +
                        R"("}}})";
  auto event = event_from_payload("pull_request", json(payload), *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->ref, "refs/pull/7/merge");
  EXPECT_EQ(event->head_ref, "feature");
  EXPECT_EQ(event->base_ref, "main");
  EXPECT_EQ(event->sha, fx.feature);
  EXPECT_EQ(event->action, "synchronize");
  ASSERT_TRUE(event->changed_files);  // three-dot: the PR's own changes only
  EXPECT_EQ(event->changed_files->files, (std::vector<std::string>{"docs/guide.md"}));

  auto target = event_from_payload("pull_request_target", json(payload), *repo);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->ref, "refs/heads/main");
  EXPECT_EQ(target->sha, fx.second);
}

TEST(EventFromPayload, ReleaseCreateDeleteRefs) {
  History fx;
  auto repo = Repository::open(fx.git.root());
  auto release = event_from_payload(
      "release", json(R"({"action": "published", "release": {"tag_name": "v1"}})"), *repo);
  ASSERT_TRUE(release) << release.error().message;
  EXPECT_EQ(release->ref, "refs/tags/v1");
  EXPECT_EQ(release->sha, fx.first);  // the tagged commit
  EXPECT_EQ(release->action, "published");

  auto create = event_from_payload("create", json(R"({"ref": "v1", "ref_type": "tag"})"), *repo);
  ASSERT_TRUE(create);
  EXPECT_EQ(create->ref, "refs/tags/v1");
  EXPECT_EQ(create->sha, fx.first);
  auto branch =
      event_from_payload("create", json(R"({"ref": "feature", "ref_type": "branch"})"), *repo);
  ASSERT_TRUE(branch);
  EXPECT_EQ(branch->ref, "refs/heads/feature");
  EXPECT_EQ(branch->sha, fx.feature);

  // delete: the default branch (the deleted ref has no commit any more).
  auto deleted =
      event_from_payload("delete", json(R"({"ref": "feature", "ref_type": "branch"})"), *repo);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->ref, "refs/heads/main");
  EXPECT_EQ(deleted->sha, fx.second);
}

TEST(EventFromPayload, WithoutRefRunsAtTheDefaultBranchHead) {
  History fx;
  fx.git.git("checkout -q feature");  // the checkout is elsewhere: the default branch counts
  auto repo = Repository::open(fx.git.root());
  auto event = event_from_payload("schedule", json(R"({"schedule": "0 * * * *"})"), *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->ref, "refs/heads/main");
  EXPECT_EQ(event->sha, fx.second);
  EXPECT_FALSE(event->changed_files);

  auto dispatch = event_from_payload(
      "workflow_dispatch", json(R"({"ref": "refs/heads/feature", "inputs": {"level": "debug"}})"),
      *repo);
  ASSERT_TRUE(dispatch);
  EXPECT_EQ(dispatch->ref, "refs/heads/feature");
  EXPECT_EQ(dispatch->sha, fx.feature);
}

TEST(EventFromPayload, NotAnObject) {
  History fx;
  auto repo = Repository::open(fx.git.root());
  auto event = event_from_payload("push", json("[1, 2]"), *repo);
  ASSERT_FALSE(event);
  EXPECT_EQ(event.error().message, "the push payload must be a JSON object");
}

// `pipewright run release -e FILE`: the same derivation as a delivery's.
TEST(EventFromPayload, RunEventFileReleaseUsesItsTag) {
  History fx;
  std::string path = fx.git.root() + "/../release.json";
  std::ofstream(path) << R"({"action": "published", "release": {"tag_name": "v1"}})";
  auto repo = Repository::open(fx.git.root());
  EventOptions options;
  options.name = "release";
  options.event_path = path;
  auto event = build_event(options, *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->ref, "refs/tags/v1");
  EXPECT_EQ(event->ref_type(), RefType::tag);
}

}  // namespace
}  // namespace pipewright::plan
