#include "pipewright/plan/triggers.h"

#include <gtest/gtest.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::plan {
namespace {

workflow::Workflow load(std::string_view on_yaml) {
  std::string text =
      std::string("on:") + std::string(on_yaml) +
      "\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
  auto result = workflow::load_workflow_text(text, "ci.yml");
  EXPECT_TRUE(result.workflow.has_value());
  for (const auto& d : result.diagnostics)
    ADD_FAILURE() << d.message;
  return std::move(*result.workflow);
}

Event push(std::string ref, std::optional<std::vector<std::string>> files = std::nullopt) {
  Event e;
  e.name = "push";
  e.ref = std::move(ref);
  if (files) e.changed_files = ChangedFiles{*files, files->size()};
  return e;
}

Event pull_request(std::string base, std::string action = "opened",
                   std::vector<std::string> files = {"src/a.cc"}) {
  Event e;
  e.name = "pull_request";
  e.ref = "refs/pull/1/merge";
  e.head_ref = "feature";
  e.base_ref = std::move(base);
  e.action = std::move(action);
  e.changed_files = ChangedFiles{files, files.size()};
  return e;
}

TriggerResult match(std::string_view on_yaml, const Event& event) {
  auto wf = load(on_yaml);
  auto r = match_triggers(wf, event);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : TriggerResult{};
}

TEST(Triggers, OnForms) {
  EXPECT_TRUE(match(" push", push("refs/heads/main")).matched);
  EXPECT_TRUE(match(" [pull_request, push]", push("refs/heads/x")).matched);
  auto r = match(" [pull_request, workflow_dispatch]", push("refs/heads/main"));
  EXPECT_FALSE(r.matched);
  EXPECT_EQ(r.reason, "not triggered by push (on: pull_request, workflow_dispatch)");
  EXPECT_TRUE(match("\n  push:\n  pull_request:", push("refs/heads/main")).matched);
}

TEST(Triggers, BranchFilters) {
  auto r = match("\n  push:\n    branches: [main]", push("refs/heads/dev"));
  EXPECT_FALSE(r.matched);
  EXPECT_EQ(r.reason, "branch 'dev' does not match branches: [main]");
  EXPECT_TRUE(match("\n  push:\n    branches: [main]", push("refs/heads/main")).matched);
  EXPECT_TRUE(
      match("\n  push:\n    branches: ['releases/**']", push("refs/heads/releases/v1/x")).matched);
  // Last match wins: a later negation excludes.
  EXPECT_FALSE(match("\n  push:\n    branches: ['releases/**', '!releases/**-alpha']",
                     push("refs/heads/releases/10-alpha"))
                   .matched);
  auto ignored = match("\n  push:\n    branches-ignore: [dev]", push("refs/heads/dev"));
  EXPECT_FALSE(ignored.matched);
  EXPECT_EQ(ignored.reason, "branch 'dev' is ignored by branches-ignore: [dev]");
  EXPECT_TRUE(match("\n  push:\n    branches-ignore: [dev]", push("refs/heads/main")).matched);
}

TEST(Triggers, TagVersusBranchFilters) {
  // Only branch filters: tag pushes do not run.
  auto r = match("\n  push:\n    branches: [main]", push("refs/tags/v1"));
  EXPECT_FALSE(r.matched);
  EXPECT_NE(r.reason.find("only branch filters"), std::string::npos);
  // Only tag filters: branch pushes do not run.
  EXPECT_FALSE(match("\n  push:\n    tags: ['v*']", push("refs/heads/main")).matched);
  EXPECT_TRUE(match("\n  push:\n    tags: ['v*']", push("refs/tags/v1.0")).matched);
  EXPECT_FALSE(match("\n  push:\n    tags-ignore: ['v*']", push("refs/tags/v1.0")).matched);
  // Neither: both run.
  EXPECT_TRUE(match("\n  push:\n    paths: ['src/**']", push("refs/tags/v1")).matched);
  // Both kinds: each applies to its own refs.
  const char* both = "\n  push:\n    branches: [main]\n    tags: ['v*']";
  EXPECT_TRUE(match(both, push("refs/heads/main")).matched);
  EXPECT_TRUE(match(both, push("refs/tags/v2")).matched);
  EXPECT_FALSE(match(both, push("refs/tags/x2")).matched);
}

TEST(Triggers, PathFilters) {
  const char* paths = "\n  push:\n    paths: ['src/**', '!src/**/*.md']";
  EXPECT_TRUE(match(paths, push("refs/heads/main", {{"docs/a.md", "src/x/a.cc"}})).matched);
  auto r = match(paths, push("refs/heads/main", {{"docs/a.md", "src/x/README.md"}}));
  EXPECT_FALSE(r.matched);
  EXPECT_NE(r.reason.find("matches paths: [src/**, !src/**/*.md]"), std::string::npos) << r.reason;
  // paths-ignore: skipped only when every file is ignored.
  const char* ignore = "\n  push:\n    paths-ignore: ['docs/**']";
  EXPECT_FALSE(match(ignore, push("refs/heads/main", {{"docs/a.md"}})).matched);
  EXPECT_TRUE(match(ignore, push("refs/heads/main", {{"docs/a.md", "src/b"}})).matched);
  // No changed files: no run. Unknown changed files: runs.
  auto none = match(paths, push("refs/heads/main", std::vector<std::string>{}));
  EXPECT_FALSE(none.matched);
  EXPECT_EQ(none.reason, "no changed files to match paths filters");
  EXPECT_TRUE(match(paths, push("refs/heads/main")).matched);
  // Paths are ignored for tag pushes.
  EXPECT_TRUE(match(paths, push("refs/tags/v1", {{"docs/a.md"}})).matched);
  // Branch and path filters must both pass.
  const char* both = "\n  push:\n    branches: [main]\n    paths: ['src/**']";
  EXPECT_FALSE(match(both, push("refs/heads/dev", {{"src/a"}})).matched);
  EXPECT_FALSE(match(both, push("refs/heads/main", {{"doc/a"}})).matched);
  EXPECT_TRUE(match(both, push("refs/heads/main", {{"src/a"}})).matched);
}

TEST(Triggers, OnlyFirst300FilesCount) {
  std::vector<std::string> files(300, "docs/x.md");
  files.push_back("src/late.cc");  // file 301
  const char* paths = "\n  push:\n    paths: ['src/**']";
  EXPECT_FALSE(match(paths, push("refs/heads/main", files)).matched);
  files.insert(files.begin(), "src/early.cc");
  EXPECT_TRUE(match(paths, push("refs/heads/main", files)).matched);
}

TEST(Triggers, PullRequestTypesAndBaseBranch) {
  EXPECT_TRUE(match(" pull_request", pull_request("main")).matched);
  auto closed = match(" pull_request", pull_request("main", "closed"));
  EXPECT_FALSE(closed.matched);
  EXPECT_NE(closed.reason.find("'closed'"), std::string::npos);
  EXPECT_TRUE(
      match("\n  pull_request:\n    types: [closed]", pull_request("main", "closed")).matched);
  EXPECT_FALSE(
      match("\n  pull_request:\n    types: [labeled]", pull_request("main", "opened")).matched);
  auto base = match("\n  pull_request:\n    branches: [main]", pull_request("develop"));
  EXPECT_FALSE(base.matched);
  EXPECT_EQ(base.reason, "base branch 'develop' does not match branches: [main]");
  EXPECT_FALSE(match("\n  pull_request:\n    paths: ['docs/**']", pull_request("main")).matched);
}

TEST(Triggers, ScheduleAndDispatch) {
  const char* on = "\n  schedule:\n    - cron: '0 1 * * *'\n  workflow_dispatch:";
  EXPECT_FALSE(match(on, push("refs/heads/main")).matched);
  Event schedule;
  schedule.name = "schedule";
  schedule.ref = "refs/heads/main";
  EXPECT_TRUE(match(on, schedule).matched);
  Event dispatch;
  dispatch.name = "workflow_dispatch";
  dispatch.ref = "refs/heads/dev";
  EXPECT_TRUE(match(on, dispatch).matched);
}

TEST(Triggers, InvalidPatternIsAnError) {
  auto wf = load("\n  push:\n    branches: ['[z-a]']");
  auto r = match_triggers(wf, push("refs/heads/main"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("invalid pattern '[z-a]' in branches"), std::string::npos);
}

const char* k_dispatch = R"(
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [info, warning, debug]
        required: true
        default: warning
      dry:
        type: boolean
      count:
        type: number
        default: 3
      target:
        type: environment
        required: true
      note:
        description: free text
        required: true)";

expr::Object given(std::initializer_list<std::pair<std::string, expr::Value>> items) {
  expr::Object o;
  for (const auto& [k, v] : items)
    o.set(k, v);
  return o;
}

TEST(Inputs, DispatchTypedValuesAndDefaults) {
  auto wf = load(k_dispatch);
  auto r = resolve_dispatch_inputs(
      wf.on[0], given({{"target", "staging"}, {"note", "hi"}, {"dry", "TRUE"}, {"count", "7"}}));
  ASSERT_TRUE(r) << r.error().message;
  const expr::Value& in = r->inputs;
  EXPECT_EQ(in.member("level")->as_string(), "warning");
  EXPECT_EQ(in.member("dry")->kind(), expr::Kind::boolean);
  EXPECT_TRUE(in.member("dry")->as_bool());
  EXPECT_EQ(in.member("count")->as_number(), 7);
  EXPECT_EQ(in.member("target")->as_string(), "staging");
  EXPECT_EQ(r->event_inputs.member("dry")->as_string(), "true");
  EXPECT_EQ(r->event_inputs.member("count")->as_string(), "7");

  auto defaults = resolve_dispatch_inputs(wf.on[0], given({{"target", "t"}, {"note", "n"}}));
  ASSERT_TRUE(defaults);
  EXPECT_FALSE(defaults->inputs.member("dry")->as_bool());
  EXPECT_EQ(defaults->inputs.member("count")->as_number(), 3);
}

TEST(Inputs, DispatchListsAllMissingRequired) {
  auto wf = load(k_dispatch);
  auto r = resolve_dispatch_inputs(wf.on[0], {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "missing required inputs: target, note");
  EXPECT_EQ(r.error().hint, "give inputs with --input NAME=VALUE or in -e event.json's \"inputs\"");
}

TEST(Inputs, DispatchValidation) {
  auto wf = load(k_dispatch);
  auto bad_choice = resolve_dispatch_inputs(
      wf.on[0], given({{"target", "t"}, {"note", "n"}, {"level", "verbose"}}));
  ASSERT_FALSE(bad_choice);
  EXPECT_EQ(bad_choice.error().message,
            "input 'level' must be one of [info, warning, debug], got 'verbose'");
  auto bad_bool =
      resolve_dispatch_inputs(wf.on[0], given({{"target", "t"}, {"note", "n"}, {"dry", "yes"}}));
  ASSERT_FALSE(bad_bool);
  EXPECT_NE(bad_bool.error().message.find("must be a boolean"), std::string::npos);
  auto bad_number =
      resolve_dispatch_inputs(wf.on[0], given({{"target", "t"}, {"note", "n"}, {"count", "x"}}));
  ASSERT_FALSE(bad_number);
  EXPECT_NE(bad_number.error().message.find("must be a number"), std::string::npos);
  auto unknown =
      resolve_dispatch_inputs(wf.on[0], given({{"target", "t"}, {"note", "n"}, {"colour", "x"}}));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unexpected input 'colour'"), std::string::npos);
}

TEST(Inputs, WorkflowCall) {
  auto wf = load(R"(
  workflow_call:
    inputs:
      env:
        type: string
        default: ${{ github.ref_name }}
      debug:
        type: boolean
      retries:
        type: number
        required: true)");
  expr::EvalContext context;
  expr::Object github;
  github.set("ref_name", "main");
  context.set("github", expr::Value(std::move(github)));
  auto r = resolve_call_inputs(wf.on[0], given({{"retries", 2}}), context);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->inputs.member("env")->as_string(), "main");
  EXPECT_FALSE(r->inputs.member("debug")->as_bool());
  EXPECT_EQ(r->inputs.member("retries")->as_number(), 2);

  auto missing = resolve_call_inputs(wf.on[0], given({{"foo", "1"}}), context);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "Invalid input, foo is not defined in the referenced workflow.; Input retries is "
            "required, but not provided while calling.");
}

}  // namespace
}  // namespace pipewright::plan
