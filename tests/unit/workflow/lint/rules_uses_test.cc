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

TEST(RulesUsesTest, UsesSyntax) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout
      - uses: docker://alpine:3
      - uses: checkout@v4
  b:
    uses: ./ci.yml
)");
  EXPECT_THAT(findings(r, "uses"),
              ElementsAre("7:15: 'actions/checkout' is missing '@<ref>' (a tag, branch or commit "
                          "SHA); expected owner/repo@ref, owner/repo/path@ref, ./path or "
                          "docker://image",
                          "9:15: 'checkout@v4' is not a valid action reference; expected "
                          "owner/repo@ref, owner/repo/path@ref, ./path or docker://image",
                          "11:11: './ci.yml' is not a workflow file; expected "
                          "./.github/workflows/<file>.yml"))
      << dump(r);
}

TEST(RulesUsesTest, LocalActionMissingAndInputs) {
  TempRepo repo;
  repo.write(".github/actions/setup/action.yml", R"(name: setup
description: set things up
inputs:
  version:
    description: which
    required: true
  cache:
    description: cache?
    required: false
runs:
  using: composite
  steps:
    - run: echo hi
      shell: bash
)");
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/setup
        with:
          cach: true
      - uses: ./.github/actions/setup
        with:
          version: 3
      - uses: ./.github/actions/missing
)");
  EXPECT_THAT(findings(r, "action-inputs"),
              ElementsAre("6:15: input 'version' is required by action './.github/actions/setup' "
                          "but not given in 'with'",
                          "8:11: input 'cach' is not defined by action './.github/actions/setup' "
                          "(" +
                              repo.root() + "/.github/actions/setup/action.yml)"))
      << dump(r);
  EXPECT_THAT(findings(r, "local-action"),
              ElementsAre("12:15: local action './.github/actions/missing' not found: no "
                          "action.yml or action.yaml in '.github/actions/missing'"))
      << dump(r);
  EXPECT_EQ(r.files_checked, 2u);
}

TEST(RulesUsesTest, ReusableWorkflowCall) {
  TempRepo repo;
  repo.write(".github/workflows/deploy.yml", R"(on:
  workflow_call:
    inputs:
      env:
        type: string
        required: true
      dry-run:
        type: boolean
    secrets:
      token:
        required: true
jobs:
  go:
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  repo.write(".github/workflows/plain.yml",
             "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
             "    steps: [{run: x}]\n");
  auto r = repo.lint(R"(on: push
jobs:
  ok:
    uses: ./.github/workflows/deploy.yml
    with:
      env: prod
      dry-run: true
    secrets: inherit
  bad:
    uses: ./.github/workflows/deploy.yml
    with:
      dry-run: maybe
      region: eu
    secrets:
      tokn: x
  missing:
    uses: ./.github/workflows/nope.yml
  plain:
    uses: ./.github/workflows/plain.yml
)");
  EXPECT_THAT(findings(r, "reusable-workflow"),
              ElementsAre("10:11: input 'env' is required by './.github/workflows/deploy.yml' but "
                          "not provided in 'with'",
                          "10:11: secret 'token' is required by './.github/workflows/deploy.yml' "
                          "but not passed in 'secrets'",
                          "12:16: input 'dry-run' of './.github/workflows/deploy.yml' is a "
                          "boolean, but 'maybe' is given",
                          "13:7: input 'region' is not defined in the called workflow "
                          "'./.github/workflows/deploy.yml'",
                          "15:7: secret 'tokn' is not declared by the called workflow "
                          "'./.github/workflows/deploy.yml'",
                          "17:11: reusable workflow './.github/workflows/nope.yml' not found",
                          "19:11: './.github/workflows/plain.yml' cannot be called: it has no "
                          "'on: workflow_call' trigger"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint

namespace pipewright::workflow::lint {
namespace {

TEST(RulesActionsTest, CompositeActionExpressionsAndShells) {
  testing::TempRepo repo;
  std::string file = repo.write(".github/actions/greet/action.yml", R"(name: greet
description: says hello
inputs:
  who:
    description: whom
runs:
  using: composite
  steps:
    - run: echo "${{ inputs.whom }} ${{ github.event.pull_request.title }}"
      shell: bash
    - id: later
      run: echo ${{ steps.later.outputs.x }}
      shell: fish
)");
  auto r = repo.lint(R"(on: pull_request
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/greet
)");
  std::vector<std::string> got;
  for (const util::Diagnostic& d : r.diagnostics) {
    EXPECT_EQ(d.location.file, file);
    got.push_back(d.rule + " " + std::to_string(d.location.line) + ":" +
                  std::to_string(d.location.column));
  }
  EXPECT_THAT(got, ::testing::ElementsAre("expression-reference 9:29", "script-injection 9:41",
                                          "expression-reference 12:27", "shell 13:14"))
      << testing::dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
