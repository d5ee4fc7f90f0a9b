#include "pipewright/plan/contexts.h"

#include <map>

#include <gtest/gtest.h>

#include "unit/plan/git_fixture.h"

namespace pipewright::plan {
namespace {

using testing::TempGitRepo;

std::string field(const expr::Value& v, std::string_view key) {
  const expr::Value* m = v.member(key);
  return m ? m->to_display_string() : "<missing>";
}

TEST(Contexts, GithubContextFromRepositoryAndEvent) {
  TempGitRepo git;
  git.init();
  git.git("remote add origin https://github.com/octo/app.git");
  git.write("a", "a");
  git.commit("one");
  auto repo = Repository::open(git.root());
  ASSERT_TRUE(repo);
  auto event = build_event(EventOptions{}, *repo);
  ASSERT_TRUE(event);
  RunInfo run;
  run.workflow = "CI";
  run.workflow_file = ".github/workflows/ci.yml";
  run.run_id = 42;
  run.run_number = 7;
  expr::Value g = github_context(repo->info(), *event, run);
  EXPECT_EQ(field(g, "sha"), repo->info().sha);
  EXPECT_EQ(field(g, "ref"), "refs/heads/main");
  EXPECT_EQ(field(g, "ref_name"), "main");
  EXPECT_EQ(field(g, "ref_type"), "branch");
  EXPECT_EQ(field(g, "repository"), "octo/app");
  EXPECT_EQ(field(g, "repository_owner"), "octo");
  EXPECT_EQ(field(g, "repositoryUrl"), "git://github.com/octo/app.git");
  EXPECT_EQ(field(g, "actor"), "Test User");
  EXPECT_EQ(field(g, "triggering_actor"), "Test User");
  EXPECT_EQ(field(g, "event_name"), "push");
  EXPECT_EQ(field(g, "run_id"), "42");
  EXPECT_EQ(field(g, "run_number"), "7");
  EXPECT_EQ(field(g, "run_attempt"), "1");
  EXPECT_EQ(field(g, "server_url"), "https://github.com");
  EXPECT_EQ(field(g, "api_url"), "https://api.github.com");
  EXPECT_EQ(field(g, "graphql_url"), "https://api.github.com/graphql");
  EXPECT_EQ(field(g, "workspace"), git.root());
  EXPECT_EQ(field(g, "token"), "");
  EXPECT_EQ(field(g, "workflow_ref"), "octo/app/.github/workflows/ci.yml@refs/heads/main");
  EXPECT_EQ(field(g, "head_ref"), "");
  ASSERT_NE(g.member("event"), nullptr);
  EXPECT_EQ(field(*g.member("event"), "after"), repo->info().sha);
}

TEST(Contexts, EnterpriseUrlsAndPullRequestRefs) {
  RepositoryInfo info;
  info.server_url = "https://ghe.example.com";
  info.repository = "team/svc";
  info.repository_owner = "team";
  info.actor = "me";
  Event event;
  event.name = "pull_request";
  event.ref = "refs/pull/5/merge";
  event.head_ref = "feature";
  event.base_ref = "main";
  expr::Value g = github_context(info, event, RunInfo{});
  EXPECT_EQ(field(g, "api_url"), "https://ghe.example.com/api/v3");
  EXPECT_EQ(field(g, "graphql_url"), "https://ghe.example.com/api/graphql");
  EXPECT_EQ(field(g, "ref_name"), "5/merge");
  EXPECT_EQ(field(g, "head_ref"), "feature");
  EXPECT_EQ(field(g, "base_ref"), "main");
}

TEST(Contexts, OverridesAndEnvironment) {
  RepositoryInfo info;
  info.repository = "o/r";
  info.repository_owner = "o";
  info.actor = "me";
  info.root = "/src/r";
  Event event;
  event.name = "push";
  event.ref = "refs/tags/v1";
  event.sha = "abc";
  RunInfo run;
  run.token = "s3cret";
  expr::Value base = github_context(info, event, run);
  GithubOverrides o;
  o.job = "build";
  o.action = "__run_2";
  o.workspace = "/work/ws";
  o.env = "/tmp/env";
  o.output = "/tmp/out";
  expr::Value g = with_overrides(base, o);
  EXPECT_EQ(field(g, "job"), "build");
  EXPECT_EQ(field(g, "action"), "__run_2");
  EXPECT_EQ(field(g, "token"), "s3cret");
  EXPECT_EQ(field(base, "job"), "");  // the original is untouched

  RunnerInfo runner = detect_runner("/tmp/rt", true);
  EXPECT_EQ(runner.temp, "/tmp/rt");
  EXPECT_FALSE(runner.arch.empty());
  auto env_list = default_environment(g, runner_context(runner));
  std::map<std::string, std::string> env(env_list.begin(), env_list.end());
  EXPECT_EQ(env["CI"], "true");
  EXPECT_EQ(env["GITHUB_ACTIONS"], "true");
  EXPECT_EQ(env["GITHUB_JOB"], "build");
  EXPECT_EQ(env["GITHUB_ACTION"], "__run_2");
  EXPECT_EQ(env["GITHUB_WORKSPACE"], "/work/ws");
  EXPECT_EQ(env["GITHUB_ENV"], "/tmp/env");
  EXPECT_EQ(env["GITHUB_OUTPUT"], "/tmp/out");
  EXPECT_EQ(env["GITHUB_REF"], "refs/tags/v1");
  EXPECT_EQ(env["GITHUB_REF_NAME"], "v1");
  EXPECT_EQ(env["GITHUB_REF_TYPE"], "tag");
  EXPECT_EQ(env["GITHUB_REF_PROTECTED"], "false");
  EXPECT_EQ(env["GITHUB_SHA"], "abc");
  EXPECT_EQ(env["RUNNER_OS"], "Linux");
  EXPECT_EQ(env["RUNNER_TEMP"], "/tmp/rt");
  EXPECT_EQ(env["RUNNER_ENVIRONMENT"], "self-hosted");
  EXPECT_EQ(env["RUNNER_DEBUG"], "1");
  EXPECT_EQ(env.count("ACT"), 0u);
  EXPECT_EQ(env.count("GITHUB_TOKEN"), 0u);
  EXPECT_EQ(env.count("GITHUB_STATE"), 0u);  // not set until exec gives a path
  EXPECT_TRUE(std::is_sorted(env_list.begin(), env_list.end()));

  auto quiet = default_environment(g, runner_context(detect_runner("/tmp/rt", false)));
  EXPECT_TRUE(std::none_of(quiet.begin(), quiet.end(),
                           [](const auto& kv) { return kv.first == "RUNNER_DEBUG"; }));
}

TEST(Contexts, RunnerArch) {
  EXPECT_EQ(runner_arch("x86_64"), "X64");
  EXPECT_EQ(runner_arch("aarch64"), "ARM64");
  EXPECT_EQ(runner_arch("armv7l"), "ARM");
  EXPECT_EQ(runner_arch("i686"), "X86");
}

}  // namespace
}  // namespace pipewright::plan
