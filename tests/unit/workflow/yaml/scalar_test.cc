#include "pipewright/workflow/yaml/scalar.h"

#include <cmath>

#include <gtest/gtest.h>

#include "pipewright/workflow/yaml/parser.h"

namespace pipewright::workflow::yaml {
namespace {

// The type of the value of `v:` in `text`.
ScalarType type_of(std::string_view text) {
  auto parsed = parse("v: " + std::string(text) + "\n", "t.yml");
  return scalar_type(*parsed.document->root()->find("v"));
}

TEST(Scalar, PlainScalarsFollowTheCoreSchema) {
  EXPECT_EQ(type_of(""), ScalarType::null);
  EXPECT_EQ(type_of("~"), ScalarType::null);
  EXPECT_EQ(type_of("True"), ScalarType::boolean);
  EXPECT_EQ(type_of("yes"), ScalarType::string);  // YAML 1.1 only
  EXPECT_EQ(type_of("0x1F"), ScalarType::number);
  EXPECT_EQ(type_of("0o17"), ScalarType::number);
  EXPECT_EQ(type_of("-.inf"), ScalarType::number);
  EXPECT_EQ(type_of("inf"), ScalarType::string);
  EXPECT_EQ(type_of("1.2.3"), ScalarType::string);
  EXPECT_EQ(type_of("1_000"), ScalarType::string);
}

TEST(Scalar, QuotedAndStringTaggedScalarsAreStrings) {
  EXPECT_EQ(type_of("'5'"), ScalarType::string);
  EXPECT_EQ(type_of("\"true\""), ScalarType::string);
  EXPECT_EQ(type_of("!!string 5"), ScalarType::string);
  EXPECT_EQ(type_of("!!int 5"), ScalarType::number);
}

TEST(Scalar, Numbers) {
  EXPECT_EQ(core_number("0x1F"), 31.0);
  EXPECT_EQ(core_number("0o17"), 15.0);
  EXPECT_EQ(core_number("+3"), 3.0);
  EXPECT_EQ(core_number("5."), 5.0);
  EXPECT_EQ(core_number(".5"), 0.5);
  EXPECT_EQ(core_number("1e3"), 1000.0);
  EXPECT_TRUE(std::isnan(*core_number(".NaN")));
  EXPECT_EQ(core_number("."), std::nullopt);
  EXPECT_EQ(core_number("1e"), std::nullopt);
  EXPECT_EQ(core_number("0x"), std::nullopt);
  EXPECT_TRUE(is_core_integer("-12"));
  EXPECT_FALSE(is_core_integer("1.5"));
  EXPECT_TRUE(is_core_float("1.5"));
  EXPECT_FALSE(is_core_float("0x10"));
}

}  // namespace
}  // namespace pipewright::workflow::yaml
