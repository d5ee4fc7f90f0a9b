#include "pipewright/exec/mask_encodings.h"

#include <algorithm>
#include <array>
#include <functional>

namespace pipewright::exec {
namespace {

constexpr std::string_view k_base64_standard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view k_base64_url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view alphabet_chars(Base64Alphabet alphabet) {
  return alphabet == Base64Alphabet::url ? k_base64_url : k_base64_standard;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t hit = text.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(text.substr(pos));
  return out;
}

std::string_view trim_line(std::string_view line) {
  constexpr std::string_view k_blank = " \t\r";
  size_t first = line.find_first_not_of(k_blank);
  if (first == std::string_view::npos) return {};
  size_t last = line.find_last_not_of(k_blank);
  return line.substr(first, last - first + 1);
}

std::string trim_double_quotes(std::string_view value) {
  if (value.size() > 2 && value.front() == '"' && value.back() == '"') {
    return std::string(value.substr(1, value.size() - 2));
  }
  return std::string(value);
}

// One row per encoding the masker hides (besides base64, which has offsets).
using Encoder = std::function<std::string(std::string_view)>;
const std::array<Encoder, 8>& encoders() {
  static const std::array<Encoder, 8> table = {
      [](std::string_view v) { return json_escape(v); },
      [](std::string_view v) { return url_encode(v, HexCase::upper); },
      [](std::string_view v) { return url_encode(v, HexCase::lower); },
      [](std::string_view v) { return xml_escape(v); },
      [](std::string_view v) { return replace_all(v, "\"", "\\\""); },  // command-line \"
      [](std::string_view v) { return replace_all(v, "'", "''"); },     // expression ''
      [](std::string_view v) { return replace_all(v, "'", "'\\''"); },  // shell '\''
      [](std::string_view v) { return trim_double_quotes(v); },
  };
  return table;
}

}  // namespace

std::vector<std::string> secret_parts(std::string_view value) {
  std::vector<std::string> parts;
  auto add = [&](std::string_view part) {
    if (part.empty()) return;
    if (std::find(parts.begin(), parts.end(), part) == parts.end()) parts.emplace_back(part);
  };
  add(value);
  if (value.find_first_of("\r\n") == std::string_view::npos) return parts;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t end = value.find('\n', pos);
    if (end == std::string_view::npos) end = value.size();
    add(trim_line(value.substr(pos, end - pos)));
    pos = end + 1;
  }
  return parts;
}

std::vector<std::string> encoded_forms(std::string_view value, size_t min_length) {
  std::vector<std::string> forms;
  auto add = [&](std::string form) {
    if (form.empty() || (form.size() < min_length && form != value)) return;
    if (std::find(forms.begin(), forms.end(), form) == forms.end()) {
      forms.push_back(std::move(form));
    }
  };
  add(std::string(value));
  for (Base64Alphabet alphabet : {Base64Alphabet::standard, Base64Alphabet::url}) {
    for (int offset = 0; offset < 3; ++offset)
      add(base64_stable_part(value, offset, alphabet));
  }
  for (const Encoder& encode : encoders())
    add(encode(value));
  return forms;
}

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet) {
  std::string_view chars = alphabet_chars(alphabet);
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16 |
                     static_cast<uint8_t>(bytes[i + 1]) << 8 | static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(chars[(group >> shift) & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(chars[(group >> 18) & 63]);
    out.push_back(chars[(group >> 12) & 63]);
    out.push_back(rest == 2 ? chars[(group >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// The value occupies bits [8*offset, 8*(offset+size)) of the encoded stream;
// output character k covers bits [6k, 6k+6) and is kept when inside that range.
std::string base64_stable_part(std::string_view value, int offset, Base64Alphabet alphabet) {
  std::string padded(static_cast<size_t>(offset), '\0');
  padded.append(value);
  padded.append(2, '\0');
  std::string encoded = base64_encode(padded, alphabet);
  size_t first_bit = 8 * static_cast<size_t>(offset);
  size_t end_bit = first_bit + 8 * value.size();
  size_t first = (first_bit + 5) / 6;
  size_t end = end_bit / 6;
  if (end <= first) return {};
  return encoded.substr(first, end - first);
}

std::string json_escape(std::string_view value) {
  static constexpr std::string_view k_hex = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out.push_back(k_hex[static_cast<unsigned char>(c) >> 4]);
          out.push_back(k_hex[static_cast<unsigned char>(c) & 15]);
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string url_encode(std::string_view value, HexCase hex_case) {
  std::string_view hex = hex_case == HexCase::lower ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                      (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' ||
                      byte == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 15]);
    }
  }
  return out;
}

std::string xml_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace pipewright::exec
