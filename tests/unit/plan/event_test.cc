#include "pipewright/plan/event.h"

#include <gtest/gtest.h>

#include "pipewright/expr/json.h"

#include "unit/plan/git_fixture.h"

namespace pipewright::plan {
namespace {

using testing::TempGitRepo;

std::string str(const expr::Value& v, std::initializer_list<std::string_view> path) {
  const expr::Value* cur = &v;
  for (auto key : path) {
    cur = cur->member(key);
    if (!cur) return "<missing>";
  }
  return cur->to_display_string();
}

struct TwoCommits {
  TempGitRepo git;
  std::string first, second;
  TwoCommits() {
    git.init();
    git.git("remote add origin https://github.com/octo/app.git");
    git.write("README.md", "r");
    git.commit("first");
    git.write("src/app.py", "print()");
    git.commit("add app\n\nwith body");
    auto repo = Repository::open(git.root());
    second = repo->info().sha;
    first = *repo->parent(second);
  }
};

TEST(Event, PushSynthesized) {
  TwoCommits fx;
  auto repo = Repository::open(fx.git.root());
  ASSERT_TRUE(repo);
  auto event = build_event(EventOptions{}, *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->name, "push");
  EXPECT_EQ(event->ref, "refs/heads/main");
  EXPECT_EQ(event->ref_name(), "main");
  EXPECT_EQ(event->ref_type(), RefType::branch);
  EXPECT_EQ(event->sha, fx.second);
  const expr::Value& p = event->payload;
  EXPECT_EQ(str(p, {"before"}), fx.first);
  EXPECT_EQ(str(p, {"after"}), fx.second);
  EXPECT_EQ(str(p, {"ref"}), "refs/heads/main");
  EXPECT_EQ(str(p, {"head_commit", "id"}), fx.second);
  EXPECT_EQ(str(p, {"head_commit", "message"}), "add app\n\nwith body");
  EXPECT_EQ(str(p, {"head_commit", "author", "name"}), "Test User");
  EXPECT_EQ(str(p, {"repository", "full_name"}), "octo/app");
  EXPECT_EQ(str(p, {"repository", "owner", "login"}), "octo");
  EXPECT_EQ(str(p, {"pusher", "name"}), "Test User");
  EXPECT_EQ(str(p, {"sender", "login"}), "Test User");
  ASSERT_EQ(p.member("commits")->as_array().size(), 1u);
  EXPECT_EQ(str(p.member("commits")->as_array()[0], {"id"}), fx.second);
  ASSERT_TRUE(event->changed_files);
  EXPECT_EQ(event->changed_files->files, (std::vector<std::string>{"src/app.py"}));
}

TEST(Event, PushTagRef) {
  TwoCommits fx;
  fx.git.git("tag v1.2.0");
  auto repo = Repository::open(fx.git.root());
  EventOptions options;
  options.ref = "v1.2.0";
  auto event = build_event(options, *repo);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->ref, "refs/tags/v1.2.0");
  EXPECT_EQ(event->ref_name(), "v1.2.0");
  EXPECT_EQ(event->ref_type(), RefType::tag);
}

TEST(Event, FileWinsOverSynthesized) {
  TwoCommits fx;
  std::string path = fx.git.root() + "/../event.json";
  std::ofstream(path) << R"({"ref": "refs/heads/release", "before": ")" << fx.first
                      << R"(", "head_commit": {"message": "from file"}, "extra": [1, 2]})";
  auto repo = Repository::open(fx.git.root());
  EventOptions options;
  options.event_path = path;
  auto event = build_event(options, *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->ref, "refs/heads/release");
  EXPECT_EQ(str(event->payload, {"head_commit", "message"}), "from file");
  EXPECT_EQ(str(event->payload, {"head_commit", "id"}), fx.second);  // merged, not replaced
  EXPECT_EQ(event->payload.member("extra")->as_array().size(), 2u);
}

TEST(Event, BadEventFile) {
  TwoCommits fx;
  auto repo = Repository::open(fx.git.root());
  EventOptions options;
  options.event_path = fx.git.root() + "/missing.json";
  EXPECT_FALSE(build_event(options, *repo));
  std::string path = fx.git.root() + "/../bad.json";
  std::ofstream(path) << "[1, 2]";
  options.event_path = path;
  auto event = build_event(options, *repo);
  ASSERT_FALSE(event);
  EXPECT_NE(event.error().message.find("must be a JSON object"), std::string::npos);
  std::ofstream(path) << "{oops";
  EXPECT_FALSE(build_event(options, *repo));
}

