#include "pipewright/http/target.h"

namespace pipewright::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool has_control(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// A segment that could climb out of a directory or forge a header line.
bool unsafe_segment(std::string_view segment) {
  return segment.find('/') != std::string_view::npos ||
         segment.find("..") != std::string_view::npos || has_control(segment);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  Target out;
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  out.raw_path = std::string(path);
  // Each segment is decoded on its own so that %2F never becomes a separator.
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto segment = percent_decode(path.substr(start, end - start));
    if (!segment || unsafe_segment(*segment)) return std::nullopt;
    out.segments.push_back(std::move(*segment));
    start = end + 1;
  }
  if (path == "/") out.segments.clear();  // "/" names the root, not one empty segment
  for (const auto& segment : out.segments)
    out.path.append(1, '/').append(segment);
  if (out.path.empty()) out.path.push_back('/');
  if (question == std::string_view::npos) return out;
  std::string_view query = target.substr(question + 1);
  for (size_t start = 0; start < query.size();) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    auto name = percent_decode(pair.substr(0, equals), true);
    auto value = percent_decode(
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (!name || !value || has_control(*name) || has_control(*value)) return std::nullopt;
    out.query.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace pipewright::http
