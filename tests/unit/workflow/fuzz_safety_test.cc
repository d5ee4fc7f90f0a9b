// Deterministic mutation fuzzing of the loaders: any bytes must load without crashing,
// and every failure must come back as a diagnostic with a sane position. (The libFuzzer
// harness in tests/fuzz/ explores further; this keeps a fixed sample in every test run.)
#include <algorithm>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::workflow {
namespace {

constexpr std::string_view k_workflow = R"(name: CI
on:
  push:
    branches: [main]
  workflow_call:
    inputs:
      n: {type: number, default: 1}
env: &env
  A: ${{ github.sha }}
jobs:
  build:
    runs-on: ${{ matrix.os }}
    if: needs.x.result == 'success'
    strategy:
      matrix:
        os: [a, b]
        include: [{os: c, extra: 1}]
    env: *env
    steps:
      - uses: actions/checkout@v4
        with: {fetch-depth: 0}
      - run: |
          echo "${{ hashFiles('**/x') }}"
        shell: bash
)";

constexpr std::string_view k_action = R"(name: a
description: d
inputs:
  x: {default: '${{ github.token }}'}
runs:
  using: composite
  steps:
    - run: echo ${{ inputs.x }}
      shell: bash
)";

std::string mutate(std::string text, std::mt19937& rng) {
  static constexpr std::string_view k_specials = "[]{}:-&*!|>'\"#\n ${}\t\\%?,@`~\xC3\xFF";
  auto pick = [&](size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  int edits = 1 + static_cast<int>(pick(4));
  for (int e = 0; e < edits; ++e) {
    size_t at = pick(text.size() + 1);
    switch (pick(5)) {
      case 0:
        if (at < text.size()) text[at] = static_cast<char>(pick(256));
        break;
      case 1:
        text.insert(at, 1, k_specials[pick(k_specials.size())]);
        break;
      case 2:
        text.erase(at, pick(16));
        break;
      case 3:
        text.insert(at, text.substr(pick(text.size()), pick(64)));
        break;
      default:
        text.resize(std::min(text.size(), at));
        break;
    }
  }
  return text;
}

int line_count(std::string_view text) {
  return 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

void check(const std::vector<util::Diagnostic>& diagnostics, std::string_view text, bool loaded) {
  EXPECT_TRUE(loaded || !diagnostics.empty()) << text;
  for (const util::Diagnostic& d : diagnostics) {
    EXPECT_FALSE(d.message.empty()) << text;
    EXPECT_FALSE(d.rule.empty()) << text;
    EXPECT_GE(d.location.line, 0);
    EXPECT_LE(d.location.line, line_count(text) + 1) << d.message << "\n" << text;
  }
}

TEST(FuzzSafety, MutatedWorkflowsLoadOrFailCleanly) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 3000; ++i) {
    std::string text = mutate(std::string(k_workflow), rng);
    LoadResult result = load_workflow_text(text, "w.yml");
    check(result.diagnostics, text, result.workflow.has_value());
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(FuzzSafety, MutatedActionsLoadOrFailCleanly) {
  std::mt19937 rng(54321);
  for (int i = 0; i < 3000; ++i) {
    std::string text = mutate(std::string(k_action), rng);
    ActionLoadResult result = load_action_text(text, "action.yml");
    check(result.diagnostics, text, result.action.has_value());
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(FuzzSafety, UnmutatedSeedsAreValid) {
  EXPECT_TRUE(load_workflow_text(k_workflow, "w.yml").ok());
  EXPECT_TRUE(load_action_text(k_action, "action.yml").ok());
}

}  // namespace
}  // namespace pipewright::workflow