TEST(Event, PullRequestSynthesizedFromBranches) {
  TwoCommits fx;
  fx.git.git("checkout -q -b feature");
  fx.git.write("docs/guide.md", "g");
  fx.git.commit("docs");
  auto repo = Repository::open(fx.git.root());
  EventOptions options;
  options.name = "pull_request";
  auto event = build_event(options, *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->ref, "refs/pull/1/merge");
  EXPECT_EQ(event->ref_name(), "1/merge");
  EXPECT_EQ(event->head_ref, "feature");
  EXPECT_EQ(event->base_ref, "main");
  EXPECT_EQ(event->action, "opened");
  EXPECT_EQ(event->sha, repo->info().sha);
  EXPECT_EQ(str(event->payload, {"pull_request", "base", "sha"}), fx.second);
  EXPECT_EQ(str(event->payload, {"pull_request", "title"}), "docs");
  ASSERT_TRUE(event->changed_files);
  EXPECT_EQ(event->changed_files->files, (std::vector<std::string>{"docs/guide.md"}));

  options.name = "pull_request_target";
  auto target = build_event(options, *repo);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->ref, "refs/heads/main");
  EXPECT_EQ(target->sha, fx.second);
}

TEST(Event, WorkflowDispatchInputs) {
  TwoCommits fx;
  std::string path = fx.git.root() + "/../dispatch.json";
  std::ofstream(path) << R"({"inputs": {"level": "debug", "dry": "true"}})";
  auto repo = Repository::open(fx.git.root());
  EventOptions options;
  options.name = "workflow_dispatch";
  options.event_path = path;
  options.inputs = {{"level", "info"}};
  auto event = build_event(options, *repo);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->ref, "refs/heads/main");
  EXPECT_EQ(str(event->payload, {"inputs", "level"}), "info");
  EXPECT_EQ(str(event->payload, {"inputs", "dry"}), "true");
  EXPECT_FALSE(event->changed_files);
}

TEST(Event, ScheduleRunsOnDefaultBranch) {
  TwoCommits fx;
  fx.git.git("checkout -q -b topic");
  auto repo = Repository::open(fx.git.root());
  EventOptions options;
  options.name = "schedule";
  auto event = build_event(options, *repo);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->ref, "refs/heads/main");
  EXPECT_EQ(str(event->payload, {"repository", "default_branch"}), "main");
}

TEST(Event, PlainDirectory) {
  TempGitRepo dir;
  auto repo = Repository::open(dir.root());
  auto event = build_event(EventOptions{}, *repo);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->sha, k_zero_sha);
  EXPECT_EQ(event->ref, "refs/heads/main");
  EXPECT_FALSE(event->changed_files);
  EXPECT_TRUE(event->payload.member("head_commit")->is_null());
}

TEST(Event, MergePayloadDeep) {
  auto base = expr::parse_json(R"({"a": {"b": 1, "c": 2}, "d": [1]})");
  auto overlay = expr::parse_json(R"({"a": {"c": 3, "e": 4}, "d": [9, 8]})");
  ASSERT_TRUE(base && overlay);
  expr::Value merged = merge_payload(*base, *overlay);
  EXPECT_EQ(expr::to_json(merged),
            expr::to_json(*expr::parse_json(R"({"a": {"b": 1, "c": 3, "e": 4}, "d": [9, 8]})")));
}

}  // namespace
}  // namespace pipewright::plan

namespace pipewright::plan {
namespace {

TEST(Event, DetachedHeadAtTagIsATagPush) {
  TwoCommits fx;
  fx.git.git("tag v2.0.0");
  fx.git.git("checkout -q --detach v2.0.0");
  auto repo = Repository::open(fx.git.root());
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->info().branch, "");
  auto event = build_event(EventOptions{}, *repo);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->ref, "refs/tags/v2.0.0");
  EXPECT_EQ(event->ref_type(), RefType::tag);
}

TEST(Event, DetachedHeadWithoutTagUsesDefaultBranch) {
  TwoCommits fx;
  fx.git.git("checkout -q --detach HEAD~1");
  auto repo = Repository::open(fx.git.root());
  auto event = build_event(EventOptions{}, *repo);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->ref, "refs/heads/main");
  EXPECT_EQ(event->sha, fx.first);
}

}  // namespace
}  // namespace pipewright::plan

namespace pipewright::plan {
namespace {

TEST(Event, PullRequestFromFile) {
  TwoCommits fx;
  std::string path = fx.git.root() + "/../pr.json";
  std::ofstream(path) << R"({"action": "labeled", "number": 42, "pull_request": {"number": 42,
      "head": {"ref": "topic", "sha": ")"
                      << fx.second << R"("}, "base": {"ref": "main", "sha": ")" << fx.first
                      << R"("}}})";
  auto repo = Repository::open(fx.git.root());
  EventOptions options;
  options.name = "pull_request";
  options.event_path = path;
  auto event = build_event(options, *repo);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->ref, "refs/pull/42/merge");
  EXPECT_EQ(event->action, "labeled");
  EXPECT_EQ(event->head_ref, "topic");
  EXPECT_EQ(event->sha, fx.second);
  ASSERT_TRUE(event->changed_files);
  EXPECT_EQ(event->changed_files->files, (std::vector<std::string>{"src/app.py"}));
  // Synthesized parts the file did not give are still there.
  EXPECT_EQ(str(event->payload, {"repository", "full_name"}), "octo/app");
}

}  // namespace
}  // namespace pipewright::plan
