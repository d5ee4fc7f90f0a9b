#include "pipewright/workflow/yaml/scalar.h"

#include <charconv>
#include <limits>
#include <string>

namespace pipewright::workflow::yaml {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

std::optional<double> special_float(std::string_view s) {
  for (std::string_view inf : {".inf", ".Inf", ".INF"}) {
    if (s == inf || (s.size() == inf.size() + 1 && s[0] == '+' && s.substr(1) == inf))
      return std::numeric_limits<double>::infinity();
    if (s.size() == inf.size() + 1 && s[0] == '-' && s.substr(1) == inf)
      return -std::numeric_limits<double>::infinity();
  }
  for (std::string_view nan : {".nan", ".NaN", ".NAN"})
    if (s == nan) return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

std::optional<double> integer_in_base(std::string_view digits, int base) {
  // Parsed as a double so that long literals stay numbers (GitHub reads them as doubles).
  double value = 0;
  for (char c : digits) {
    int d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value * base + d;
  }
  return value;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_decimal(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t start = i;
  while (i < s.size() && is_digit(s[i]))
    ++i;
  bool integer = i > start;
  bool fraction = false;
  if (i < s.size() && s[i] == '.') {
    size_t dot = ++i;
    while (i < s.size() && is_digit(s[i]))
      ++i;
    fraction = i > dot;
  }
  if (!integer && !fraction) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exponent = i;
    while (i < s.size() && is_digit(s[i]))
      ++i;
    if (i == exponent) return false;
  }
  return i == s.size();
}

}  // namespace

std::optional<bool> core_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

bool is_core_integer(std::string_view text) {
  std::string_view digits =
      !text.empty() && (text[0] == '-' || text[0] == '+') ? text.substr(1) : text;
  if (all_of(digits, is_digit)) return true;
  return text.size() > 2 && text[0] == '0' &&
         ((text[1] == 'x' && all_of(text.substr(2), is_hex)) ||
          (text[1] == 'o' && all_of(text.substr(2), [](char c) { return c >= '0' && c <= '7'; })));
}

bool is_core_float(std::string_view text) {
  return special_float(text) || is_decimal(text);
}

std::optional<double> core_number(std::string_view text) {
  if (auto special = special_float(text)) return special;
  if (text.size() > 2 && text[0] == '0' && text[1] == 'x' && all_of(text.substr(2), is_hex))
    return integer_in_base(text.substr(2), 16);
  if (text.size() > 2 && text[0] == '0' && text[1] == 'o' &&
      all_of(text.substr(2), [](char c) { return c >= '0' && c <= '7'; }))
    return integer_in_base(text.substr(2), 8);
  if (!is_decimal(text)) return std::nullopt;
  std::string_view s = text[0] == '+' ? text.substr(1) : text;
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) return std::nullopt;
  if (ec != std::errc() || end != s.data() + s.size()) {
    // "5." and ".5" are decimals that from_chars may not take whole; add the missing zero.
    std::string padded(s);
    if (padded.ends_with('.')) padded += '0';
    auto [end2, ec2] = std::from_chars(padded.data(), padded.data() + padded.size(), value);
    if (ec2 != std::errc() || end2 != padded.data() + padded.size()) return std::nullopt;
  }
  return value;
}

ScalarType scalar_type(const Node& node) {
  if (!node.is_scalar() || node.tag == k_string_tag) return ScalarType::string;
  if (node.style != ScalarStyle::plain) return ScalarType::string;
  if (node.is_null()) return ScalarType::null;
  if (core_bool(node.value)) return ScalarType::boolean;
  if (core_number(node.value)) return ScalarType::number;
  return ScalarType::string;
}

}  // namespace pipewright::workflow::yaml
