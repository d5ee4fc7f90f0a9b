#include "pipewright/cli/lint_output.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipewright/util/utf8.h"

namespace pipewright::cli {

namespace {

using util::Diagnostic;
using util::Severity;

struct FormatRow {
  std::string_view name;
  LintFormat format;
};
constexpr FormatRow k_formats[] = {
    {"text", LintFormat::text},
    {"json", LintFormat::json},
    {"sarif", LintFormat::sarif},
    {"github", LintFormat::github},
};

std::string plural(size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string_view source_of(const LintReport& report, const std::string& file) {
  auto it = report.sources.find(file);
  return it == report.sources.end() ? std::string_view{} : std::string_view(it->second);
}

// `text` with every byte of an invalid UTF-8 sequence replaced by '?' (keeps columns).
std::string printable(std::string_view text) {
  std::string out(text);
  size_t from = 0;
  while (from < out.size()) {
    auto bad = util::find_invalid_utf8(std::string_view(out).substr(from));
    if (!bad) break;
    out[from + *bad] = '?';
    from += *bad + 1;
  }
  return out;
}

std::string render_text(const LintReport& report) {
  std::string out;
  for (const Diagnostic& d : report.diagnostics)
    out += printable(util::render_diagnostic(d, source_of(report, d.location.file)));
  out += lint_summary(report.diagnostics, report.files_checked) + "\n";
  return out;
}

std::string render_json(const LintReport& report) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Diagnostic& d : report.diagnostics) {
    nlohmann::ordered_json item;
    item["file"] = d.location.file;
    item["line"] = d.location.line;
    item["column"] = d.location.column;
    item["severity"] = std::string(util::severity_name(d.severity));
    item["message"] = d.message;
    item["rule"] = d.rule;
    if (!d.hint.empty()) item["hint"] = d.hint;
    out.push_back(std::move(item));
  }
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string_view sarif_level(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::notice:
      return "note";
  }
  return "error";
}

std::string render_sarif(const LintReport& report) {
  // The rule table: every rule that produced a result, in first-seen order.
  std::vector<std::string> rule_ids;
  std::map<std::string, size_t> rule_index;
  for (const Diagnostic& d : report.diagnostics)
    if (rule_index.emplace(d.rule, rule_ids.size()).second) rule_ids.push_back(d.rule);
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const std::string& id : rule_ids) {
    nlohmann::ordered_json rule;
    rule["id"] = id;
    for (const RuleInfo& info : report.rules)
      if (info.id == id) rule["shortDescription"]["text"] = info.description;
    rules.push_back(std::move(rule));
  }
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const Diagnostic& d : report.diagnostics) {
    nlohmann::ordered_json r;
    r["ruleId"] = d.rule;
    r["ruleIndex"] = rule_index[d.rule];
    r["level"] = std::string(sarif_level(d.severity));
    std::string text = d.message;
    if (!d.hint.empty()) text += " (hint: " + d.hint + ")";
    r["message"]["text"] = text;
    nlohmann::ordered_json physical;
    physical["artifactLocation"]["uri"] = d.location.file;
    if (d.location.known()) {
      physical["region"]["startLine"] = d.location.line;
      if (d.location.column > 0) physical["region"]["startColumn"] = d.location.column;
    }
    r["locations"] = nlohmann::ordered_json::array({{{"physicalLocation", physical}}});
    results.push_back(std::move(r));
  }
  nlohmann::ordered_json driver;
  driver["name"] = "pipewright";
  driver["version"] = "0.1.0";
  driver["rules"] = std::move(rules);
  nlohmann::ordered_json run;
  run["tool"]["driver"] = std::move(driver);
  run["results"] = std::move(results);
  nlohmann::ordered_json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = nlohmann::ordered_json::array({std::move(run)});
  return log.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string render_github(const LintReport& report) {
  std::string out;
  for (const Diagnostic& d : report.diagnostics) {
    std::string props = "file=" + escape_command_property(d.location.file);
    if (d.location.known()) {
      props += fmt::format(",line={}", d.location.line);
      if (d.location.column > 0) props += fmt::format(",col={}", d.location.column);
    }
    if (!d.rule.empty()) props += ",title=" + escape_command_property(d.rule);
    std::string message = d.message;
    if (!d.hint.empty()) message += "\nhint: " + d.hint;
    out += printable(fmt::format("::{} {}::{}\n", util::severity_name(d.severity), props,
                                 escape_command_data(message)));
  }
  return out;
}

}  // namespace

std::optional<LintFormat> parse_lint_format(std::string_view name) {
  for (const FormatRow& row : k_formats)
    if (row.name == name) return row.format;
  return std::nullopt;
}

std::string lint_summary(std::span<const Diagnostic> diagnostics, size_t files_checked) {
  size_t counts[3] = {0, 0, 0};
  for (const Diagnostic& d : diagnostics)
    ++counts[static_cast<int>(d.severity)];
  std::string out = plural(counts[0], "error") + ", " + plural(counts[1], "warning");
  if (counts[2] > 0) out += ", " + plural(counts[2], "notice");
  return out + " in " + plural(files_checked, "file");
}

std::string render_lint_report(const LintReport& report, LintFormat format) {
  switch (format) {
    case LintFormat::text:
      return render_text(report);
    case LintFormat::json:
      return render_json(report);
    case LintFormat::sarif:
      return render_sarif(report);
    case LintFormat::github:
      return render_github(report);
  }
  return {};
}

std::string escape_command_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string escape_command_property(std::string_view text) {
  std::string out;
  for (char c : escape_command_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

}  // namespace pipewright::cli
