#include "pipewright/expr/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "pipewright/expr/casefold.h"

namespace pipewright::expr {

namespace {

constexpr size_t k_index_threshold = 12;  // objects larger than this get a hash index

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// [sign] (digits [. [digits]] | . digits) [(e|E) [sign] digits], as .NET's invariant
// Double.TryParse accepts it (no thousands separators).
bool parse_decimal(std::string_view s, double& out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  size_t start = i;
  size_t int_digits = 0;
  while (i < s.size() && is_digit(s[i]))
    ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i]))
      ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i]))
      ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != s.size()) return false;
  std::string_view body = s.substr(start);
  std::string buf;
  if (!body.empty() && body.front() == '.') {  // from_chars wants a digit first
    buf = "0";
    buf += body;
    body = buf;
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // Overflow → infinity, underflow → 0, as .NET Core does.
    value = std::strtod(std::string(body).c_str(), nullptr);
  } else if (ec != std::errc() || ptr != body.data() + body.size()) {
    return false;
  }
  out = negative ? -value : value;
  return true;
}

// Convert.ToInt32(digits, base): up to 32 bits, reinterpreted as a signed Int32.
bool parse_int32(std::string_view digits, int base, double& out) {
  if (digits.empty()) return false;
  uint64_t value = 0;
  for (char c : digits) {
    int d = is_digit(c)              ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : 99;
    if (d >= base) return false;
    value = value * base + d;
    if (value > 0xFFFFFFFFull) return false;
  }
  out = static_cast<double>(static_cast<int32_t>(static_cast<uint32_t>(value)));
  return true;
}

}  // namespace

// ---- Value ----

bool Value::truthy() const {
  switch (kind()) {
    case Kind::null:
      return false;
    case Kind::boolean:
      return as_bool();
    case Kind::number: {
      double n = as_number();
      return n != 0 && !std::isnan(n);
    }
    case Kind::string:
      return !as_string().empty();
    case Kind::array:
    case Kind::object:
      return true;
  }
  return false;
}

double Value::to_number() const {
  switch (kind()) {
    case Kind::null:
      return 0;
    case Kind::boolean:
      return as_bool() ? 1 : 0;
    case Kind::number:
      return as_number();
    case Kind::string:
      return parse_number(as_string());
    case Kind::array:
    case Kind::object:
      return std::nan("");
  }
  return std::nan("");
}

std::string Value::to_display_string() const {
  switch (kind()) {
    case Kind::null:
      return {};
    case Kind::boolean:
      return as_bool() ? "true" : "false";
    case Kind::number:
      return format_number(as_number());
    case Kind::string:
      return as_string();
    case Kind::array:
      return "Array";
    case Kind::object:
      return "Object";
  }
  return {};
}

const Value* Value::member(std::string_view key) const {
  if (kind() != Kind::object) return nullptr;
  return as_object().find(key);
}

// ---- Object ----

size_t Object::index_of(std::string_view key) const {
  if (m_index.empty()) {
    for (size_t i = 0; i < m_entries.size(); ++i)
      if (equals_ignore_case(m_entries[i].first, key)) return i;
    return m_entries.size();
  }
  auto [first, last] = m_index.equal_range(hash_ignore_case(key));
  for (auto it = first; it != last; ++it)
    if (equals_ignore_case(m_entries[it->second].first, key)) return it->second;
  return m_entries.size();
}

void Object::set(std::string key, Value value) {
  size_t i = index_of(key);
  if (i < m_entries.size()) {
    m_entries[i].second = std::move(value);
    return;
  }
  m_entries.emplace_back(std::move(key), std::move(value));
  if (m_entries.size() > k_index_threshold) {
    if (m_index.empty()) {
      for (size_t k = 0; k < m_entries.size(); ++k)
        m_index.emplace(hash_ignore_case(m_entries[k].first), k);
    } else {
      m_index.emplace(hash_ignore_case(m_entries.back().first), m_entries.size() - 1);
    }
  }
}

const Value* Object::find(std::string_view key) const {
  size_t i = index_of(key);
  return i < m_entries.size() ? &m_entries[i].second : nullptr;
}

Value* Object::find(std::string_view key) {
  size_t i = index_of(key);
  return i < m_entries.size() ? &m_entries[i].second : nullptr;
}

// ---- Coercions ----

