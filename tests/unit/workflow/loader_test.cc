#include "pipewright/workflow/loader.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipewright::workflow {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "line:col: message [rule]" for every diagnostic.
std::vector<std::string> findings(const std::vector<util::Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const util::Diagnostic& d : diagnostics)
    out.push_back(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " +
                  d.message + " [" + d.rule + "]");
  return out;
}

std::vector<std::string> load(std::string_view text) {
  return findings(load_workflow_text(text, "w.yml").diagnostics);
}

constexpr std::string_view k_minimal = R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
)";

TEST(Loader, MinimalWorkflowLoadsWithoutDiagnostics) {
  LoadResult r = load_workflow_text(k_minimal, "w.yml");
  EXPECT_THAT(findings(r.diagnostics), IsEmpty());
  ASSERT_TRUE(r.workflow);
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(r.workflow->jobs.size(), 1u);
  const Job& job = r.workflow->jobs[0];
  EXPECT_EQ(job.id.value, "build");
  EXPECT_EQ(job.id.location, (util::Location{"w.yml", 3, 3}));
  ASSERT_EQ(job.runs_on.labels.items.size(), 1u);
  EXPECT_EQ(job.runs_on.labels.items[0].value, "ubuntu-latest");
  ASSERT_EQ(job.steps.size(), 1u);
  EXPECT_EQ(job.steps[0].kind, StepKind::run);
  EXPECT_EQ(job.steps[0].run.value, "echo hi");
  EXPECT_EQ(job.steps[0].run.location, (util::Location{"w.yml", 6, 14}));
  ASSERT_EQ(r.workflow->on.size(), 1u);
  EXPECT_EQ(r.workflow->on[0].name.value, "push");
}

TEST(Loader, SyntaxErrors) {
  EXPECT_THAT(load("on: push\njobs: [\n"), ElementsAre(::testing::HasSubstr("[syntax]")));
}

TEST(Loader, RootMustBeAMapping) {
  EXPECT_THAT(load("- a\n- b\n"),
              ElementsAre("1:1: a workflow must be a mapping, got a sequence [type]"));
  EXPECT_THAT(load("~\n"), ElementsAre("1:1: a workflow must be a mapping, got an empty "
                                       "document [type]"));
}

TEST(Loader, DuplicateKeysAndCaseInsensitiveJobIds) {
  EXPECT_THAT(load(R"(on: push
on: pull_request
jobs:
  my-job:
    runs-on: a
  MY-JOB:
    runs-on: b
)"),
              ElementsAre("2:1: 'on' is already defined [duplicate-key]",
                          "6:3: 'MY-JOB' is already defined [duplicate-key]"));
}

TEST(Loader, UnknownKeySuggestsTheClosestKey) {
  EXPECT_THAT(load(R"(on: push
jobs:
  build:
    runs_on: ubuntu-latest
    steps:
      - run: x
        shel: bash
)"),
              ElementsAre("3:3: jobs.build: missing required key 'runs-on' [required]",
                          "4:5: unknown key 'runs_on' in jobs.build; did you mean \"runs-on\"? "
                          "[unknown-key]",
                          "7:9: unknown key 'shel' in jobs.build.steps[0]; did you mean \"shell\"? "
                          "[unknown-key]"));
}

TEST(Loader, WrongValueTypes) {
  EXPECT_THAT(load(R"(on: push
jobs:
  build:
    name: {a: b}
    runs-on: x
    timeout-minutes: abc
    continue-on-error: maybe
    steps:
      - run: x
        timeout-minutes: ${{ matrix.t }}
)"),
              ElementsAre("4:11: jobs.build.name: expected a string, got a mapping [type]",
                          "6:22: jobs.build.timeout-minutes: expected a number, got 'abc' [type]",
                          "7:24: jobs.build.continue-on-error: expected a boolean, got 'maybe' "
                          "[type]"));
}

TEST(Loader, RequiredKeys) {
  EXPECT_THAT(load("name: x\n"), ElementsAre("1:1: missing required key 'on' [required]",
                                             "1:1: missing required key 'jobs' [required]"));
  EXPECT_THAT(load(R"(on: push
jobs:
  call:
    uses: ./.github/workflows/other.yml
  build:
    runs-on: x
    steps:
      - name: nothing to do
)"),
              ElementsAre("8:9: jobs.build.steps[0]: a step needs `run` or `uses` [required]"));
}

