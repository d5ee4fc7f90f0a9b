#include "pipewright/expr/analysis.h"

#include <gtest/gtest.h>

namespace pipewright::expr {
namespace {

Expression parsed(std::string_view text) {
  auto e = parse(text, {.allow_any_named_value = true});
  EXPECT_TRUE(e) << text;
  return std::move(*e);
}

TEST(Analysis, ContextReferencesWithStaticPaths) {
  auto refs = context_references(parsed("github.event.pull_request.title == env['X'] && matrix"));
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].context, "github");
  EXPECT_EQ(refs[0].path, (std::vector<std::string>{"event", "pull_request", "title"}));
  EXPECT_EQ(refs[0].position, 1);
  EXPECT_EQ(refs[1].context, "env");
  EXPECT_EQ(refs[1].path, std::vector<std::string>{"X"});
  EXPECT_EQ(refs[1].position, 36);
  EXPECT_TRUE(refs[2].path.empty());
}

TEST(Analysis, PathsStopAtDynamicIndexesAndWildcards) {
  auto refs = context_references(parsed("steps[inputs.name].outputs.x"));
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].context, "steps");
  EXPECT_TRUE(refs[0].path.empty());
  EXPECT_EQ(refs[1].context, "inputs");
  EXPECT_EQ(refs[1].path, std::vector<std::string>{"name"});
  auto star = context_references(parsed("github.event.commits.*.id"));
  ASSERT_EQ(star.size(), 1u);
  EXPECT_EQ(star[0].path, (std::vector<std::string>{"event", "commits", "*"}));
}

TEST(Analysis, ReferencesInsideFunctionArguments) {
  auto refs = context_references(parsed("format('{0}', fromJSON(needs.a.outputs.m)[0])"));
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].context, "needs");
  EXPECT_EQ(refs[0].path, (std::vector<std::string>{"a", "outputs", "m"}));
}

TEST(Analysis, FunctionCalls) {
  auto calls = function_calls(parsed("contains(toJSON(x), 'a') || hashFiles('a', 'b')"));
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].name, "contains");
  EXPECT_EQ(calls[0].arguments, 2u);
  EXPECT_EQ(calls[1].name, "toJSON");
  EXPECT_EQ(calls[1].position, 10);
  EXPECT_EQ(calls[2].name, "hashFiles");
}

TEST(Analysis, StatusFunctions) {
  EXPECT_FALSE(uses_status_function(parsed("true || 'success()'")));
  EXPECT_TRUE(uses_status_function(parsed("vars.foo || success()")));
  EXPECT_TRUE(uses_status_function(parsed("format('{0}', ALWAYS())")));
}

}  // namespace
}  // namespace pipewright::expr
