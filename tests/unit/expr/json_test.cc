#include "pipewright/expr/json.h"

#include <cmath>

#include <gtest/gtest.h>

namespace pipewright::expr {
namespace {

TEST(Json, ParsesStrictlyKeepingKeyOrder) {
  auto v = parse_json(R"({"b": 1, "a": [true, null, "x"], "B": 2})");
  ASSERT_TRUE(v);
  const Object& o = v->as_object();
  ASSERT_EQ(o.size(), 2u);  // "B" replaces "b" (keys ignore case) and keeps its place
  EXPECT_EQ(o.begin()->first, "b");
  EXPECT_EQ(o.find("b")->as_number(), 2);
  EXPECT_FALSE(parse_json("{'a': 1}"));
  EXPECT_FALSE(parse_json("[1,]"));
  EXPECT_FALSE(parse_json("NaN"));
  EXPECT_FALSE(parse_json(""));
  EXPECT_FALSE(parse_json("1 2"));
}

TEST(Json, NegativeZeroBecomesZero) {
  auto v = parse_json("-0.0");
  ASSERT_TRUE(v);
  EXPECT_FALSE(std::signbit(v->as_number()));
}

TEST(Json, PrettyPrintsLikeTheRunner) {
  auto v = parse_json(R"({"a": [], "b": {}, "c": [1, "two"], "d": 1.5})");
  ASSERT_TRUE(v);
  EXPECT_EQ(
      to_json(*v),
      "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    \"two\"\n  ],\n  \"d\": 1.5\n}");
}

TEST(Json, EscapesControlCharactersQuotesAndLineSeparators) {
  EXPECT_EQ(to_json(Value("a\"b\\c\n\t\x01")), "\"a\\\"b\\\\c\\n\\t\\u0001\"");
  EXPECT_EQ(to_json(Value("\xe2\x80\xa8")), "\"\\u2028\"");
  EXPECT_EQ(to_json(Value("é")), "\"é\"");
}

TEST(Json, Numbers) {
  EXPECT_EQ(to_json(Value(123456789.0)), "123456789");
  EXPECT_EQ(to_json(Value(-0.0)), "0");
  EXPECT_EQ(to_json(Value(0.1)), "0.1");
  EXPECT_EQ(to_json(Value(1.0 / 3)), "0.3333333333333333");  // round-trip, not G15
  EXPECT_EQ(to_json(Value(1e300)), "1E+300");
}

}  // namespace
}  // namespace pipewright::expr