TEST(Loader, RunsOnAndUsesTogetherIsAnError) {
  EXPECT_THAT(load(R"(on: push
jobs:
  call:
    uses: ./x.yml
    runs-on: ubuntu-latest
)"),
              ElementsAre("5:5: unknown key 'runs-on' in jobs.call [unknown-key]"));
}

TEST(Loader, InvalidConstants) {
  EXPECT_THAT(
      load(R"(on:
  pushh:
  pull_request:
    types: [opened, closd]
permissions:
  contents: wirte
  id-token: read
jobs:
  a:
    runs-on: x
    permissions: read-everything
)"),
      ElementsAre(
          "2:3: unknown key 'pushh' in on; did you mean \"push\"? [unknown-key]",
          "4:21: on.pull_request.types[1]: invalid value 'closd'; expected one of: assigned, "
          "unassigned, labeled, unlabeled, opened, edited, closed, reopened, synchronize, "
          "converted_to_draft, locked, unlocked, enqueued, dequeued, milestoned, demilestoned, "
          "ready_for_review, review_requested, review_request_removed, auto_merge_enabled, "
          "auto_merge_disabled, stacked (did you mean \"closed\"?) [invalid-value]",
          "6:13: permissions.contents: invalid value 'wirte'; expected one of: read, write, none "
          "(did you mean \"write\"?) [invalid-value]",
          "7:13: permissions.id-token: invalid value 'read'; expected one of: write, none "
          "[invalid-value]",
          "11:18: jobs.a.permissions: invalid value 'read-everything'; expected one of: "
          "read-all, write-all [invalid-value]"));
}

TEST(Loader, EventNamesInStringAndListForms) {
  EXPECT_THAT(load("on: [push, pul_request]\njobs: {a: {runs-on: x}}\n"),
              ElementsAre(::testing::StartsWith("1:12: on[1]: invalid value 'pul_request'")));
  EXPECT_THAT(load("on: psh\njobs: {a: {runs-on: x}}\n"),
              ElementsAre(::testing::StartsWith("1:5: on: invalid value 'psh'")));
}

