// Diagnostics: findings about a user's file, rendered the compiler way —
// "file:line:col: error: message [rule]", the source line, a caret, a hint.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::util {

enum class Severity { error, warning, notice };

std::string_view severity_name(Severity severity);

struct Diagnostic {
  Severity severity = Severity::error;
  Location location;
  std::string message;
  std::string rule;  // short stable id, e.g. "syntax", "unknown-key", "expression"
  std::string hint;  // optional: what to do about it
};

// The 1-based line `line` of `source` without its line break ("" when out of range).
std::string_view source_line(std::string_view source, int line);

// Renders one diagnostic as text. When `source` holds the file's text, the offending
// line and a caret under the column follow the header line.
std::string render_diagnostic(const Diagnostic& diagnostic, std::string_view source = {});

// Orders diagnostics by file, line, column (stable for equal positions).
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);

}  // namespace pipewright::util
