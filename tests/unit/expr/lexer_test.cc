#include "pipewright/expr/lexer.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace pipewright::expr {
namespace {

std::vector<TokenKind> kinds(std::string_view text) {
  Lexer lexer(text);
  std::vector<TokenKind> out;
  for (Token t = lexer.next(); t.kind != TokenKind::end; t = lexer.next()) {
    out.push_back(t.kind);
    if (t.kind == TokenKind::invalid) break;
  }
  return out;
}

Token first(std::string_view text) {
  return Lexer(text).next();
}

TEST(Lexer, OperatorsAndPunctuation) {
  using K = TokenKind;
  EXPECT_EQ(kinds("! == != < <= > >= && || ( ) [ ] ,"),
            (std::vector<K>{K::op_not, K::op_eq, K::op_ne, K::op_lt, K::op_le, K::op_gt, K::op_ge,
                            K::op_and, K::op_or, K::left_paren, K::right_paren, K::left_bracket,
                            K::right_bracket, K::comma}));
}

TEST(Lexer, DotIsADereferenceOnlyAfterAWordBracketParenOrStar) {
  using K = TokenKind;
  EXPECT_EQ(kinds("a.b"), (std::vector<K>{K::word, K::dot, K::word}));
  EXPECT_EQ(kinds("a.*.b"), (std::vector<K>{K::word, K::dot, K::star, K::dot, K::word}));
  EXPECT_EQ(kinds("f().b"),
            (std::vector<K>{K::word, K::left_paren, K::right_paren, K::dot, K::word}));
  EXPECT_EQ(kinds("(.5)"), (std::vector<K>{K::left_paren, K::number, K::right_paren}));
  EXPECT_EQ(kinds("1 .5"), (std::vector<K>{K::number, K::number}));
}

TEST(Lexer, Numbers) {
  EXPECT_EQ(first(".5").number, 0.5);
  EXPECT_EQ(first("-2").number, -2);
  EXPECT_EQ(first("+1").number, 1);
  EXPECT_EQ(first("1E+1").number, 10);
  EXPECT_EQ(first("0xfF").number, 255);
  EXPECT_EQ(first("0o17").number, 15);
  EXPECT_TRUE(std::isinf(first("-Infinity").number));
  for (const char* bad : {"-Inf", "0x01p2", "-0xFF", "0xFZ", "1e", "..5"}) {
    Token t = first(bad);
    EXPECT_EQ(t.kind, TokenKind::invalid) << bad;
    EXPECT_EQ(t.text, bad);
  }
}

TEST(Lexer, StringsUnescapeEveryDoubledQuote) {
  Token t = first("'it''s ''x'''");
  EXPECT_EQ(t.kind, TokenKind::string);
  EXPECT_EQ(t.string, "it's 'x'");
  Token open = first("'foo");
  EXPECT_EQ(open.kind, TokenKind::invalid);
  EXPECT_EQ(open.text, "'foo");
}

TEST(Lexer, LoneOperatorsRunToTheNextBoundary) {
  Lexer lexer("1 =2 =3");
  lexer.next();
  Token t = lexer.next();
  EXPECT_EQ(t.kind, TokenKind::invalid);
  EXPECT_EQ(t.text, "=2");
  EXPECT_EQ(first("& x").text, "&");
  EXPECT_EQ(first("@abc 2").text, "@abc");
}

TEST(Lexer, IdentifiersMayHoldHyphens) {
  EXPECT_TRUE(is_identifier("my-step"));
  EXPECT_TRUE(is_identifier("_x1"));
  EXPECT_FALSE(is_identifier("1x"));
  EXPECT_FALSE(is_identifier("b@r"));
  EXPECT_EQ(first("github/workflow.md").text, "github/workflow");
}

TEST(Lexer, ColumnsCountUtf16Units) {
  EXPECT_EQ(column_of("abc", 0), 1);
  EXPECT_EQ(column_of("abc", 2), 3);
  EXPECT_EQ(column_of("\xc3\xa9x", 2), 2);           // é is one column
  EXPECT_EQ(column_of("\xf0\x9f\x98\x8a x", 5), 4);  // an emoji counts 2, as in UTF-16
}

}  // namespace
}  // namespace pipewright::expr
