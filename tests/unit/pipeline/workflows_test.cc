// pipeline/workflows.h: loading a repository's workflows (with rendered diagnostics),
// selecting them for an event, and the inputs of a dispatch run.
#include "pipewright/pipeline/workflows.h"

#include <gtest/gtest.h>

#include "pipewright/expr/json.h"
#include "pipewright/plan/event.h"
#include "pipewright/plan/repository.h"

#include "unit/pipeline/repo_fixture.h"

namespace pipewright::pipeline {
namespace {

constexpr const char* k_ci = R"(name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
)";

constexpr const char* k_pr_only = R"(on: pull_request
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: echo lint
)";

constexpr const char* k_dispatch = R"(on:
  workflow_dispatch:
    inputs:
      level:
        required: true
        type: choice
        options: [info, debug]
      dry:
        type: boolean
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo go
)";

class WorkflowsTest : public testing::RepoTest {};

plan::Event event_of(const std::string& name, const std::string& payload,
                     const plan::Repository& repo) {
  auto event = plan::event_from_payload(name, *expr::parse_json(payload), repo);
  EXPECT_TRUE(event) << event.error().message;
  return *event;
}

TEST_F(WorkflowsTest, LoadsEveryFileAndSelectsByEvent) {
  write(".github/workflows/ci.yml", k_ci);
  write(".github/workflows/pr.yaml", k_pr_only);
  write(".github/workflows/notes.txt", "not a workflow");
  commit("workflows");
  auto workflows = load_workflows(root(), "");
  ASSERT_TRUE(workflows) << workflows.error().message;
  EXPECT_FALSE(workflows->invalid);
  EXPECT_EQ(workflows->rendered_errors, "");
  ASSERT_EQ(workflows->list.size(), 2u);
  EXPECT_EQ(workflows->list[0].relative, ".github/workflows/ci.yml");
  EXPECT_EQ(workflow_name(workflows->list[0]), "CI");
  EXPECT_EQ(workflow_name(workflows->list[1]), ".github/workflows/pr.yaml");

  auto repo = plan::Repository::open(root());
  ASSERT_TRUE(repo);
  auto push = event_of(
      "push", R"({"ref": "refs/heads/main", "after": ")" + repo->info().sha + "\"}", *repo);
  ASSERT_TRUE(select_workflows(*workflows, push));
  EXPECT_TRUE(workflows->list[0].trigger.matched);
  EXPECT_FALSE(workflows->list[1].trigger.matched);
  EXPECT_FALSE(workflows->list[1].trigger.reason.empty());
  EXPECT_EQ(triggered_count(*workflows), 1u);

  auto other_branch = event_of("push", R"({"ref": "refs/heads/dev"})", *repo);
  ASSERT_TRUE(select_workflows(*workflows, other_branch));
  EXPECT_EQ(triggered_count(*workflows), 0u);
  EXPECT_NE(workflows->list[0].trigger.reason.find("dev"), std::string::npos);
}

TEST_F(WorkflowsTest, InvalidFileIsRenderedWithItsSource) {
  write(".github/workflows/ci.yml", k_ci);
  write(".github/workflows/bad.yml",
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n");
  auto workflows = load_workflows(root(), "");
  ASSERT_TRUE(workflows) << workflows.error().message;
  EXPECT_TRUE(workflows->invalid);
  // file:line:col relative to the root, then the source line.
  EXPECT_NE(workflows->rendered_errors.find(".github/workflows/bad.yml:"), std::string::npos)
      << workflows->rendered_errors;
  EXPECT_NE(workflows->rendered_errors.find("bad.yml:5:5:"), std::string::npos)
      << workflows->rendered_errors;
  EXPECT_NE(workflows->rendered_errors.find("    stepz: []\n"), std::string::npos)
      << workflows->rendered_errors;
  ASSERT_EQ(workflows->list.size(), 1u);  // the valid one still loads
}

TEST_F(WorkflowsTest, SelectorNamesOneFileOrFindsNothing) {
  write(".github/workflows/ci.yml", k_ci);
  write(".github/workflows/pr.yml", k_pr_only);
  auto one = load_workflows(root(), root() + "/.github/workflows/pr.yml");
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_EQ(one->list.size(), 1u);
  EXPECT_EQ(one->list[0].relative, ".github/workflows/pr.yml");

  auto missing = load_workflows(root(), root() + "/nowhere");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
  auto empty = load_workflows(path("empty-checkout"), "");
  ASSERT_FALSE(empty);
}

TEST_F(WorkflowsTest, DispatchInputsAreTypedAndValidated) {
  write(".github/workflows/go.yml", k_dispatch);
  commit("go");
  auto workflows = load_workflows(root(), "");
  ASSERT_TRUE(workflows);
  const LoadedWorkflow& w = workflows->list.at(0);
  auto repo = plan::Repository::open(root());

  auto ok = run_inputs(
      w, event_of("workflow_dispatch", R"({"inputs": {"level": "debug", "dry": "true"}})", *repo));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->member("level")->as_string(), "debug");
  EXPECT_EQ(ok->member("dry")->kind(), expr::Kind::boolean);  // typed, not "true"

  auto missing = run_inputs(w, event_of("workflow_dispatch", R"({"inputs": {}})", *repo));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("level"), std::string::npos);
  auto wrong =
      run_inputs(w, event_of("workflow_dispatch", R"({"inputs": {"level": "trace"}})", *repo));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("trace"), std::string::npos);

  // Other events have no inputs.
  auto push = run_inputs(w, event_of("push", R"({"ref": "refs/heads/main"})", *repo));
  ASSERT_TRUE(push);
  EXPECT_TRUE(push->is_null());
}

TEST_F(WorkflowsTest, ProjectDirOfANestedWorkflow) {
  EXPECT_EQ(project_dir(root() + "/.github/workflows/ci.yml", root()), root());
  EXPECT_EQ(project_dir(root() + "/svc/.github/workflows/ci.yml", root()), root() + "/svc");
  EXPECT_EQ(project_dir(root() + "/ci/x.yml", root()), root());
}

}  // namespace
}  // namespace pipewright::pipeline
