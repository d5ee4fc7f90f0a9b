#include "pipewright/expr/value.h"

#include <cmath>

#include <gtest/gtest.h>

#include "pipewright/expr/casefold.h"

namespace pipewright::expr {
namespace {

TEST(Value, NumberFormattingIsDotNetG15) {
  EXPECT_EQ(format_number(0.84551240822557006), "0.84551240822557");
  EXPECT_EQ(format_number(120), "120");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(1e21), "1E+21");
  EXPECT_EQ(format_number(1.5e-7), "1.5E-07");
  EXPECT_EQ(format_number(0.0001), "0.0001");
  EXPECT_EQ(format_number(0.00012345), "0.00012345");
  EXPECT_EQ(format_number(1e-5), "1E-05");
  EXPECT_EQ(format_number(123456789012345.0), "123456789012345");
  EXPECT_EQ(format_number(1e15), "1E+15");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.3");
  EXPECT_EQ(format_number(NAN), "NaN");
  EXPECT_EQ(format_number(-INFINITY), "-Infinity");
}

TEST(Value, StringToNumber) {
  EXPECT_EQ(parse_number(""), 0);
  EXPECT_EQ(parse_number("  "), 0);
  EXPECT_EQ(parse_number(" 0xff "), 255);
  EXPECT_TRUE(std::isnan(parse_number("0XFF")));  // the runner wants a lowercase x
  EXPECT_EQ(parse_number("0o10"), 8);
  EXPECT_EQ(parse_number(" -1.5e1 "), -15);
  EXPECT_EQ(parse_number("1."), 1);
  EXPECT_TRUE(std::isinf(parse_number(" -Infinity")));
  EXPECT_TRUE(std::isnan(parse_number("1,000")));
  EXPECT_TRUE(std::isnan(parse_number("infinity")));
  EXPECT_EQ(parse_number("0xffffffff"), -1);  // Convert.ToInt32 reinterprets 32 bits
  EXPECT_TRUE(std::isnan(parse_number("0x100000000")));
}

TEST(Value, Truthiness) {
  for (const Value& falsy : {Value(), Value(false), Value(0.0), Value(-0.0), Value(NAN), Value("")})
    EXPECT_FALSE(falsy.truthy());
  for (const Value& truthy :
       {Value("false"), Value("0"), Value(" "), Value(Array()), Value(Object())})
    EXPECT_TRUE(truthy.truthy());
}

TEST(Value, LooseEquality) {
  EXPECT_TRUE(loose_equals(Value("0"), Value()));
  EXPECT_TRUE(loose_equals(Value("  "), Value(0.0)));
  EXPECT_TRUE(loose_equals(Value(" 0xff "), Value(255.0)));
  EXPECT_FALSE(loose_equals(Value("false"), Value()));
  EXPECT_FALSE(loose_equals(Value(Array()), Value(false)));
  EXPECT_FALSE(loose_equals(Value(NAN), Value(NAN)));
  Value a = Value(Array{Value(1.0)});
  Value copy = a;
  EXPECT_TRUE(loose_equals(a, copy));                       // same reference
  EXPECT_FALSE(loose_equals(a, Value(Array{Value(1.0)})));  // equal contents, other reference
}

TEST(Value, Ordering) {
  EXPECT_TRUE(loose_less(Value("a"), Value("[")));  // compared upper-cased: 'A' < '['
  EXPECT_TRUE(loose_less(Value(false), Value(true)));
  EXPECT_FALSE(loose_less(Value(Array()), Value(Array())));
  EXPECT_FALSE(loose_greater(Value(NAN), Value(1.0)));
}

TEST(Value, OrdinalIgnoreCase) {
  EXPECT_TRUE(equals_ignore_case("ς", "Σ"));
  EXPECT_TRUE(equals_ignore_case("σ", "Σ"));
  EXPECT_TRUE(equals_ignore_case("über", "ÜBER"));
  EXPECT_TRUE(equals_ignore_case("привет", "ПРИВЕТ"));
  EXPECT_FALSE(equals_ignore_case("i", "İ"));
  EXPECT_FALSE(equals_ignore_case("ı", "I"));
  EXPECT_EQ(find_ignore_case("abCdEf", "cDe"), 2u);
  EXPECT_TRUE(ends_with_ignore_case("ΑΒΓ", "βγ"));
  EXPECT_TRUE(starts_with_ignore_case("Straße", "STRA"));
  EXPECT_EQ(to_upper("straße"), "STRAßE");  // simple mapping: ß stays
}

TEST(Object, KeepsInsertionOrderAndIgnoresCase) {
  Object o;
  for (int i = 0; i < 40; ++i)
    o.set("key" + std::to_string(i), Value(static_cast<double>(i)));
  o.set("KEY3", Value("replaced"));
  EXPECT_EQ(o.size(), 40u);
  EXPECT_EQ(o.begin()->first, "key0");
  ASSERT_NE(o.find("Key3"), nullptr);
  EXPECT_EQ(o.find("kEY3")->as_string(), "replaced");
  EXPECT_EQ(o.find("key39")->as_number(), 39);
  EXPECT_EQ(o.find("missing"), nullptr);
  Value v(std::move(o));
  EXPECT_EQ(v.member("KEY1")->as_number(), 1);
  EXPECT_EQ(Value("x").member("a"), nullptr);
}

TEST(Value, DisplayStrings) {
  EXPECT_EQ(Value().to_display_string(), "");
  EXPECT_EQ(Value(true).to_display_string(), "true");
  EXPECT_EQ(Value(Array()).to_display_string(), "Array");
  EXPECT_EQ(Value(Object()).to_display_string(), "Object");
  EXPECT_EQ(Value(-0.5).to_display_string(), "-0.5");
}

}  // namespace
}  // namespace pipewright::expr
