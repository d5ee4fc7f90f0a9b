// Follows the runner's EnvFileKeyValuePairs (src/Runner.Worker/
// FileCommandManager.cs) line for line, including its messages.
#include "pipewright/exec/env_files.h"

#include <algorithm>

namespace pipewright::exec {
namespace {

struct Line {
  std::string_view text;
  size_t newline_length = 0;  // 0: the text ended without a line break
  int number = 0;
};

// The next line from `index` (advanced past its line break), or nullopt at
// the end of the text.
class LineReader {
 public:
  LineReader(std::string_view text, NewlineMode newlines) : m_text(text), m_newlines(newlines) {}

  std::optional<Line> next() {
    if (m_index >= m_text.size()) return std::nullopt;
    size_t start = m_index;
    size_t lf = m_text.find('\n', start);
    Line line;
    line.number = ++m_number;
    if (lf == std::string_view::npos) {
      m_index = m_text.size();
      line.text = m_text.substr(start);
      return line;
    }
    m_index = lf + 1;
    line.text = m_text.substr(start, lf - start);
    line.newline_length = 1;
    if (m_newlines == NewlineMode::crlf && line.text.ends_with('\r')) {
      line.text.remove_suffix(1);
      line.newline_length = 2;
    }
    return line;
  }

  size_t index() const { return m_index; }
  std::string_view text() const { return m_text; }

 private:
  std::string_view m_text;
  NewlineMode m_newlines;
  size_t m_index = 0;
  int m_number = 0;
};

util::Error error_at(std::string message, std::string_view file, int line) {
  return util::Error{std::move(message), util::Location{std::string(file), line, 0}, {}};
}

// The value of a NAME<<DELIM heredoc whose header was just read (a view into the text).
util::Expected<std::string_view> read_heredoc(LineReader& reader, std::string_view delimiter,
                                              std::string_view file, int header_line) {
  size_t start = reader.index();
  size_t end = start;
  while (true) {
    std::optional<Line> line = reader.next();
    if (!line) {
      return std::unexpected(
          error_at("Invalid value. Matching delimiter not found '" + std::string(delimiter) + "'",
                   file, header_line));
    }
    if (line->text == delimiter) break;
    if (line->newline_length == 0) {
      return std::unexpected(
          error_at("Invalid value. EOF marker missing new line.", file, line->number));
    }
    end = reader.index() - line->newline_length;
  }
  return reader.text().substr(start, end > start ? end - start : 0);
}

// The error for a value over `max_value` (checked before the value is copied).
std::optional<util::Error> check_value_size(std::string_view name, std::string_view value,
                                            EnvFileKind kind, uint64_t max_value,
                                            std::string_view file, int line) {
  if (value.size() * 2 <= max_value || output_size(value) <= max_value) return std::nullopt;
  return error_at("Invalid value. '" + std::string(name) + "' in " +
                      std::string(env_file_variable(kind)) + " exceeds " +
                      format_byte_count(max_value) +
                      " bytes, the limit for one value (measured as UTF-16, as GitHub "
                      "measures outputs)",
                  file, line);
}

bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto low = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return low(x) == low(y);
         });
}

}  // namespace

EnvFileResult parse_env_file(std::string_view text, EnvFileKind kind, NewlineMode newlines,
                             std::string_view file, uint64_t max_value) {
  EnvFileResult result;
  LineReader reader(text, newlines);
  while (std::optional<Line> line = reader.next()) {
    if (line->text.empty()) continue;
    std::string_view content = line->text;
    size_t equals = content.find('=');
    size_t heredoc = content.find("<<");
    EnvFileEntry entry;
    entry.line = line->number;
    if (equals != std::string_view::npos &&
        (heredoc == std::string_view::npos || equals < heredoc)) {
      entry.name = content.substr(0, equals);
      if (entry.name.empty()) {
        result.error =
            error_at("Invalid format '" + std::string(content) + "'. Name must not be empty", file,
                     line->number);
        return result;
      }
      std::string_view value = content.substr(equals + 1);
      if (auto too_big = check_value_size(entry.name, value, kind, max_value, file, line->number)) {
        result.error = std::move(too_big);
        return result;
      }
      entry.value = value;
    } else if (heredoc != std::string_view::npos) {
      entry.name = content.substr(0, heredoc);
      std::string_view delimiter = content.substr(heredoc + 2);
      if (entry.name.empty() || delimiter.empty()) {
        result.error = error_at("Invalid format '" + std::string(content) +
                                    "'. Name must not be empty and delimiter must not be empty",
                                file, line->number);
        return result;
      }
      util::Expected<std::string_view> value = read_heredoc(reader, delimiter, file, line->number);
      if (!value) {
        result.error = std::move(value.error());
        return result;
      }
      if (auto too_big =
              check_value_size(entry.name, *value, kind, max_value, file, line->number)) {
        result.error = std::move(too_big);
        return result;
      }
      entry.value = *value;
    } else {
      result.error = error_at("Invalid format '" + std::string(content) + "'", file, line->number);
      return result;
    }
    if (kind == EnvFileKind::env && ascii_iequals(entry.name, "NODE_OPTIONS")) {
      result.issues.push_back(
          {"Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.", entry.line});
      continue;
    }
    result.entries.push_back(std::move(entry));
  }
  return result;
}

std::string_view env_file_variable(EnvFileKind kind) {
  switch (kind) {
    case EnvFileKind::env:
      return "GITHUB_ENV";
    case EnvFileKind::output:
      return "GITHUB_OUTPUT";
    case EnvFileKind::state:
      return "GITHUB_STATE";
  }
  return "";
}

std::string_view env_file_context(EnvFileKind kind) {
  return kind == EnvFileKind::env ? "env" : kind == EnvFileKind::output ? "output" : "state";
}

std::string env_file_failure_message(EnvFileKind kind) {
  return file_command_failure_message(env_file_context(kind));
}

std::string file_command_failure_message(std::string_view context) {
  return "Unable to process file command '" + std::string(context) + "' successfully.";
}

std::vector<std::string> parse_path_file(std::string_view text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) lines.emplace_back(text.substr(pos, end - pos));
    bool crlf = text.substr(end, 2) == "\r\n";
    pos = end + (crlf ? 2 : 1);
  }
  return lines;
}

void add_to_prepend_path(std::vector<std::string>& prepend, const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    if (line.empty()) continue;
    std::erase(prepend, line);
    prepend.push_back(line);
  }
}

std::string compose_path(const std::vector<std::string>& prepend, std::string_view old_path) {
  std::string path;
  for (auto it = prepend.rbegin(); it != prepend.rend(); ++it) {
    if (!path.empty()) path.push_back(':');
    path.append(*it);
  }
  if (!old_path.empty()) {
    if (!path.empty()) path.push_back(':');
    path.append(old_path);
  }
  return path;
}

std::optional<std::string> check_step_summary_size(uint64_t size) {
  if (size <= k_step_summary_limit) return std::nullopt;
  return "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of " +
         std::to_string(k_step_summary_limit / 1024) + "k, got " + std::to_string(size / 1024) +
         "k. For more information see: "
         "https://docs.github.com/actions/using-workflows/"
         "workflow-commands-for-github-actions#adding-a-markdown-summary";
}

}  // namespace pipewright::exec
