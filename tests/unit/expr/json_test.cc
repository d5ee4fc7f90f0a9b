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

// The input may be a secret: an error says what and where in the runner's words, and
// never quotes the input (nlohmann's own message quotes the last bytes read).
TEST(Json, ErrorsSayWhereWithoutQuotingTheInput) {
  auto error = [](std::string_view text) {
    auto parsed = parse_json(text);
    EXPECT_FALSE(parsed) << text;
    return parsed ? std::string() : parsed.error();
  };
  EXPECT_EQ(error(""), "Error reading JToken from JsonReader. Path '', line 0, position 0.");
  EXPECT_EQ(error(" \n "), "Error reading JToken from JsonReader. Path '', line 0, position 0.");
  EXPECT_EQ(error(R"({"pw": "Hx9-inner-pw)"),
            "Unexpected end when reading JSON. Line 1, position 21.");
  EXPECT_EQ(error("[1, tru3-inner-pw2]"),
            "Unexpected character encountered while parsing value. Line 1, position 8.");
  EXPECT_EQ(error("{\n  \"a\": 1,\n  \"b\": x-inner-pw3\n}"),
            "Unexpected character encountered while parsing value. Line 3, position 8.");
  EXPECT_EQ(error("[1] extra-inner-pw4"),
            "Additional text encountered after finished reading JSON content. Line 1, position 5.");
  for (std::string_view text : {R"({"pw": "Hx9-inner-pw)", "[1, tru3-inner-pw2]",
                                "{\"k\": \"inner-pw\xC0\x80\"}", "'inner-pw'"})
    EXPECT_EQ(error(text).find("inner"), std::string::npos) << error(text);
}

// Compact JSON is one line (a field of a one-line --json event or a database record).
TEST(Json, CompactIsOneLine) {
  auto v = parse_json("{\"a\": [1, {\"b\": \"x\\ny\"}], \"c\": {}, \"d\": []}");
  ASSERT_TRUE(v);
  EXPECT_EQ(to_json(*v, JsonStyle::compact), R"({"a":[1,{"b":"x\ny"}],"c":{},"d":[]})");
  EXPECT_EQ(to_json(*v),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x\\ny\"\n    }\n  ],\n"
            "  \"c\": {},\n  \"d\": []\n}");
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

namespace pipewright::expr {
namespace {

// Hostile nesting is refused with a message, never a crash (a 10 MB body of '[' used to
// overflow the stack freeing the parsed value); up to the bound parses.
TEST(JsonDepth, DeepNestingIsRefusedNotACrash) {
  std::string deep = std::string(5'000'000, '[') + std::string(5'000'000, ']');
  auto refused = parse_json(deep);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("MaxDepth of 512"), std::string::npos) << refused.error();
  std::string ok = std::string(k_max_json_depth, '[') + std::string(k_max_json_depth, ']');
  EXPECT_TRUE(parse_json(ok));
  std::string over =
      std::string(k_max_json_depth + 1, '[') + std::string(k_max_json_depth + 1, ']');
  EXPECT_FALSE(parse_json(over));
}

}  // namespace
}  // namespace pipewright::expr
