// Walks the raw source of a scalar alongside its decoded value. Where they agree both
// advance; a folded line break matches a decoded space; escapes decode to one character;
// anything else in the source (indentation, dropped breaks, the second quote of '') is
// skipped. Bounded by the source size.
#include "pipewright/workflow/yaml/position.h"

namespace pipewright::workflow::yaml {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// The UTF-8 length of code point `cp`.
size_t utf8_length(unsigned long cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

unsigned long hex_value(std::string_view s) {
  unsigned long v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<unsigned long>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<unsigned long>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= static_cast<unsigned long>(c - 'A' + 10);
  }
  return v;
}

class Cursor {
 public:
  Cursor(std::string_view source, const Mark& start) : m_source(source), m_mark(start) {}

  bool done() const { return m_mark.offset >= m_source.size(); }
  char peek(size_t ahead = 0) const {
    size_t i = m_mark.offset + ahead;
    return i < m_source.size() ? m_source[i] : '\0';
  }
  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && !done(); ++i) {
      if (m_source[m_mark.offset] == '\n') {
        ++m_mark.line;
        m_mark.column = 1;
      } else {
        ++m_mark.column;
      }
      ++m_mark.offset;
    }
  }
  const Mark& mark() const { return m_mark; }

 private:
  std::string_view m_source;
  Mark m_mark;
};

// Skips the anchor and tag before the scalar's own text.
void skip_properties(Cursor& c) {
  for (int i = 0; i < 2 && (c.peek() == '&' || c.peek() == '!'); ++i) {
    while (!c.done() && c.peek() != ' ' && c.peek() != '\t' && c.peek() != '\n')
      c.advance();
    while (!c.done() && (c.peek() == ' ' || c.peek() == '\t' || c.peek() == '\n'))
      c.advance();
  }
}

// The indentation of the first non-empty line from the cursor on (block scalars).
int block_indent(Cursor c) {
  while (!c.done()) {
    int indent = 0;
    while (c.peek() == ' ') {
      ++indent;
      c.advance();
    }
    if (c.peek() != '\n' && c.peek() != '\r') return indent;
    c.advance();
  }
  return 0;
}

}  // namespace

Mark scalar_offset_mark(const Node& scalar, std::string_view source, size_t offset) {
  Cursor c(source, scalar.mark);
  if (scalar.mark.offset >= source.size()) return scalar.mark;
  skip_properties(c);
  const bool block = scalar.style == ScalarStyle::literal || scalar.style == ScalarStyle::folded;
  int indent = 0;
  if (block) {
    while (!c.done() && c.peek() != '\n')
      c.advance();  // the header line
    c.advance();
    indent = block_indent(c);
  } else if (scalar.style != ScalarStyle::plain) {
    c.advance();  // the opening quote
  }
  auto skip_indent = [&] {
    for (int i = 0; i < indent && c.peek() == ' '; ++i)
      c.advance();
  };
  if (block) skip_indent();

  const std::string& value = scalar.value;
  size_t d = 0;
  while (d < offset && d < value.size() && !c.done()) {
    char raw = c.peek();
    if (scalar.style == ScalarStyle::double_quoted && raw == '\\') {
      char e = c.peek(1);
      size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
      if (e == '\n') {  // an escaped line break decodes to nothing
        c.advance(2);
        continue;
      }
      size_t decoded = 1;
      if (digits > 0) {
        std::string_view hex = source.substr(c.mark().offset + 2, digits);
        decoded = utf8_length(hex_value(hex));
      }
      c.advance(2 + digits);
      d += decoded;
      continue;
    }
    if (raw == value[d] || (raw == '\n' && value[d] == ' ')) {
      c.advance();
      ++d;
      if (raw == '\n' && block) skip_indent();
      continue;
    }
    if (raw == '\r' || raw == '\n' || is_blank(raw) || raw == '\'') {
      c.advance();
      if (raw == '\n' && block) skip_indent();
      continue;
    }
    c.advance();  // disagreement: keep going through the source, bounded by its size
  }
  return c.mark();
}

}  // namespace pipewright::workflow::yaml
