// Internal: the lexer of the expression language (gha-spec.md §2.1). Tokens are
// views into the source text; the parser pulls them one at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pipewright::expr {

enum class TokenKind {
  end,
  number,
  string,
  word,  // identifier or keyword (null, true, false, NaN, Infinity)
  left_paren,
  right_paren,
  left_bracket,
  right_bracket,
  comma,
  dot,   // dereference
  star,  // wildcard
  op_not,
  op_eq,
  op_ne,
  op_lt,
  op_le,
  op_gt,
  op_ge,
  op_and,
  op_or,
  invalid,  // a lexing error: `text` is the unexpected symbol
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::string_view text;  // raw text in the source
  size_t offset = 0;      // byte offset in the source
  double number = 0;      // number
  std::string string;     // string: the unescaped value
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : m_source(source) {}

  // The next token; `end` at the end of the text, `invalid` on a lexing error.
  Token next();

 private:
  Token make(TokenKind kind, size_t start, size_t length);
  Token read_number(size_t start);
  Token read_string(size_t start);
  Token read_word(size_t start);
  Token read_unexpected(size_t start);

  std::string_view m_source;
  size_t m_pos = 0;
  TokenKind m_last = TokenKind::end;  // the previous token's kind (end: none yet)
};

// JavaScript Number() of a number token (decimal, 0x, 0o, ±Infinity); NaN when invalid.
double parse_number_literal(std::string_view text);
// Whether `text` is an identifier: [A-Za-z_][A-Za-z0-9_-]*.
bool is_identifier(std::string_view text);
// The 1-based column of byte `offset` in `source`, in UTF-16 code units as GitHub counts.
int column_of(std::string_view source, size_t offset);

}  // namespace pipewright::expr
