#include "pipewright/util/diagnostic.h"

#include <algorithm>

#include <fmt/format.h>

namespace pipewright::util {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::notice:
      return "notice";
  }
  return "error";
}

std::string_view source_line(std::string_view source, int line) {
  if (line < 1) return {};
  size_t begin = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = source.find('\n', begin);
    if (nl == std::string_view::npos) return {};
    begin = nl + 1;
  }
  size_t end = source.find('\n', begin);
  std::string_view text = source.substr(begin, end == std::string_view::npos ? end : end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

std::string render_diagnostic(const Diagnostic& d, std::string_view source) {
  std::string out;
  const Location& loc = d.location;
  if (!loc.file.empty()) out += loc.file + ":";
  if (loc.known()) out += fmt::format("{}:{}:", loc.line, loc.column);
  if (!out.empty()) out += " ";
  out += fmt::format("{}: {}", severity_name(d.severity), d.message);
  if (!d.rule.empty()) out += fmt::format(" [{}]", d.rule);
  out += "\n";
  std::string_view text = source_line(source, loc.line);
  if (loc.known() && !text.empty()) {
    out += fmt::format("  {}\n", text);
    // Keep tabs so the caret lines up under tab-indented text.
    std::string pad;
    for (int i = 1; i < loc.column && i - 1 < static_cast<int>(text.size()); ++i)
      pad += text[i - 1] == '\t' ? '\t' : ' ';
    out += fmt::format("  {}^\n", pad);
  }
  if (!d.hint.empty()) out += fmt::format("  hint: {}\n", d.hint);
  return out;
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.location.file != b.location.file)
                       return a.location.file < b.location.file;
                     if (a.location.line != b.location.line)
                       return a.location.line < b.location.line;
                     return a.location.column < b.location.column;
                   });
}

}  // namespace pipewright::util
