// fromJSON through nlohmann's SAX parser (no DOM in between); toJSON in the
// runner's format (Newtonsoft, indented with two spaces).
#include "pipewright/expr/json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

namespace pipewright::expr {

namespace {

// Builds a Value from SAX events with a stack of open containers.
class ValueBuilder {
 public:
  using json = nlohmann::json;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bool null() { return put(Value()); }
  bool boolean(bool b) { return put(Value(b)); }
  bool number_integer(number_integer_t n) { return put(Value(static_cast<double>(n))); }
  bool number_unsigned(number_unsigned_t n) { return put(Value(static_cast<double>(n))); }
  bool number_float(number_float_t n, const string_t&) { return put(Value(n + 0.0)); }  // -0 → 0
  bool string(string_t& s) { return put(Value(std::move(s))); }
  bool binary(binary_t&) { return false; }
  bool start_object(size_t) {
    if (m_stack.size() >= k_max_json_depth) return too_deep();
    m_stack.push_back(Open{true, {}, {}, {}});
    return true;
  }
  bool key(string_t& k) {
    m_stack.back().key = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(size_t) {
    if (m_stack.size() >= k_max_json_depth) return too_deep();
    m_stack.push_back(Open{false, {}, {}, {}});
    return true;
  }
  bool end_array() { return close(); }
  // nlohmann's message quotes the bytes last read (a fragment of the input, perhaps of
  // a secret), so only where the error is is kept; the text is made by parse_error_text.
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception&) {
    m_error_position = position;
    return false;
  }

  Value result() { return std::move(m_result); }
  bool exceeded_depth() const { return m_too_deep; }
  size_t error_position() const { return m_error_position; }
  // Whether a whole top-level value was read (the error is in what follows it).
  bool complete() const { return m_complete; }

 private:
  struct Open {
    bool is_object;
    Array array;
    Object object;
    std::string key;
  };

  bool put(Value v) {
    if (m_stack.empty()) {
      m_result = std::move(v);
      m_complete = true;
    } else if (m_stack.back().is_object) {
      m_stack.back().object.set(std::move(m_stack.back().key), std::move(v));
    } else {
      m_stack.back().array.push_back(std::move(v));
    }
    return true;
  }

  bool close() {
    Open open = std::move(m_stack.back());
    m_stack.pop_back();
    return open.is_object ? put(Value(std::move(open.object))) : put(Value(std::move(open.array)));
  }

  // Values nested deeper than this would be freed (and printed, and compared)
  // recursively: a stack overflow for a hostile input. Parsing stops there instead.
  bool too_deep() {
    m_too_deep = true;
    return false;
  }

  std::vector<Open> m_stack;
  bool m_too_deep = false;
  Value m_result;
  size_t m_error_position = 0;
  bool m_complete = false;
};

// What GitHub's runner (Newtonsoft) says about bad JSON, without the parts of its texts
// that quote the input (the character and the property path): the input may be, or
// hold, a secret. `position` is nlohmann's count of bytes read (one past the end of
// the text when the error is at its end).
std::string parse_error_text(std::string_view text, size_t position, bool complete) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return "Error reading JToken from JsonReader. Path '', line 0, position 0.";
  size_t at = std::min(position == 0 ? 0 : position - 1, text.size());
  size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
  size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  size_t column = line_start == std::string_view::npos || at == 0 ? at + 1 : at - line_start;
  std::string where =
      " Line " + std::to_string(line) + ", position " + std::to_string(column) + ".";
  if (complete) return "Additional text encountered after finished reading JSON content." + where;
  if (position > text.size()) return "Unexpected end when reading JSON." + where;
  return "Unexpected character encountered while parsing value." + where;
}

void write_string(std::string_view s, std::string& out) {
  static constexpr char k_hex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
      continue;
    }
    // Newtonsoft also escapes U+0085, U+2028 and U+2029.
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
      out += "\\u0085";
      ++i;
      continue;
    }
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

void write_number(double n, std::string& out) {
  constexpr double k_int64_limit = 9223372036854775807.0;
  if (std::isfinite(n) && n == std::floor(n) && n < k_int64_limit && n >= -k_int64_limit) {
    out += std::to_string(static_cast<int64_t>(n));
  } else {
    out += format_number_roundtrip(n);
  }
}

void newline(JsonStyle style, int depth, std::string& out) {
  if (style == JsonStyle::compact) return;
  out += '\n';
  out.append(static_cast<size_t>(depth) * 2, ' ');
}

void write_value(const Value& v, JsonStyle style, int depth, std::string& out) {
  switch (v.kind()) {
    case Kind::null:
      out += "null";
      return;
    case Kind::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case Kind::number:
      write_number(v.as_number(), out);
      return;
    case Kind::string:
      write_string(v.as_string(), out);
      return;
    case Kind::array: {
      const Array& a = v.as_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out += ',';
        newline(style, depth + 1, out);
        write_value(a[i], style, depth + 1, out);
      }
      newline(style, depth, out);
      out += ']';
      return;
    }
    case Kind::object: {
      const Object& o = v.as_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, value] : o) {
        if (!first) out += ',';
        first = false;
        newline(style, depth + 1, out);
        write_string(key, out);
        out += style == JsonStyle::indented ? ": " : ":";
        write_value(value, style, depth + 1, out);
      }
      newline(style, depth, out);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::expected<Value, std::string> parse_json(std::string_view text) {
  ValueBuilder builder;
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &builder,
                                      nlohmann::json::input_format_t::json,
                                      /*strict=*/true, /*ignore_comments=*/false);
  if (!ok && builder.exceeded_depth())
    return std::unexpected("The reader's MaxDepth of " + std::to_string(k_max_json_depth) +
                           " has been exceeded.");
  if (!ok)
    return std::unexpected(parse_error_text(text, builder.error_position(), builder.complete()));
  return builder.result();
}

std::string to_json(const Value& value, JsonStyle style) {
  std::string out;
  write_value(value, style, 0, out);
  return out;
}

}  // namespace pipewright::expr
