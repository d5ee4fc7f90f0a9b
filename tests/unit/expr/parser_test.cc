#include "pipewright/expr/parser.h"

#include <string>

#include <gtest/gtest.h>

namespace pipewright::expr {
namespace {

ExprError error_of(std::string_view text, const ParseOptions& options = {}) {
  auto e = parse(text, options);
  EXPECT_FALSE(e) << text;
  return e ? ExprError{} : e.error();
}

TEST(Parser, PrecedenceAndAssociativity) {
  auto e = parse("!a == b && c || d < e", {.named_values = {"a", "b", "c", "d", "e"}});
  ASSERT_TRUE(e);
  const Node* root = e->root();
  ASSERT_EQ(root->kind, NodeKind::logical_or);
  ASSERT_EQ(root->children.size(), 2u);
  const Node* both = root->children[0];
  ASSERT_EQ(both->kind, NodeKind::logical_and);
  EXPECT_EQ(both->children[0]->kind, NodeKind::compare);
  EXPECT_EQ(both->children[0]->children[0]->kind, NodeKind::logical_not);
  EXPECT_EQ(root->children[1]->op, CompareOp::lt);
}

TEST(Parser, LogicalChainsAreOneNode) {
  auto e = parse("1 && 2 && 3 && 4");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->root()->children.size(), 4u);
}

TEST(Parser, PropertyAccessStoresTheKeyAsAStringLiteral) {
  auto e = parse("github.event['x'].*", {.named_values = {"github"}});
  ASSERT_TRUE(e);
  const Node* star = e->root();
  ASSERT_EQ(star->kind, NodeKind::wildcard);
  const Node* index = star->children[0];
  ASSERT_EQ(index->kind, NodeKind::index);
  EXPECT_FALSE(index->dotted);
  EXPECT_EQ(index->children[1]->value.as_string(), "x");
  EXPECT_TRUE(index->children[0]->dotted);
}

TEST(Parser, KeywordsAreCaseSensitiveButPropertyNamesAreAnything) {
  EXPECT_TRUE(parse("a.true.null.format", {.named_values = {"a"}}));
  EXPECT_EQ(error_of("True").message.substr(0, 26), "Unrecognized named-value: ");
}

TEST(Parser, ErrorsUseGitHubTexts) {
  EXPECT_EQ(error_of("1 2").message,
            "Unexpected symbol: '2'. Located at position 3 within expression: 1 2");
  EXPECT_EQ(error_of("1 <").message,
            "Unexpected end of expression: '<'. Located at position 3 within expression: 1 <");
  ExprError lex = error_of("1 = 2");
  EXPECT_EQ(lex.kind, ErrorKind::lexing);
  EXPECT_EQ(lex.position, 3);
  EXPECT_EQ(error_of("nope()").message,
            "Unrecognized function: 'nope'. Located at position 1 within expression: nope()");
  EXPECT_EQ(error_of("join()").message.substr(0, 36), "Too few parameters supplied: 'join'.");
  EXPECT_EQ(error_of("contains(1,2,3)").message.substr(0, 41),
            "Too many parameters supplied: 'contains'.");
  EXPECT_NE(error_of("case(true, 1, false, 2)").message.find("Even number of parameters"),
            std::string::npos);
  EXPECT_EQ(error_of("foo.1", {.named_values = {"foo"}}).position, 5);
}

TEST(Parser, NamedValuesAreCheckedUnlessAnyAreAllowed) {
  EXPECT_FALSE(parse("env.X", {.named_values = {"github"}}));
  EXPECT_TRUE(parse("ENV.X", {.named_values = {"env"}}));
  EXPECT_TRUE(parse("whatever.X", {.allow_any_named_value = true}));
}

TEST(Parser, JobStatusFunctionsTakeJobIdsOnlyWhenAllowed) {
  EXPECT_FALSE(parse("success('build')"));
  EXPECT_TRUE(parse("success('build', 'test')", {.job_status_functions = true}));
  EXPECT_FALSE(parse("cancelled('build')", {.job_status_functions = true}));
}

TEST(Parser, DepthLimit) {
  std::string ok = std::string(49, '!') + "true";
  std::string deep = std::string(50, '!') + "true";
  EXPECT_TRUE(parse(ok));
  ExprError e = error_of(deep);
  EXPECT_EQ(e.message, "Exceeded max expression depth 50");
  EXPECT_EQ(e.position, 0);
  // Parentheses add no depth; absurd nesting is refused without overflowing the stack.
  EXPECT_TRUE(parse(std::string(60, '(') + "1" + std::string(60, ')')));
  EXPECT_EQ(error_of(std::string(10000, '(') + "1" + std::string(10000, ')')).message,
            "Exceeded max expression depth 50");
}

TEST(Parser, LongChainsFailOnDepthWithoutCrashing) {
  std::string props = "a";
  for (int i = 0; i < 9000; ++i)
    props += ".b";
  EXPECT_EQ(error_of(props, {.named_values = {"a"}}).message, "Exceeded max expression depth 50");
  std::string compares = "1";
  for (int i = 0; i < 5000; ++i)
    compares += "==1";
  EXPECT_EQ(error_of(compares).message, "Exceeded max expression depth 50");
}

TEST(Parser, LengthLimit) {
  std::string ok = "'" + std::string(20998, 'x') + "'";
  EXPECT_TRUE(parse(ok));
  EXPECT_EQ(error_of(ok + " ").message, "Exceeded max expression length 21000");
}

TEST(Parser, EmptyIsNull) {
  auto e = parse("  ");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->root()->kind, NodeKind::literal);
  EXPECT_TRUE(e->root()->value.is_null());
}

TEST(Parser, ExpressionsAreMovable) {
  auto e = parse("format('{0}', 'x')");
  ASSERT_TRUE(e);
  Expression moved = std::move(*e);
  EXPECT_EQ(moved.root()->kind, NodeKind::function);
  EXPECT_EQ(moved.text(), "format('{0}', 'x')");
}

}  // namespace
}  // namespace pipewright::expr
