// Reusable workflows (exec/reusable_workflow.h): loading the called workflow with
// GitHub's checks, typed inputs from `with:`, secrets from a map or `inherit`, outputs
// over the `jobs` context, the called workflow's result and job names.
#include "pipewright/exec/reusable_workflow.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::exec {
namespace {

using expr::Object;
using expr::Value;

// A caller workflow and a called one, both loaded from text.
struct Call {
  workflow::Workflow caller;
  workflow::Workflow called;

  Call(std::string_view caller_yaml, std::string_view called_yaml) {
    auto a = workflow::load_workflow_text(caller_yaml, "ci.yml");
    EXPECT_TRUE(a.ok()) << (a.diagnostics.empty() ? "" : a.diagnostics.front().message);
    caller = std::move(*a.workflow);
    auto b = workflow::load_workflow_text(called_yaml, "called.yml");
    EXPECT_TRUE(b.ok()) << (b.diagnostics.empty() ? "" : b.diagnostics.front().message);
    called = std::move(*b.workflow);
  }
  const workflow::Job& job() const { return caller.jobs.front(); }
  const workflow::Event& event() const { return *called.find_event("workflow_call"); }
};

constexpr std::string_view k_called = R"(on:
  workflow_call:
    inputs:
      name: {type: string, required: true}
      count: {type: number, default: 3}
      flag: {type: boolean, default: true}
      label: {type: string}
    secrets:
      token: {required: true}
      extra: {}
    outputs:
      greeting:
        value: ${{ jobs.greet.outputs.text }}
      state:
        value: ${{ jobs.greet.result }}-${{ inputs.name }}
jobs:
  greet:
    runs-on: ubuntu-latest
    steps: [{run: echo}]
)";

expr::EvalContext caller_context() {
  expr::EvalContext ctx;
  Object matrix;
  matrix.set("n", Value(7));
  matrix.set("os", Value("linux"));
  ctx.set("matrix", Value(matrix));
  Object secrets;
  secrets.set("MY_TOKEN", Value("s3cret"));
  secrets.set("OTHER", Value("o"));
  secrets.set("GITHUB_TOKEN", Value("ghs_x"));
  ctx.set("secrets", Value(secrets));
  return ctx;
}

std::string inputs_json(const Value& v) {
  std::string out;
  for (const auto& [k, value] : v.as_object())
    out += k + "=" + std::string(expr::kind_name(value.kind())) + ":" + value.to_display_string() +
           " ";
  return out;
}

TEST(ReusableWorkflow, InputsAreTypedWithDefaults) {
  Call call(R"(on: push
jobs:
  c:
    uses: ./.github/workflows/called.yml
    with:
      name: x-${{ matrix.os }}
      count: ${{ matrix.n }}
      flag: false
)",
            k_called);
  auto inputs = resolve_called_inputs(call.job(), call.event(), caller_context(), "ci.yml");
  ASSERT_TRUE(inputs.has_value()) << inputs.error().message;
  EXPECT_EQ(inputs_json(*inputs),
            "name=String:x-linux count=Number:7 flag=Boolean:false label=String: ");
}

TEST(ReusableWorkflow, DefaultsApplyAndPlainScalarsKeepTheirType) {
  Call call(R"(on: push
jobs:
  c:
    uses: ./.github/workflows/called.yml
    with:
      name: 12
      label: true
)",
            k_called);
  auto inputs = resolve_called_inputs(call.job(), call.event(), caller_context(), "ci.yml");
  ASSERT_TRUE(inputs.has_value()) << inputs.error().message;
  // A string input takes any scalar as its text; defaults fill the rest.
  EXPECT_EQ(inputs_json(*inputs),
            "name=String:12 count=Number:3 flag=Boolean:true label=String:true ");
}

TEST(ReusableWorkflow, WrongTypesAreRefusedLikeGitHub) {
  struct Case {
    std::string with, message;
  } cases[] = {
      {"flag: 'true'", "Unexpected type of value 'true', expected type: Boolean."},
      {"count: '5'", "Unexpected type of value '5', expected type: Number."},
      {"count: ${{ matrix.os }}", "Unexpected type of value 'linux', expected type: Number."},
      {"flag: ${{ matrix.missing }}", "Unexpected type of value '', expected type: Boolean."},
  };
  for (const Case& c : cases) {
    Call call(
        "on: push\njobs:\n  c:\n    uses: ./.github/workflows/called.yml\n    with:\n"
        "      name: n\n      " +
            c.with + "\n",
        k_called);
    auto inputs = resolve_called_inputs(call.job(), call.event(), caller_context(), "ci.yml");
    ASSERT_FALSE(inputs.has_value()) << c.with;
    EXPECT_EQ(inputs.error().message, c.message);
    EXPECT_EQ(inputs.error().location.line, 7) << c.with;
    EXPECT_EQ(inputs.error().location.file, "ci.yml");
  }
}

