#include "pipewright/workflow/yaml/position.h"

#include <gtest/gtest.h>

#include "pipewright/workflow/yaml/parser.h"

namespace pipewright::workflow::yaml {
namespace {

// The line:column of the first `needle` inside the value of key `key`.
std::pair<int, int> where(std::string_view text, std::string_view key, std::string_view needle) {
  ParseResult result = parse(text, "f.yml");
  EXPECT_NE(result.document, nullptr);
  if (!result.document) return {0, 0};
  const Node* node = result.document->root()->find(key);
  EXPECT_NE(node, nullptr);
  size_t offset = node->value.find(needle);
  EXPECT_NE(offset, std::string::npos);
  Mark m = scalar_offset_mark(*node, text, offset);
  return {m.line, m.column};
}

TEST(ScalarPosition, PlainScalarIsColumnPlusOffset) {
  EXPECT_EQ(where("key: echo ${{ x }}\n", "key", "${{"), std::make_pair(1, 11));
}

TEST(ScalarPosition, QuotedScalarsSkipTheQuote) {
  EXPECT_EQ(where("key: 'a ${{ x }}'\n", "key", "${{"), std::make_pair(1, 9));
  EXPECT_EQ(where("key: \"a ${{ x }}\"\n", "key", "${{"), std::make_pair(1, 9));
}

TEST(ScalarPosition, EscapesInQuotedScalars) {
  EXPECT_EQ(where("key: 'it''s ${{ x }}'\n", "key", "${{"), std::make_pair(1, 13));
  EXPECT_EQ(where("key: \"a\\tb ${{ x }}\"\n", "key", "${{"), std::make_pair(1, 12));
}

TEST(ScalarPosition, LiteralBlockScalar) {
  std::string_view text = "key: |\n  first line\n  echo ${{ x }}\n";
  EXPECT_EQ(where(text, "key", "${{"), std::make_pair(3, 8));
  EXPECT_EQ(where(text, "key", "first"), std::make_pair(2, 3));
}

TEST(ScalarPosition, FoldedBlockScalar) {
  std::string_view text = "key: >\n    one\n    two ${{ x }}\n";
  EXPECT_EQ(where(text, "key", "${{"), std::make_pair(3, 9));
}

TEST(ScalarPosition, MultiLinePlainScalar) {
  std::string_view text = "key: one\n  two ${{ x }}\n";
  EXPECT_EQ(where(text, "key", "${{"), std::make_pair(2, 7));
}

TEST(ScalarPosition, ByteOrderMarkIsNotCounted) {
  ParseResult result = parse("\xEF\xBB\xBFkey: echo ${{ x }}\n", "f.yml");
  ASSERT_NE(result.document, nullptr);
  const Node* node = result.document->root()->find("key");
  Mark m = scalar_offset_mark(*node, result.document->source(), 5);
  EXPECT_EQ(m.line, 1);
  EXPECT_EQ(m.column, 11);
}

TEST(ScalarPosition, CrLfLineEndings) {
  EXPECT_EQ(where("a: 1\r\nkey: echo ${{ x }}\r\n", "key", "${{"), std::make_pair(2, 11));
}

TEST(ScalarPosition, AnchoredAndTagged) {
  EXPECT_EQ(where("key: &a !!str a ${{ x }}\n", "key", "${{"), std::make_pair(1, 17));
}

}  // namespace
}  // namespace pipewright::workflow::yaml
