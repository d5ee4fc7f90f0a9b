#include "pipewright/plan/matrix.h"

#include <gtest/gtest.h>

#include "pipewright/expr/json.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::plan {
namespace {

// Loads a one-job workflow whose job has `strategy_yaml` (indented under the job).
workflow::Workflow load(std::string_view strategy_yaml) {
  std::string text = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    strategy:\n" +
                     std::string(strategy_yaml) + "\n    steps:\n      - run: echo\n";
  auto result = workflow::load_workflow_text(text, "ci.yml");
  EXPECT_TRUE(result.workflow.has_value());
  return std::move(*result.workflow);
}

std::vector<MatrixLeg> expand(std::string_view strategy_yaml,
                              const expr::EvalContext& context = {}) {
  auto wf = load(strategy_yaml);
  const workflow::Strategy& strategy = wf.jobs.at(0).strategy;
  auto matrix = evaluate_matrix(strategy, context, "ci.yml");
  EXPECT_TRUE(matrix) << (matrix ? "" : matrix.error().message);
  if (!matrix) return {};
  auto settings = strategy_settings(strategy, context);
  EXPECT_TRUE(settings);
  auto legs = expand_matrix(*matrix, settings ? *settings : StrategySettings{});
  EXPECT_TRUE(legs) << (legs ? "" : legs.error().message);
  return legs ? *legs : std::vector<MatrixLeg>{};
}

std::string expand_error(std::string_view strategy_yaml) {
  auto wf = load(strategy_yaml);
  auto matrix = evaluate_matrix(wf.jobs.at(0).strategy, {}, "ci.yml");
  if (!matrix) return matrix.error().message;
  auto legs = expand_matrix(*matrix, {});
  return legs ? "<no error>" : legs.error().message;
}

// Compact JSON of the legs' values, one per line.
std::string show(const std::vector<MatrixLeg>& legs) {
  std::string out;
  for (const MatrixLeg& leg : legs) {
    std::string json = expr::to_json(leg.values);
    std::string compact;
    bool in_string = false;
    for (char c : json) {
      if (c == '"' && (compact.empty() || compact.back() != '\\')) in_string = !in_string;
      if (!in_string && (c == '\n' || c == ' ')) continue;
      compact += c;
    }
    out += compact + "\n";
  }
  return out;
}

TEST(Matrix, CrossProductFirstKeySlowest) {
  auto legs = expand("      matrix:\n        os: [ubuntu, windows]\n        version: [10, 12, 14]");
  ASSERT_EQ(legs.size(), 6u);
  EXPECT_EQ(show(legs),
            "{\"os\":\"ubuntu\",\"version\":10}\n{\"os\":\"ubuntu\",\"version\":12}\n"
            "{\"os\":\"ubuntu\",\"version\":14}\n{\"os\":\"windows\",\"version\":10}\n"
            "{\"os\":\"windows\",\"version\":12}\n{\"os\":\"windows\",\"version\":14}\n");
  EXPECT_EQ(legs[1].name_suffix, "(ubuntu, 12)");
  EXPECT_EQ(leg_display_name("test", legs[1]), "test (ubuntu, 12)");
  EXPECT_EQ(expr::to_json(legs[4].strategy),
            expr::to_json(*expr::parse_json(
                R"({"fail-fast": true, "job-index": 4, "job-total": 6, "max-parallel": 6})")));
}

TEST(Matrix, YamlScalarsAreTyped) {
  auto legs = expand("      matrix:\n        py: [3.10, '3.10', true, null]");
  ASSERT_EQ(legs.size(), 4u);
  EXPECT_EQ(legs[0].values.member("py")->kind(), expr::Kind::number);
  EXPECT_EQ(legs[0].name_suffix, "(3.1)");  // the famous 3.10 → 3.1
  EXPECT_EQ(legs[1].values.member("py")->as_string(), "3.10");
  EXPECT_EQ(legs[2].values.member("py")->kind(), expr::Kind::boolean);
  EXPECT_TRUE(legs[3].values.member("py")->is_null());
  EXPECT_EQ(legs[3].name_suffix, "");
}

// docs: "Expanding or adding matrix configurations" — 6 jobs.
TEST(Matrix, DocsIncludeExampleGivesSixJobs) {
  auto legs = expand(R"(      matrix:
        fruit: [apple, pear]
        animal: [cat, dog]
        include:
          - color: green
          - color: pink
            animal: cat
          - fruit: apple
            shape: circle
          - fruit: banana
          - fruit: banana
            animal: cat)");
  EXPECT_EQ(show(legs),
            "{\"fruit\":\"apple\",\"animal\":\"cat\",\"color\":\"pink\",\"shape\":\"circle\"}\n"
            "{\"fruit\":\"apple\",\"animal\":\"dog\",\"color\":\"green\",\"shape\":\"circle\"}\n"
            "{\"fruit\":\"pear\",\"animal\":\"cat\",\"color\":\"pink\"}\n"
            "{\"fruit\":\"pear\",\"animal\":\"dog\",\"color\":\"green\"}\n"
            "{\"fruit\":\"banana\"}\n"
            "{\"fruit\":\"banana\",\"animal\":\"cat\"}\n");
  // Names come from the original combination (extras are not part of them).
  EXPECT_EQ(legs[0].name_suffix, "(apple, cat)");
  EXPECT_EQ(legs[5].name_suffix, "(banana, cat)");
}

// docs: "Example: Expanding configurations".
TEST(Matrix, DocsExpandingConfigurations) {
  auto legs = expand(R"(      matrix:
        os: [windows-latest, ubuntu-latest]
        node: [14, 16]
        include:
          - os: windows-latest
            node: 16
            npm: 6)");
  ASSERT_EQ(legs.size(), 4u);
  EXPECT_EQ(legs[1].values.member("npm")->as_number(), 6);
  EXPECT_EQ(legs[0].values.member("npm"), nullptr);
}

TEST(Matrix, ExcludeLooseAndNested) {
  auto legs = expand(R"(      matrix:
        os: [macos, windows, ubuntu]
        version: [12, 14, 16]
        env: [{name: a, level: 1}, {name: b, level: 2}]
        exclude:
          - os: MACOS
          - version: '14'
            env: {level: 2}
        include:
          - os: macos
            version: 12
            env: {name: a})");
  // 18 - 6 (macos) - 2 (version 14 with level 2) = 10, plus the include adds macos back.
  ASSERT_EQ(legs.size(), 11u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_NE(legs[i].values.member("os")->as_string(), "macos");
  }
  EXPECT_EQ(show({legs.back()}), "{\"os\":\"macos\",\"version\":12,\"env\":{\"name\":\"a\"}}\n");
}

TEST(Matrix, IncludeNeverOverwritesOriginalsAndLaterExtrasWin) {
  auto legs = expand(R"(      matrix:
        os: [linux]
        include:
          - os: linux
            flavor: one
          - flavor: two
          - os: windows
            flavor: three)");
  EXPECT_EQ(show(legs),
            "{\"os\":\"linux\",\"flavor\":\"two\"}\n{\"os\":\"windows\",\"flavor\":"
            "\"three\"}\n");
}

TEST(Matrix, IncludeOnly) {
  auto legs = expand(R"(      matrix:
        include:
          - site: production
            datacenter: site-a
          - site: staging
            datacenter: site-b)");
  ASSERT_EQ(legs.size(), 2u);
  EXPECT_EQ(legs[1].name_suffix, "(staging, site-b)");
}

TEST(Matrix, FromJsonMatrixAndStrategySettings) {
  expr::EvalContext context;
  expr::Object outputs;
  outputs.set("m", R"({"node": [18, 20], "include": [{"node": 22, "experimental": true}]})");
  expr::Object job;
  job.set("outputs", expr::Value(std::move(outputs)));
  expr::Object needs;
  needs.set("setup", expr::Value(std::move(job)));
  context.set("needs", expr::Value(std::move(needs)));
  auto legs = expand(
      "      fail-fast: false\n      max-parallel: 2\n"
      "      matrix: ${{ fromJSON(needs.setup.outputs.m) }}",
      context);
  ASSERT_EQ(legs.size(), 3u);
  EXPECT_EQ(legs[2].name_suffix, "(22, true)");
  EXPECT_FALSE(legs[0].strategy.member("fail-fast")->as_bool());
  EXPECT_EQ(legs[0].strategy.member("max-parallel")->as_number(), 2);
  // A vector from an expression inside the mapping.
  auto inner = expand("      matrix:\n        node: ${{ fromJSON('[1, 2, 3]') }}", context);
  EXPECT_EQ(inner.size(), 3u);
}

TEST(Matrix, NoMatrixIsOneLeg) {
  auto legs = expand_matrix(expr::Value(), {});
  ASSERT_TRUE(legs);
  ASSERT_EQ(legs->size(), 1u);
  EXPECT_EQ((*legs)[0].name_suffix, "");
  EXPECT_EQ((*legs)[0].strategy.member("job-total")->as_number(), 1);
}

TEST(Matrix, Errors) {
  EXPECT_EQ(expand_error("      matrix:\n        os: []"),
            "Matrix vector 'os' does not contain any values");
  EXPECT_EQ(expand_error("      matrix:\n        os: [a]\n        exclude:\n          - arch: x"),
            "Matrix exclude key 'arch' does not match any key within the matrix");
  EXPECT_EQ(expand_error("      matrix:\n        os: [a]\n        exclude:\n          - {}"),
            "Matrix exclude filter must not be empty");
  EXPECT_EQ(expand_error("      matrix:\n        os: [a]\n        include:\n          - {}"),
            "Matrix include mapping does not contain any values");
  EXPECT_EQ(expand_error("      matrix: ${{ fromJSON('[1]') }}"),
            "A matrix must be a mapping, got Array");
  auto bad = expand_error("      matrix:\n        os: ['${{ fromJSON(''x'') }}']");
  EXPECT_NE(bad.find("Error"), std::string::npos) << bad;
}

TEST(Matrix, LegLimit) {
  // 16 x 16 = 256 is allowed; one more is not.
  std::string vec = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]";
  auto ok = expand("      matrix:\n        a: " + vec + "\n        b: " + vec);
  EXPECT_EQ(ok.size(), 256u);
  EXPECT_EQ(expand_error("      matrix:\n        a: " + vec + "\n        b: " + vec +
                         "\n        include:\n          - a: 99"),
            "Strategy expansion exceeded 256 results");
}

