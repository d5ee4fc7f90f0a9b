#include "pipewright/expr/evaluator.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "pipewright/expr/json.h"

namespace pipewright::expr {
namespace {

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_context.set("github", *parse_json(R"({"event_name": "push", "ref": "refs/tags/v1",
        "event": {"commits": [{"id": "a", "files": ["x", "y"]}, {"id": "b", "files": ["z"]}]}})"));
    m_context.set("matrix", *parse_json(R"({"os": "linux", "n": 3})"));
  }

  std::expected<Value, ExprError> eval(std::string_view text) {
    auto e = parse(text, {.named_values = {"github", "matrix"}});
    if (!e) return std::unexpected(e.error());
    return evaluate(*e, m_context);
  }
  std::string str(std::string_view text) {
    auto v = eval(text);
    EXPECT_TRUE(v) << text << ": " << (v ? "" : v.error().message);
    return v ? v->to_display_string() : "<error>";
  }
  std::string json(std::string_view text) {
    auto v = eval(text);
    EXPECT_TRUE(v) << text;
    return v ? to_json(*v) : "<error>";
  }

  EvalContext m_context;
};

TEST_F(EvaluatorTest, TypicalConditions) {
  EXPECT_EQ(str("github.event_name == 'push' && contains(github.ref, 'refs/tags/')"), "true");
  EXPECT_EQ(str("GITHUB.EVENT_NAME == 'PUSH'"), "true");
  EXPECT_EQ(str("matrix.n > 2 && 'big' || 'small'"), "big");
  EXPECT_EQ(str("matrix.missing.deeper"), "");
}

TEST_F(EvaluatorTest, AndOrReturnTheDecidingOperand) {
  EXPECT_EQ(str("true && 'a' && 'b'"), "b");
  EXPECT_EQ(json("false || ''"), "\"\"");
  EXPECT_EQ(json("null && matrix"), "null");
}

TEST_F(EvaluatorTest, WildcardsMapAndFlatten) {
  EXPECT_EQ(json("github.event.commits.*.id"), "[\n  \"a\",\n  \"b\"\n]");
  EXPECT_EQ(json("github.event.commits.*.files.*"), "[\n  \"x\",\n  \"y\",\n  \"z\"\n]");
  EXPECT_EQ(json("github.event.commits[*].nope"), "[]");
  EXPECT_EQ(str("contains(github.event.commits.*.id, 'B')"), "true");
}

TEST_F(EvaluatorTest, Format) {
  EXPECT_EQ(str("format('{0}-{{x}}-{1}', 'a', 1.5)"), "a-{x}-1.5");
  EXPECT_EQ(str("format(null)"), "");
  auto bad = eval("format('{0}}', 1)");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::evaluation);
  EXPECT_EQ(bad.error().message, "The following format string is invalid: {0}}");
  EXPECT_EQ(eval("format('{1}', 1)").error().message,
            "The following format string references more arguments than were supplied: {1}");
  EXPECT_FALSE(eval("format('{0:x}', 1)"));
}

TEST_F(EvaluatorTest, JoinContainsStartsEnds) {
  EXPECT_EQ(str("join(github.event.commits.*.id)"), "a,b");
  EXPECT_EQ(str("join(github.event.commits.*.id, null)"), "ab");
  EXPECT_EQ(str("contains(fromJSON('[0]'), false)"), "true");
  EXPECT_EQ(str("startsWith('1234', 12)"), "true");
  EXPECT_EQ(str("endsWith(github, 'x')"), "false");
}

TEST_F(EvaluatorTest, JsonRoundTrip) {
  EXPECT_EQ(json("fromJSON('{\"a\": [1, {}], \"b\": -0}')"),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": 0\n}");
  EXPECT_EQ(str("toJSON(matrix)"), "{\n  \"os\": \"linux\",\n  \"n\": 3\n}");
  auto bad = eval("fromJSON('{')");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::evaluation);
}

TEST_F(EvaluatorTest, Case) {
  EXPECT_EQ(str("case(matrix.os == 'windows', 'w', matrix.os == 'linux', 'l', 'other')"), "l");
  EXPECT_EQ(str("case(false, 'a', 'default')"), "default");
  EXPECT_EQ(eval("case('x', 1, 2)").error().message,
            "case predicate must evaluate to a boolean value");
}

TEST_F(EvaluatorTest, StatusFunctionsUseTheHook) {
  EXPECT_EQ(str("success() && !failure() && !cancelled() && always()"), "true");
  std::vector<std::string> seen;
  m_context.set_status_hook(
      [&](StatusFunction f,
          const std::vector<std::string>& ids) -> std::expected<bool, std::string> {
        seen = ids;
        return f == StatusFunction::failure;
      });
  EXPECT_EQ(str("failure()"), "true");
  EXPECT_EQ(str("success()"), "false");
  auto e = parse("failure('build')", {.job_status_functions = true});
  ASSERT_TRUE(e);
  EXPECT_TRUE(evaluate(*e, m_context)->as_bool());
  EXPECT_EQ(seen, std::vector<std::string>{"build"});
}

TEST_F(EvaluatorTest, HashFilesGoesThroughTheHook) {
  EXPECT_FALSE(eval("hashFiles('x')"));  // no hook: an evaluation error
  std::vector<std::string> patterns;
  bool follow = false;
  m_context.set_hash_files_hook(
      [&](const std::vector<std::string>& p, bool f) -> std::expected<std::string, std::string> {
        patterns = p;
        follow = f;
        return "abc";
      });
  EXPECT_EQ(str("hashFiles('--follow-symbolic-links', '**/x', 'y')"), "abc");
  EXPECT_TRUE(follow);
  EXPECT_EQ(patterns, (std::vector<std::string>{"**/x", "y"}));
  auto bad = eval("hashFiles('--nope', 'x')");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("--nope"), std::string::npos);
}

TEST_F(EvaluatorTest, MemoryLimit) {
  // Two results of 300,000 characters (600 KB as UTF-16) alive at once exceed the runner's 1 MB.
  std::string big = "format('{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}', '" +
                    std::string(5000, 'x') + "'))";
  EXPECT_TRUE(eval(big));
  auto e = eval("startsWith(" + big + ", " + big + ")");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("The maximum allowed memory size was exceeded"),
            std::string::npos);
}

TEST_F(EvaluatorTest, FromJsonCountsItsTextBeforeParsing) {
  // A text over the memory limit is refused before it is parsed (the runner counts the
  // argument string first), so its tree is never built: the error is the memory
  // limit's, even when the text is not JSON.
  Object event;
  event.set("big", Value("[" + std::string(600 * 1000, '0')));  // 1.2 MB as UTF-16
  Object github;
  github.set("event", Value(std::move(event)));
  m_context.set("github", Value(std::move(github)));
  auto e = eval("fromJSON(github.event.big)");
  ASSERT_FALSE(e);
  EXPECT_NE(
      e.error().message.find("The maximum allowed memory size was exceeded while "
                             "evaluating the following expression: fromJSON(github.event.big)"),
      std::string::npos)
      << e.error().message;
  // Within the limit it parses as before.
  EXPECT_EQ(json("fromJSON('[1, 2]')"), "[\n  1,\n  2\n]");
}

}  // namespace
}  // namespace pipewright::expr