TEST(ReusableWorkflow, MissingAndUnknownInputsUseGitHubTexts) {
  Call call(R"(on: push
jobs:
  c:
    uses: ./.github/workflows/called.yml
    with:
      nope: 1
)",
            k_called);
  auto inputs = resolve_called_inputs(call.job(), call.event(), caller_context(), "ci.yml");
  ASSERT_FALSE(inputs.has_value());
  EXPECT_EQ(inputs.error().message,
            "Invalid input, nope is not defined in the referenced workflow.; Input name is "
            "required, but not provided while calling.");
  EXPECT_EQ(inputs.error().location.line, 4);  // the uses: line
}

TEST(ReusableWorkflow, SecretsMapAndInherit) {
  Call mapped(R"(on: push
jobs:
  c:
    uses: ./.github/workflows/called.yml
    secrets:
      token: ${{ secrets.MY_TOKEN }}
)",
              k_called);
  expr::EvalContext ctx = caller_context();
  const Value& caller_secrets = *ctx.find("secrets");
  auto secrets = resolve_called_secrets(mapped.job(), mapped.event(), ctx, caller_secrets);
  ASSERT_TRUE(secrets.has_value()) << secrets.error().message;
  EXPECT_EQ(secrets->member("token")->as_string(), "s3cret");
  EXPECT_EQ(secrets->member("GITHUB_TOKEN")->as_string(), "ghs_x");
  EXPECT_EQ(secrets->member("OTHER"), nullptr);  // only what the map passes

  Call inherit(R"(on: push
jobs:
  c:
    uses: ./.github/workflows/called.yml
    secrets: inherit
)",
               k_called);
  Object with_token = caller_secrets.as_object();
  with_token.set("token", Value("t"));
  auto all = resolve_called_secrets(inherit.job(), inherit.event(), ctx, Value(with_token));
  ASSERT_TRUE(all.has_value()) << all.error().message;
  EXPECT_EQ(all->member("OTHER")->as_string(), "o");
  EXPECT_EQ(all->member("token")->as_string(), "t");
}

TEST(ReusableWorkflow, UndeclaredAndMissingRequiredSecrets) {
  Call call(R"(on: push
jobs:
  c:
    uses: ./.github/workflows/called.yml
    secrets:
      extra: x
      unknown: y
)",
            k_called);
  expr::EvalContext ctx = caller_context();
  auto bad = resolve_called_secrets(call.job(), call.event(), ctx, *ctx.find("secrets"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message,
            "Invalid secret, unknown is not defined in the referenced workflow.");

  Call missing(R"(on: push
jobs:
  c:
    uses: ./.github/workflows/called.yml
    secrets:
      extra: x
)",
               k_called);
  auto none = resolve_called_secrets(missing.job(), missing.event(), ctx, *ctx.find("secrets"));
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().message, "Secret token is required, but not provided while calling.");
}

TEST(ReusableWorkflow, OutputsAreEvaluatedOverTheJobsContext) {
  Call call("on: push\njobs:\n  c:\n    uses: ./.github/workflows/called.yml\n", k_called);
  expr::EvalContext ctx;
  Object greet, outputs, jobs, inputs;
  outputs.set("text", Value("hello"));
  greet.set("result", Value("success"));
  greet.set("outputs", Value(outputs));
  jobs.set("greet", Value(greet));
  inputs.set("name", Value("bob"));
  ctx.set("jobs", Value(jobs));
  ctx.set("inputs", Value(inputs));
  auto result = evaluate_called_outputs(call.event(), ctx);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->find("greeting")->as_string(), "hello");
  EXPECT_EQ(result->find("state")->as_string(), "success-bob");
}

TEST(ReusableWorkflow, ResultOfTheCalledWorkflow) {
  using R = Result;
  EXPECT_EQ(called_workflow_result({R::success, R::skipped}), R::success);
  EXPECT_EQ(called_workflow_result({R::success, R::failure, R::cancelled}), R::failure);
  EXPECT_EQ(called_workflow_result({R::success, R::cancelled}), R::cancelled);
  EXPECT_EQ(called_workflow_result({R::skipped, R::skipped}), R::skipped);
  EXPECT_EQ(called_job_name("call (a, 1)", "build"), "call (a, 1) / build");
}