TEST(Matrix, FilterLegs) {
  auto legs = expand("      matrix:\n        py: ['3.11', '3.12']\n        os: [a, b]");
  auto picked = filter_legs(legs, {{"py", "3.12"}, {"os", "b"}});
  ASSERT_EQ(picked.size(), 1u);
  EXPECT_EQ(picked[0].index, 3u);
  // Repeated keys are alternatives; keys the matrix lacks filter nothing.
  EXPECT_EQ(filter_legs(legs, {{"py", "3.11"}, {"py", "3.12"}, {"os", "a"}}).size(), 2u);
  EXPECT_EQ(filter_legs(legs, {{"nokey", "x"}}).size(), 4u);
  auto single = expand("      matrix:\n        os: [a]");
  EXPECT_EQ(filter_legs(single, {{"py", "3.12"}}).size(), 1u);
}

}  // namespace
}  // namespace pipewright::plan

namespace pipewright::plan {
namespace {

TEST(Matrix, YamlToValueKeepsKeysAsText) {
  auto wf = load("      matrix:\n        cfg: [{3.10: x, true: y}]");
  auto value = evaluate_matrix(wf.jobs.at(0).strategy, {}, "ci.yml");
  ASSERT_TRUE(value);
  const expr::Value& cfg = value->member("cfg")->as_array().at(0);
  EXPECT_NE(cfg.member("3.10"), nullptr);
  EXPECT_NE(cfg.member("true"), nullptr);
}

TEST(Matrix, TemplateErrorHasLocation) {
  auto wf = load("      matrix:\n        os: ['${{ fromJSON(''x'') }}']");
  auto value = evaluate_matrix(wf.jobs.at(0).strategy, {}, "ci.yml");
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().location.file, "ci.yml");
  EXPECT_EQ(value.error().location.line, 7);
}

}  // namespace
}  // namespace pipewright::plan
