// fromJSON through nlohmann's SAX parser (no DOM in between); toJSON in the
// runner's format (Newtonsoft, indented with two spaces).
#include "pipewright/expr/json.h"

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
    m_stack.push_back(Open{true, {}, {}, {}});
    return true;
  }
  bool key(string_t& k) {
    m_stack.back().key = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(size_t) {
    m_stack.push_back(Open{false, {}, {}, {}});
    return true;
  }
  bool end_array() { return close(); }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception& e) {
    m_error = e.what();
    return false;
  }

  Value result() { return std::move(m_result); }
  const std::string& error() const { return m_error; }

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

  std::vector<Open> m_stack;
  Value m_result;
  std::string m_error;
};

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

void newline(int depth, std::string& out) {
  out += '\n';
  out.append(static_cast<size_t>(depth) * 2, ' ');
}

void write_value(const Value& v, int depth, std::string& out) {
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
        newline(depth + 1, out);
        write_value(a[i], depth + 1, out);
      }
      newline(depth, out);
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
        newline(depth + 1, out);
        write_string(key, out);
        out += ": ";
        write_value(value, depth + 1, out);
      }
      newline(depth, out);
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
  if (!ok)
    return std::unexpected(builder.error().empty() ? std::string("Invalid JSON") : builder.error());
  return builder.result();
}

std::string to_json(const Value& value) {
  std::string out;
  write_value(value, 0, out);
  return out;
}

}  // namespace pipewright::expr