// A temporary repository with workflow files.
class Repo {
 public:
  Repo() {
    m_dir = std::filesystem::temp_directory_path() /
            ("pw-reuse-" + std::to_string(::getpid()) + "-" + std::to_string(s_next++));
    std::filesystem::create_directories(m_dir / ".github/workflows");
  }
  ~Repo() { std::filesystem::remove_all(m_dir); }
  void write(const std::string& name, std::string_view text) {
    std::ofstream(m_dir / ".github/workflows" / name) << text;
  }
  std::string dir() const { return m_dir.string(); }
  std::string path(const std::string& name) const {
    return (m_dir / ".github/workflows" / name).string();
  }

 private:
  static inline int s_next = 0;
  std::filesystem::path m_dir;
};

util::Expected<CalledWorkflow> load(const Repo& repo, std::string_view uses,
                                    std::vector<std::string> chain = {}) {
  static std::vector<workflow::Workflow> keep;
  auto loaded = workflow::load_workflow_text(
      "on: push\njobs:\n  c:\n    uses: " + std::string(uses) + "\n", "ci.yml");
  EXPECT_TRUE(loaded.ok());
  keep.push_back(std::move(*loaded.workflow));
  CallSite site{repo.dir(), ".github/workflows/ci.yml", std::move(chain)};
  if (site.chain.empty()) site.chain.push_back(workflow_identity(repo.path("ci.yml")));
  return load_called_workflow(keep.back().jobs.front(), site, actions::ActionSettings{});
}

TEST(ReusableWorkflow, LoadsALocalWorkflow) {
  Repo repo;
  repo.write("called.yml", k_called);
  auto called = load(repo, "./.github/workflows/called.yml");
  ASSERT_TRUE(called.has_value()) << called.error().message;
  EXPECT_EQ(called->file, ".github/workflows/called.yml");
  EXPECT_EQ(called->identity, workflow_identity(repo.path("called.yml")));
  ASSERT_NE(called->call, nullptr);
  EXPECT_EQ(called->call->inputs.size(), 4u);
}

TEST(ReusableWorkflow, LoadErrors) {
  Repo repo;
  repo.write("push.yml",
             "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n");
  repo.write("broken.yml",
             "on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
             "    stepz: [{run: x}]\n");
  auto missing = load(repo, "./.github/workflows/nope.yml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message,
            "error parsing called workflow \".github/workflows/ci.yml\" -> "
            "\"./.github/workflows/nope.yml\" : failed to fetch workflow: workflow was not found.");
  EXPECT_EQ(missing.error().location.line, 4);

  auto not_reusable = load(repo, "./.github/workflows/push.yml");
  ASSERT_FALSE(not_reusable.has_value());
  EXPECT_NE(not_reusable.error().message.find(
                "workflow is not reusable as it is missing a `on.workflow_call` trigger"),
            std::string::npos);

  auto broken = load(repo, "./.github/workflows/broken.yml");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().location.file, ".github/workflows/broken.yml");
  EXPECT_GT(broken.error().location.line, 0);

  auto action = load(repo, "./my-action");
  ASSERT_FALSE(action.has_value());
  EXPECT_NE(action.error().message.find("Invalid workflow reference"), std::string::npos);
}

TEST(ReusableWorkflow, CyclesAndDepthAreRefused) {
  Repo repo;
  repo.write("called.yml", k_called);
  std::string self = workflow_identity(repo.path("called.yml"));
  auto cycle = load(repo, "./.github/workflows/called.yml", {"top", self});
  ASSERT_FALSE(cycle.has_value());
  EXPECT_NE(cycle.error().message.find("cycle"), std::string::npos);

  std::vector<std::string> deep;
  for (size_t i = 0; i < k_max_workflow_levels - 1; ++i)
    deep.push_back("level" + std::to_string(i));
  EXPECT_TRUE(load(repo, "./.github/workflows/called.yml", deep).has_value());
  deep.push_back("one-more");
  auto too_deep = load(repo, "./.github/workflows/called.yml", deep);
  ASSERT_FALSE(too_deep.has_value());
  EXPECT_NE(too_deep.error().message.find("this would be level 11, GitHub allows 10"),
            std::string::npos);
}

}  // namespace
}  // namespace pipewright::exec
