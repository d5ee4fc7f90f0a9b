#include "pipewright/cli/run_inputs.h"

namespace pipewright::cli {

util::Expected<std::pair<std::string, std::string>> split_pair(std::string_view text,
                                                               char separator,
                                                               std::string_view option) {
  size_t at = text.find(separator);
  if (at == std::string_view::npos || at == 0)
    return util::fail(std::string(option) + " expects KEY" + separator + "VALUE, got '" +
                      std::string(text) + "'");
  return std::pair{std::string(text.substr(0, at)), std::string(text.substr(at + 1))};
}

util::Expected<Pairs> parse_dotenv(std::string_view text, const std::string& file) {
  Pairs pairs;
  size_t pos = 0;
  int line_no = 0;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
      s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
      s.remove_suffix(1);
    return s;
  };
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(pos, end - pos));
    ++line_no;
    size_t next = end + 1;
    if (line.empty() || line.front() == '#') {
      pos = next;
      continue;
    }
    if (line.starts_with("export ")) line = trim(line.substr(7));
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return util::fail("expected KEY=VALUE", util::Location{file, line_no, 1});
    std::string key(trim(line.substr(0, eq)));
    std::string_view rest = trim(line.substr(eq + 1));
    std::string value;
    if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
      char quote = rest.front();
      // The value may continue over the next lines: scan from just after the quote.
      size_t start = pos + (rest.data() - text.data() - pos) + 1;
      size_t i = start;
      bool closed = false;
      for (; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\n') ++line_no;
        if (c == quote) {
          closed = true;
          break;
        }
        if (quote == '"' && c == '\\' && i + 1 < text.size()) {
          char n = text[++i];
          value += n == 'n' ? '\n' : n == 't' ? '\t' : n;
          continue;
        }
        value += c;
      }
      if (!closed)
        return util::fail("unterminated quoted value of " + key, util::Location{file, line_no, 1});
      next = text.find('\n', i);
      next = next == std::string_view::npos ? text.size() : next + 1;
    } else {
      size_t hash = rest.find(" #");
      value = std::string(trim(rest.substr(0, hash)));
    }
    pairs.emplace_back(std::move(key), std::move(value));
    pos = next;
  }
  return pairs;
}

}  // namespace pipewright::cli