TEST(Loader, ExpressionSyntaxErrorsPointInsideTheScalar) {
  EXPECT_THAT(load(R"(on: push
jobs:
  build:
    runs-on: x
    steps:
      - run: echo ${{ github.sha ) }}
      - run: 'echo ${{ 1 == }}'
      - run: |
          echo ok
          echo ${{ a.b.(c }}
      - run: echo ${{ never closed
        if: success( ||
)"),
              ElementsAre(::testing::StartsWith("6:34: Unexpected symbol: ')'"),
                          ::testing::StartsWith("7:26: Unexpected end of expression"),
                          ::testing::StartsWith("10:24: Unexpected symbol: '('"),
                          ::testing::StartsWith("11:19: The expression is not closed"),
                          ::testing::StartsWith("12:22: Unexpected symbol: '||'")));
}

TEST(Loader, StatusFunctionsTakeJobIdsOnlyAtJobLevel) {
  EXPECT_THAT(load(R"(on: push
jobs:
  build:
    if: failure('lint') || success()
    runs-on: x
    steps:
      - run: echo
        if: success('lint')
)"),
              ElementsAre(::testing::StartsWith("8:13: Too many parameters supplied: 'success'")));
}

TEST(Loader, ExpressionsAreNotAllowedInUsesOrIds) {
  EXPECT_THAT(
      load(R"(on: push
jobs:
  build:
    runs-on: x
    steps:
      - uses: actions/checkout@${{ matrix.v }}
        id: ${{ x }}
)"),
      ElementsAre("6:15: expressions are not allowed here (jobs.build.steps[0].uses) [expression]",
                  "7:13: expressions are not allowed here (jobs.build.steps[0].id) [expression]"));
}

TEST(Loader, ExpressionsStandInForStructuredValues) {
  EXPECT_THAT(load(R"(on: push
jobs:
  build:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix: ${{ fromJSON(needs.a.outputs.m) }}
    env: ${{ fromJSON('{}') }}
    timeout-minutes: ${{ inputs.t }}
    steps:
      - uses: a/b@v1
        with: ${{ x }}
)"),
              IsEmpty());
}

TEST(Loader, ExpressionSitesCarryTheirKeyKind) {
  LoadResult r = load_workflow_text(R"(on: push
env:
  A: ${{ secrets.X }}
jobs:
  build:
    if: github.ref == 'refs/heads/main'
    runs-on: ${{ matrix.os }}
    outputs:
      o: ${{ steps.s.outputs.v }}
    steps:
      - id: s
        if: ${{ always() }}
        run: echo ${{ github.sha }}
      - uses: a/b@v1
        with:
          x: ${{ hashFiles('a') }}
)",
                                    "w.yml");
  ASSERT_THAT(findings(r.diagnostics), IsEmpty());
  const auto& sites = r.workflow->expressions;
  ASSERT_EQ(sites.size(), 7u);
  EXPECT_EQ(sites[0].key, KeyKind::workflow_env);
  EXPECT_EQ(sites[0].path, "env.A");
  EXPECT_EQ(sites[1].key, KeyKind::job_if);
  EXPECT_TRUE(sites[1].is_condition);
  EXPECT_NE(sites[1].condition, nullptr);
  EXPECT_EQ(sites[1].tmpl, nullptr);  // no `${{ }}` in the text
  EXPECT_EQ(sites[2].key, KeyKind::strategy_context);
  EXPECT_EQ(sites[3].key, KeyKind::runner_context);
  EXPECT_EQ(sites[4].key, KeyKind::step_if);
  EXPECT_NE(sites[4].tmpl, nullptr);
  EXPECT_EQ(sites[5].key, KeyKind::steps_context);
  EXPECT_EQ(sites[5].location, (util::Location{"w.yml", 13, 14}));
  // The model's Text shares the site's template.
  EXPECT_EQ(r.workflow->jobs[0].steps[0].run.tmpl, sites[5].tmpl);
  EXPECT_TRUE(r.workflow->jobs[0].steps[0].run.has_expressions());
  EXPECT_EQ(context_rule(sites[4].key).functions.size(), 5u);
  EXPECT_EQ(sites[6].key, KeyKind::steps_context);
  EXPECT_EQ(sites[6].path, "jobs.build.steps[1].with.x");
}

TEST(Loader, BuildsTheWholeModel) {
  LoadResult r = load_workflow_text(R"(name: CI
run-name: Deploy by ${{ github.actor }}
on:
  push:
    branches: [main, 'release/**']
    paths-ignore: docs/**
  schedule:
    - cron: '0 3 * * *'
      timezone: Europe/Paris
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [a, b]
        default: a
  workflow_call:
    inputs:
      n:
        type: number
        required: true
    secrets:
      token:
    outputs:
      out:
        value: ${{ jobs.a.outputs.x }}
permissions: read-all
concurrency:
  group: ci-${{ github.ref }}
  cancel-in-progress: true
defaults:
  run:
    shell: bash
env:
  Z: 1
  A: 2
jobs:
  lint:
    runs-on: [self-hosted, linux]
    environment:
      name: prod
      url: https://x
    container: node:20
    services:
      db:
        image: postgres:15
        ports: ['5432:5432']
        env:
          POSTGRES_PASSWORD: pw
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix:
        py: ['3.11', '3.12']
    timeout-minutes: 30
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - run: make lint
        shell: bash
        working-directory: src
        continue-on-error: true
  test:
    needs: lint
    runs-on:
      group: big
      labels: linux
    steps:
      - run: make test
  call:
    needs: [lint, test]
    uses: ./.github/workflows/reuse.yml
    secrets: inherit
    with:
      n: 3
)",
                                    "w.yml");
  ASSERT_THAT(findings(r.diagnostics), IsEmpty());
  const Workflow& w = *r.workflow;
  EXPECT_EQ(w.name.value, "CI");
  EXPECT_TRUE(w.run_name.has_expressions());
  ASSERT_EQ(w.on.size(), 4u);
  const Event* push = w.find_event("push");
  ASSERT_NE(push, nullptr);
  ASSERT_EQ(push->branches.items.size(), 2u);
  EXPECT_EQ(push->branches.items[1].value, "release/**");
  ASSERT_EQ(push->paths_ignore.items.size(), 1u);
  EXPECT_FALSE(push->tags.present());
  const Event* schedule = w.find_event("schedule");
  ASSERT_EQ(schedule->schedule.size(), 1u);
  EXPECT_EQ(schedule->schedule[0].cron.value, "0 3 * * *");
  EXPECT_EQ(schedule->schedule[0].timezone.value, "Europe/Paris");
  const Event* dispatch = w.find_event("workflow_dispatch");
  ASSERT_EQ(dispatch->inputs.size(), 1u);
  EXPECT_EQ(dispatch->inputs[0].input_type, InputType::choice);
  EXPECT_EQ(dispatch->inputs[0].options.items.size(), 2u);
  const Event* call = w.find_event("workflow_call");
  ASSERT_EQ(call->inputs.size(), 1u);
  EXPECT_EQ(call->inputs[0].required.value, std::optional<bool>(true));
  ASSERT_EQ(call->secrets.size(), 1u);
  EXPECT_EQ(call->secrets[0].id.value, "token");
  ASSERT_EQ(call->outputs.size(), 1u);
  EXPECT_TRUE(call->outputs[0].value.has_expressions());
  EXPECT_EQ(w.permissions.shorthand, PermissionShorthand::read_all);
  EXPECT_EQ(w.concurrency.cancel_in_progress.value, std::optional<bool>(true));
  EXPECT_EQ(w.defaults.shell.value, "bash");
  ASSERT_EQ(w.env.entries.size(), 2u);
  EXPECT_EQ(w.env.entries[0].first.value, "Z");  // file order kept
  EXPECT_EQ(w.env.find("A")->value, "2");

  ASSERT_EQ(w.jobs.size(), 3u);
  const Job& lint = w.jobs[0];
  EXPECT_EQ(lint.runs_on.labels.items.size(), 2u);
  EXPECT_EQ(lint.environment.name.value, "prod");
  EXPECT_EQ(lint.environment.url.value, "https://x");
  EXPECT_EQ(lint.container.image.value, "node:20");
  ASSERT_EQ(lint.services.size(), 1u);
  EXPECT_EQ(lint.services[0].id.value, "db");
  EXPECT_EQ(lint.services[0].ports.items[0].value, "5432:5432");
  EXPECT_EQ(lint.services[0].env.find("POSTGRES_PASSWORD")->value, "pw");
  EXPECT_EQ(lint.strategy.fail_fast.value, std::optional<bool>(false));
  EXPECT_EQ(lint.strategy.max_parallel.value, std::optional<double>(2));
  ASSERT_NE(lint.strategy.matrix, nullptr);
  EXPECT_EQ(lint.strategy.matrix->find("py")->items.size(), 2u);
  EXPECT_EQ(lint.timeout_minutes.value, std::optional<double>(30));
  ASSERT_EQ(lint.permissions.scopes.size(), 1u);
  EXPECT_EQ(lint.permissions.scopes[0].level, PermissionLevel::write);
  ASSERT_EQ(lint.steps.size(), 2u);
  EXPECT_EQ(lint.steps[0].kind, StepKind::uses);
  EXPECT_EQ(lint.steps[0].with.find("fetch-depth")->value, "0");
  EXPECT_EQ(lint.steps[1].shell.value, "bash");
  EXPECT_EQ(lint.steps[1].working_directory.value, "src");
  EXPECT_EQ(lint.steps[1].continue_on_error.value, std::optional<bool>(true));
  const Job* test = w.find_job("TEST");
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->needs.items[0].value, "lint");
  EXPECT_EQ(test->runs_on.group.value, "big");
  EXPECT_EQ(test->runs_on.labels.items[0].value, "linux");
  const Job& caller = w.jobs[2];
  EXPECT_TRUE(caller.is_reusable_call());
  EXPECT_TRUE(caller.secrets_inherit);
  EXPECT_EQ(caller.needs.items.size(), 2u);
  EXPECT_EQ(caller.with.find("n")->value, "3");
}

TEST(Loader, AnchorsAndAliasesInWorkflows) {
  LoadResult r = load_workflow_text(R"(on: push
jobs:
  a:
    runs-on: x
    env: &env
      K: ${{ github.sha }}
    steps: &steps
      - run: echo
  b:
    runs-on: x
    env: *env
    steps: *steps
)",
                                    "w.yml");
  ASSERT_THAT(findings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.workflow->jobs[1].env.find("K")->value, "${{ github.sha }}");
  EXPECT_EQ(r.workflow->jobs[1].steps.size(), 1u);
  EXPECT_EQ(r.workflow->expressions.size(), 2u);  // one per use
}

TEST(Loader, ArbitraryBytesAreSafe) {
  std::string bytes;
  for (int i = 0; i < 4096; ++i)
    bytes += static_cast<char>((i * 7919) % 256);
  LoadResult r = load_workflow_text(bytes, "w.yml");
  EXPECT_FALSE(r.ok());
  ActionLoadResult a = load_action_text(bytes, "action.yml");
  EXPECT_FALSE(a.ok());
  for (std::string_view text : {"on:", "jobs:", "jobs: {a: [1]}", "on: {push: [1]}",
                                "jobs: {a: {steps: {}}}", "on: push\njobs:\n  a:\n    steps: [[]]"})
    EXPECT_FALSE(load_workflow_text(text, "w.yml").ok()) << text;
}

TEST(Loader, FilesAreReadWithinTheLimit) {
  LoadResult missing = load_workflow("/nonexistent/dir/w.yml");
  ASSERT_EQ(missing.diagnostics.size(), 1u);
  EXPECT_EQ(missing.diagnostics[0].rule, "io");

  auto path = std::filesystem::temp_directory_path() / "pw_loader_test_big.yml";
  {
    std::ofstream out(path);
    out << "on: push\n# " << std::string(2u << 20, 'x') << "\n";
  }
  LoadResult big = load_workflow(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(big.diagnostics.size(), 1u);
  EXPECT_EQ(big.diagnostics[0].rule, "limits");
}

TEST(ActionLoader, CompositeAction) {
  ActionLoadResult r = load_action_text(R"(name: Setup
description: Sets things up
inputs:
  version:
    description: Which one
    required: true
    default: '1.0'
  old:
    deprecationMessage: use version
outputs:
  path:
    description: Where
    value: ${{ steps.s.outputs.path }}
runs:
  using: composite
  steps:
    - id: s
      run: echo path=/x >> $GITHUB_OUTPUT
      shell: bash
    - uses: actions/cache@v4
      with:
        key: ${{ inputs.version }}
branding:
  icon: box
  color: blue
)",
                                        "action.yml");
  ASSERT_THAT(findings(r.diagnostics), IsEmpty());
  const Action& a = *r.action;
  EXPECT_EQ(a.name.value, "Setup");
  ASSERT_EQ(a.inputs.size(), 2u);
  EXPECT_EQ(a.inputs[0].default_value.value, "1.0");
  EXPECT_EQ(a.inputs[1].deprecation_message.value, "use version");
  ASSERT_EQ(a.outputs.size(), 1u);
  EXPECT_TRUE(a.outputs[0].value.has_expressions());
  EXPECT_EQ(a.runs.using_kind, ActionUsing::composite);
  ASSERT_EQ(a.runs.steps.size(), 2u);
  EXPECT_EQ(a.runs.steps[1].kind, StepKind::uses);
  EXPECT_EQ(a.branding_icon.value, "box");
  ASSERT_EQ(a.expressions.size(), 2u);
  EXPECT_EQ(a.expressions[0].key, KeyKind::action_output_value);
  EXPECT_EQ(a.expressions[1].key, KeyKind::action_step);
}

TEST(ActionLoader, StructuralErrors) {
  EXPECT_THAT(findings(load_action_text(R"(name: x
descripton: y
runs:
  using: node8
  steps:
    - run: echo
)",
                                        "action.yml")
                           .diagnostics),
              ElementsAre("1:1: missing key 'description' (the docs require it; GitHub's "
                          "runner does not) [required]",
                          "2:1: unknown key 'descripton'; did you mean \"description\"? "
                          "(GitHub's runner ignores it) [unknown-key]",
                          "4:10: runs.using: invalid value 'node8'; expected one of: composite, "
                          "node12, node16, node20, node24, docker [invalid-value]",
                          "6:7: runs.steps[0]: missing required key 'shell' [required]"));
}

// The runner's loose action.yml schema: no name or description, unknown keys at the top
// and in inputs are warnings only, so the action loads and runs.
TEST(ActionLoader, LooseLikeTheRunner) {
  ActionLoadResult r = load_action_text(R"(inputs:
  who:
    type: string
    default: me
x-internal: true
runs:
  using: composite
  steps:
    - run: echo hi
      shell: bash
)",
                                        "action.yml");
  EXPECT_TRUE(r.ok());
  ASSERT_TRUE(r.action);
  EXPECT_EQ(r.action->inputs.at(0).default_value.value, "me");
  std::vector<util::Severity> severities;
  for (const util::Diagnostic& d : r.diagnostics)
    severities.push_back(d.severity);
  EXPECT_THAT(severities, Each(util::Severity::warning));
  EXPECT_THAT(findings(r.diagnostics),
              ElementsAre("1:1: missing key 'name' (the docs require it; GitHub's runner does "
                          "not) [required]",
                          "1:1: missing key 'description' (the docs require it; GitHub's runner "
                          "does not) [required]",
                          "3:5: unknown key 'type' in inputs.who (GitHub's runner ignores it) "
                          "[unknown-key]",
                          "5:1: unknown key 'x-internal' (GitHub's runner ignores it) "
                          "[unknown-key]"));
  // runs and runs.using stay required.
  EXPECT_FALSE(load_action_text("name: n\n", "action.yml").ok());
  EXPECT_FALSE(load_action_text("runs:\n  main: x.js\n", "action.yml").ok());
}

TEST(ActionLoader, EachKindNeedsItsEntryPoint) {
  auto load_action_findings = [](std::string_view runs) {
    return findings(
        load_action_text("name: n\ndescription: d\nruns:\n" + std::string(runs), "action.yml")
            .diagnostics);
  };
  EXPECT_THAT(load_action_findings("  using: node20\n"),
              ElementsAre("4:10: runs: a 'node20' action needs 'main' [required]"));
  EXPECT_THAT(load_action_findings("  using: docker\n"),
              ElementsAre("4:10: runs: a 'docker' action needs 'image' [required]"));
  EXPECT_THAT(load_action_findings("  using: composite\n"),
              ElementsAre("4:10: runs: a 'composite' action needs 'steps' [required]"));
  EXPECT_THAT(load_action_findings("  using: composite\n  steps: []\n"), IsEmpty());
}

// ${{ insert }} is accepted as a key of mappings of strings that take expressions, and
// refused where GitHub's template reader refuses it (no expressions allowed there).
TEST(Loader, InsertDirective) {
  EXPECT_THAT(load("on: push\nenv:\n  A: a\n  ${{ insert }}: ${{ fromJSON(vars.X) }}\n"
                   "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: ./a\n        with:\n"
                   "          ${{insert}}: ${{ fromJSON('{}') }}\n"),
              IsEmpty());
  EXPECT_THAT(load("on: push\njobs:\n  a:\n    runs-on: x\n    ${{ insert }}: ${{ vars.X }}\n"
                   "    steps:\n      - run: echo\n"),
              ElementsAre("5:5: the ${{ insert }} directive is not allowed here (jobs.a) "
                          "[expression]"));
  EXPECT_TRUE(is_insert_directive(" ${{ insert }} "));
  EXPECT_FALSE(is_insert_directive("${{ inserts }}"));
  EXPECT_FALSE(is_insert_directive("insert"));
}

TEST(Loader, EmptyOnIsAnError) {
  EXPECT_THAT(
      load("on:\njobs: {a: {runs-on: x}}\n"),
      ElementsAre("1:1: on: expected a string or a sequence or a mapping, got null [type]"));
}

TEST(ActionLoader, NodeAndDockerActions) {
  ActionLoadResult node = load_action_text(
      "name: n\ndescription: d\nruns:\n  using: node20\n  main: dist/index.js\n  post: p.js\n"
      "  post-if: always()\n",
      "action.yml");
  ASSERT_THAT(findings(node.diagnostics), IsEmpty());
  EXPECT_EQ(node.action->runs.using_kind, ActionUsing::node20);
  EXPECT_EQ(node.action->runs.post_if.value, "always()");
  ActionLoadResult docker = load_action_text(
      "name: n\ndescription: d\nruns:\n  using: docker\n  image: Dockerfile\n"
      "  args: ['${{ inputs.x }}']\n  env:\n    A: b\n",
      "action.yml");
  ASSERT_THAT(findings(docker.diagnostics), IsEmpty());
  EXPECT_EQ(docker.action->runs.args.items.size(), 1u);
  EXPECT_EQ(docker.action->runs.env.find("A")->value, "b");
}

}  // namespace
}  // namespace pipewright::workflow