namespace {

// Lays out significant `digits` (no trailing zeros) with decimal exponent `exponent`
// the way .NET does: scientific (1.5E+21, 1E-05) when exponent >= 15 or < -4.
std::string layout_number(bool negative, std::string digits, int exponent) {
  std::string out;
  if (negative) out += '-';
  while (digits.size() > 1 && digits.back() == '0')
    digits.pop_back();
  if (exponent >= 15 || exponent < -4) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "E%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  } else if (exponent >= 0) {
    size_t int_len = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_len) {
      out += digits;
      out.append(int_len - digits.size(), '0');
    } else {
      out += digits.substr(0, int_len);
      out += '.';
      out += digits.substr(int_len);
    }
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
  }
  return out;
}

// Splits "[-]d[.ddd]e[+-]XX" into layout_number's arguments.
std::string layout_scientific(std::string_view text) {
  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  size_t e = text.find_first_of("eE");
  std::string digits;
  digits += text[0];
  if (e > 2) digits += text.substr(2, e - 2);
  int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  return layout_number(negative, std::move(digits), exponent);
}

std::string special_number(double n) {
  if (std::isnan(n)) return "NaN";
  if (std::isinf(n)) return n > 0 ? "Infinity" : "-Infinity";
  return "0";
}

}  // namespace

std::string format_number(double n) {
  if (std::isnan(n) || std::isinf(n) || n == 0) return special_number(n);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.14e", n);  // 15 significant digits
  return layout_scientific(buf);
}

std::string format_number_roundtrip(double n) {
  if (std::isnan(n) || std::isinf(n) || n == 0) return special_number(n);
  char buf[40];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, n, std::chars_format::scientific);
  (void)ec;
  return layout_scientific(std::string_view(buf, ptr - buf));
}

double parse_number(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return 0;
  double value = 0;
  if (parse_decimal(s, value)) return value;
  if (s.starts_with("0x")) return parse_int32(s.substr(2), 16, value) ? value : std::nan("");
  if (s.starts_with("0o")) return parse_int32(s.substr(2), 8, value) ? value : std::nan("");
  if (s == "Infinity") return INFINITY;
  if (s == "-Infinity") return -INFINITY;
  return std::nan("");
}

std::string_view kind_name(Kind kind) {
  static constexpr std::string_view k_names[] = {"Null",   "Boolean", "Number",
                                                 "String", "Array",   "Object"};
  return k_names[static_cast<int>(kind)];
}

// ---- Comparison ----

namespace {

bool is_null_or_bool(Kind k) {
  return k == Kind::null || k == Kind::boolean;
}

}  // namespace

bool loose_equals(const Value& a, const Value& b) {
  Kind ka = a.kind();
  Kind kb = b.kind();
  if (ka == kb) {
    switch (ka) {
      case Kind::null:
        return true;
      case Kind::boolean:
        return a.as_bool() == b.as_bool();
      case Kind::number:
        return a.as_number() == b.as_number();
      case Kind::string:
        return equals_ignore_case(a.as_string(), b.as_string());
      case Kind::array:
        return a.array_ptr() == b.array_ptr();
      case Kind::object:
        return a.object_ptr() == b.object_ptr();
    }
  }
  if (is_null_or_bool(ka)) return loose_equals(Value(a.to_number()), b);
  if (is_null_or_bool(kb)) return loose_equals(a, Value(b.to_number()));
  if (ka == Kind::number && kb == Kind::string) return a.as_number() == b.to_number();
  if (ka == Kind::string && kb == Kind::number) return a.to_number() == b.as_number();
  return false;
}

namespace {

// <0, 0 or >0 when a and b are ordered; nullopt-like 2 when they are not comparable.
int order(const Value& a, const Value& b) {
  constexpr int k_unordered = 2;
  Kind ka = a.kind();
  Kind kb = b.kind();
  if (ka == kb) {
    switch (ka) {
      case Kind::null:
        return 0;
      case Kind::boolean:
        return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
      case Kind::number: {
        double x = a.as_number();
        double y = b.as_number();
        if (std::isnan(x) || std::isnan(y)) return k_unordered;
        return x < y ? -1 : x > y ? 1 : 0;
      }
      case Kind::string:
        return compare_ignore_case(a.as_string(), b.as_string());
      case Kind::array:
      case Kind::object:
        return k_unordered;
    }
  }
  if (is_null_or_bool(ka)) return order(Value(a.to_number()), b);
  if (is_null_or_bool(kb)) return order(a, Value(b.to_number()));
  if (ka == Kind::number && kb == Kind::string) return order(a, Value(b.to_number()));
  if (ka == Kind::string && kb == Kind::number) return order(Value(a.to_number()), b);
  return k_unordered;
}

}  // namespace

bool loose_less(const Value& a, const Value& b) {
  int o = order(a, b);
  return o < 0;
}

bool loose_greater(const Value& a, const Value& b) {
  int o = order(a, b);
  return o > 0 && o != 2;
}

}  // namespace pipewright::expr
