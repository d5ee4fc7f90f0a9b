// Rendering lint findings for people (text), tools (json, sarif) and GitHub's own log
// annotations (github workflow commands).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "pipewright/util/diagnostic.h"

namespace pipewright::cli {

enum class LintFormat { text, json, sarif, github };

// "text", "json", "sarif" or "github" → the format; nullopt for anything else.
std::optional<LintFormat> parse_lint_format(std::string_view name);

// What a rule id means, for SARIF's rule table.
struct RuleInfo {
  std::string id;
  std::string description;
};

struct LintReport {
  std::span<const util::Diagnostic> diagnostics;  // sorted by the caller
  std::map<std::string, std::string> sources;     // file → content, for source lines
  size_t files_checked = 0;
  std::span<const RuleInfo> rules;  // descriptions for SARIF (rules not listed get none)
};

// "2 errors, 1 warning in 3 files" (a notice count is added when there are notices).
std::string lint_summary(std::span<const util::Diagnostic> diagnostics, size_t files_checked);

// The whole output for `report` in `format`:
//   text   — each diagnostic with its source line and caret, then the summary line;
//   json   — an array of {file, line, column, severity, message, rule[, hint]};
//   sarif  — a SARIF 2.1.0 log with one run, its rules and results;
//   github — one `::error file=…,line=…,col=…,title=…::message` line per diagnostic.
std::string render_lint_report(const LintReport& report, LintFormat format);

// Escaping for workflow commands: data escapes %, CR, LF; properties also `:` and `,`.
std::string escape_command_data(std::string_view text);
std::string escape_command_property(std::string_view text);

}  // namespace pipewright::cli
