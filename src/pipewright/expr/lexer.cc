#include "pipewright/expr/lexer.h"

#include <charconv>
#include <cmath>
#include <string>

namespace pipewright::expr {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Characters that end a number or an unexpected symbol.
bool is_boundary(char c) {
  switch (c) {
    case '(':
    case ')':
    case '[':
    case ']':
    case ',':
    case '!':
    case '<':
    case '>':
    case '=':
    case '&':
    case '|':
      return true;
    default:
      return is_space(c);
  }
}

// Characters that end a word (identifiers also stop at a dereference or a quote).
bool ends_word(char c) {
  return is_boundary(c) || c == '.' || c == '\'';
}

bool parse_digits(std::string_view digits, int base, double& out) {
  if (digits.empty()) return false;
  double value = 0;
  for (char c : digits) {
    int d = is_digit(c)              ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : 99;
    if (d >= base) return false;
    value = value * base + d;
  }
  out = value;
  return true;
}

bool parse_js_decimal(std::string_view s, double& out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  size_t start = i;
  size_t digits = 0;
  while (i < s.size() && is_digit(s[i]))
    ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i]))
      ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i]))
      ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != s.size()) return false;
  std::string body(s.substr(start));
  if (body.front() == '.') body.insert(body.begin(), '0');
  if (body.back() == '.') body.pop_back();
  double value = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec == std::errc::result_out_of_range) {
    value = std::strtod(body.c_str(), nullptr);
  } else if (ec != std::errc() || ptr != body.data() + body.size()) {
    return false;
  }
  out = negative ? -value : value;
  return true;
}

}  // namespace

double parse_number_literal(std::string_view text) {
  double value = 0;
  if (parse_js_decimal(text, value)) return value;
  if (text.size() > 2 && text[0] == '0') {
    if (text[1] == 'x' || text[1] == 'X')
      return parse_digits(text.substr(2), 16, value) ? value : NAN;
    if (text[1] == 'o' || text[1] == 'O')
      return parse_digits(text.substr(2), 8, value) ? value : NAN;
  }
  if (text == "Infinity" || text == "+Infinity") return INFINITY;
  if (text == "-Infinity") return -INFINITY;
  return NAN;
}

bool is_identifier(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return false;
  for (char c : text)
    if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
  return true;
}

int column_of(std::string_view source, size_t offset) {
  int column = 1;
  for (size_t i = 0; i < offset && i < source.size(); ++i) {
    auto b = static_cast<unsigned char>(source[i]);
    if ((b & 0xC0) != 0x80) column += b >= 0xF0 ? 2 : 1;  // 4-byte sequences are surrogate pairs
  }
  return column;
}

Token Lexer::make(TokenKind kind, size_t start, size_t length) {
  Token t;
  t.kind = kind;
  t.offset = start;
  t.text = m_source.substr(start, length);
  m_pos = start + length;
  m_last = kind;
  return t;
}

Token Lexer::next() {
  while (m_pos < m_source.size() && is_space(m_source[m_pos]))
    ++m_pos;
  size_t start = m_pos;
  if (start >= m_source.size()) return make(TokenKind::end, start, 0);
  char c = m_source[start];
  char next = start + 1 < m_source.size() ? m_source[start + 1] : '\0';
  switch (c) {
    case '(':
      return make(TokenKind::left_paren, start, 1);
    case ')':
      return make(TokenKind::right_paren, start, 1);
    case '[':
      return make(TokenKind::left_bracket, start, 1);
    case ']':
      return make(TokenKind::right_bracket, start, 1);
    case ',':
      return make(TokenKind::comma, start, 1);
    case '*':
      return make(TokenKind::star, start, 1);
    case '.':
      // A dereference only after a word, `]`, `)` or `*`; otherwise a number like `.5`.
      if (m_last == TokenKind::word || m_last == TokenKind::right_bracket ||
          m_last == TokenKind::right_paren || m_last == TokenKind::star)
        return make(TokenKind::dot, start, 1);
      return read_number(start);
    case '!':
      return next == '=' ? make(TokenKind::op_ne, start, 2) : make(TokenKind::op_not, start, 1);
    case '<':
      return next == '=' ? make(TokenKind::op_le, start, 2) : make(TokenKind::op_lt, start, 1);
    case '>':
      return next == '=' ? make(TokenKind::op_ge, start, 2) : make(TokenKind::op_gt, start, 1);
    case '=':
      return next == '=' ? make(TokenKind::op_eq, start, 2) : read_unexpected(start);
    case '&':
      return next == '&' ? make(TokenKind::op_and, start, 2) : read_unexpected(start);
    case '|':
      return next == '|' ? make(TokenKind::op_or, start, 2) : read_unexpected(start);
    case '\'':
      return read_string(start);
    default:
      break;
  }
  if (is_digit(c) || c == '-' || c == '+') return read_number(start);
  return read_word(start);
}

Token Lexer::read_number(size_t start) {
  size_t end = start + 1;
  while (end < m_source.size() && !is_boundary(m_source[end]))
    ++end;
  Token t = make(TokenKind::number, start, end - start);
  t.number = parse_number_literal(t.text);
  if (std::isnan(t.number)) t.kind = m_last = TokenKind::invalid;
  return t;
}

Token Lexer::read_string(size_t start) {
  std::string value;
  size_t i = start + 1;
  while (i < m_source.size()) {
    char c = m_source[i];
    if (c == '\'') {
      if (i + 1 < m_source.size() && m_source[i + 1] == '\'') {
        value += '\'';
        i += 2;
        continue;
      }
      Token t = make(TokenKind::string, start, i + 1 - start);
      t.string = std::move(value);
      return t;
    }
    value += c;
    ++i;
  }
  return make(TokenKind::invalid, start, m_source.size() - start);  // unterminated
}

Token Lexer::read_word(size_t start) {
  size_t end = start + 1;
  while (end < m_source.size() && !ends_word(m_source[end]))
    ++end;
  Token t = make(TokenKind::word, start, end - start);
  if (!is_identifier(t.text)) t.kind = m_last = TokenKind::invalid;
  return t;
}

Token Lexer::read_unexpected(size_t start) {
  size_t end = start + 1;
  while (end < m_source.size() && !is_boundary(m_source[end]))
    ++end;
  return make(TokenKind::invalid, start, end - start);
}

}  // namespace pipewright::expr
