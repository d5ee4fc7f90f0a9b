#include "pipewright/expr/template.h"

#include <gtest/gtest.h>

#include "pipewright/expr/analysis.h"
#include "pipewright/expr/json.h"

namespace pipewright::expr {
namespace {

EvalContext context() {
  EvalContext c;
  c.set("matrix", *parse_json(R"({"os": "linux", "list": [1, 2]})"));
  return c;
}

TEST(Template, PlainTextHasNoExpressions) {
  auto t = Template::parse("just text");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->has_expressions());
  EXPECT_EQ(t->evaluate(context())->as_string(), "just text");
}

TEST(Template, SingleExpressionKeepsItsType) {
  auto t = Template::parse("  ${{ matrix.list }} ");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->is_single_expression());
  EXPECT_EQ(t->evaluate(context())->kind(), Kind::array);
  EXPECT_EQ(Template::parse("${{ 3 }}")->evaluate(context())->as_number(), 3);
}

TEST(Template, MixedTextIsAlwaysAString) {
  auto t = Template::parse("build-${{ matrix.os }}-${{ true }}");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->is_single_expression());
  ASSERT_EQ(t->parts().size(), 4u);
  EXPECT_EQ(t->parts()[1].offset, 6u);
  EXPECT_EQ(t->evaluate(context())->as_string(), "build-linux-true");
  // `true && ${{ false }}` is the non-empty string "true && false".
  EXPECT_TRUE(Template::parse("true && ${{ false }}")->evaluate(context())->truthy());
}

TEST(Template, ExpressionEndsAtFirstCloseOutsideQuotes) {
  auto t = Template::parse("${{ '{{ x }}' }}");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->evaluate(context())->as_string(), "{{ x }}");
  EXPECT_EQ(Template::parse("a ${{ '${{' }} b")->evaluate(context())->as_string(), "a ${{ b");
}

TEST(Template, Errors) {
  auto open = Template::parse("x ${{ matrix.os ");
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("The expression is not closed"), std::string::npos);
  EXPECT_EQ(open.error().expression_offset, 2u);  // the `${{`
  auto bad = Template::parse("ab ${{ 1 2 }}");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::parsing);
  EXPECT_EQ(bad.error().position, 4);            // within " 1 2 "
  EXPECT_EQ(bad.error().expression_offset, 6u);  // where " 1 2 " starts in the scalar
}

TEST(Template, EmptyExpressionsAreRefused) {
  for (std::string_view text : {"${{ }}", "a ${{}} b", "${{ \n }}"}) {
    auto t = Template::parse(text);
    ASSERT_FALSE(t) << text;
    EXPECT_EQ(t.error().message, "An expression was expected");
  }
  EXPECT_FALSE(parse_condition("${{ }}", {}));
  EXPECT_TRUE(parse_condition("", {}));  // an empty `if:` is success()
}

TEST(Template, GitHubExpressionLength) {
  // One expression: itself, trimmed. Text around it: format('…{0}…', e) with ' { } doubled.
  EXPECT_EQ(github_expression_length("${{ github.sha }}"), 10u);
  EXPECT_EQ(github_expression_length(" ${{ github.sha }}"),
            std::string_view("format(' {0}', github.sha)").size());
  EXPECT_EQ(github_expression_length("it's {x} ${{ a }}${{ b }}"),
            std::string_view("format('it''s {{x}} {0}{1}', a, b)").size());
  EXPECT_EQ(github_expression_length("x ${{ a"), std::nullopt);
  // UTF-16 code units, as GitHub counts: "é" is one, "😀" two.
  EXPECT_EQ(github_expression_length("é😀${{ a }}"), std::string_view("format('xyz{0}', a)").size());
}

TEST(Template, TooLongAFormatIsRefused) {
  std::string fits(21000 - std::string_view("format('{0}', a)").size(), 'x');
  EXPECT_TRUE(Template::parse(fits + "${{ a }}"));
  auto over = Template::parse(fits + "x${{ a }}");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message.rfind("Exceeded max expression length 21000", 0), 0u);
  // Text alone is not an expression: no limit.
  EXPECT_TRUE(Template::parse(std::string(30000, 'x')));
}

bool condition(std::string_view text, const EvalContext& c) {
  auto e = parse_condition(text, {.allow_any_named_value = true});
  EXPECT_TRUE(e) << text;
  auto v = evaluate(*e, c);
  EXPECT_TRUE(v) << text;
  return v && v->truthy();
}

TEST(Condition, WrappedInSuccessUnlessAStatusFunctionIsUsed) {
  auto wrapped = parse_condition("true || 'success()'", {});
  ASSERT_TRUE(wrapped);
  EXPECT_TRUE(uses_status_function(*wrapped));  // the wrapper's success()
  EXPECT_EQ(wrapped->root()->kind, NodeKind::logical_and);
  auto kept = parse_condition("vars.x || failure()", {.allow_any_named_value = true});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->root()->kind, NodeKind::logical_or);
  auto empty = parse_condition("  ", {});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->root()->kind, NodeKind::function);
}

// Says whether the implicit success() was added: skip reasons depend on it.
TEST(Condition, CallsStatusFunction) {
  ParseOptions any{.allow_any_named_value = true};
  EXPECT_FALSE(calls_status_function("matrix.toolset == 'gcc'", any));
  EXPECT_FALSE(calls_status_function("${{ 'success()' }}", any));
  EXPECT_FALSE(calls_status_function("", any));
  EXPECT_FALSE(calls_status_function("${{ (", any));  // unparsable
  EXPECT_TRUE(calls_status_function("always() && matrix.x", any));
  EXPECT_TRUE(calls_status_function("${{ failure() }}", any));
}

TEST(Condition, FollowsTheJobStatus) {
  EvalContext c = context();
  EXPECT_TRUE(condition("matrix.os == 'linux'", c));
  EXPECT_TRUE(condition("${{ matrix.os == 'linux' }}", c));
  EXPECT_TRUE(condition("", c));
  c.set_status_hook(
      [](StatusFunction f, const std::vector<std::string>&) -> std::expected<bool, std::string> {
        return f == StatusFunction::failure || f == StatusFunction::always;
      });
  EXPECT_FALSE(condition("matrix.os == 'linux'", c));  // success() is false now
  EXPECT_TRUE(condition("failure() && matrix.os == 'linux'", c));
  EXPECT_TRUE(condition("always()", c));
}

TEST(Condition, MixedTextBecomesAString) {
  EvalContext c = context();
  EXPECT_TRUE(
      condition("${{ false }} && ${{ false }}", c));  // "false && false" is a non-empty string
}

TEST(Condition, ParseErrorsKeepTheirPositions) {
  auto e = parse_condition("github.x == ", {.allow_any_named_value = true});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().position, 10);
  EXPECT_EQ(e.error().expression_offset, 0u);
  auto wrapped = parse_condition("  ${{ a 1 }}", {.allow_any_named_value = true});
  ASSERT_FALSE(wrapped);
  EXPECT_EQ(wrapped.error().position, 4);
  EXPECT_EQ(wrapped.error().expression_offset, 5u);
  auto mixed = parse_condition("x ${{ a }} ${{ b c }}", {.allow_any_named_value = true});
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().position, 4);
  EXPECT_EQ(mixed.error().expression_offset, 14u);
  EXPECT_FALSE(parse_condition("${{ env.x }}", {.named_values = {"github"}}));
}

}  // namespace
}  // namespace pipewright::expr
