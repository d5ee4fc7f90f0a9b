#include "pipewright/workflow/lint/expression_check.h"

#include <cctype>

#include <fmt/format.h>

#include "pipewright/expr/analysis.h"
#include "pipewright/expr/template.h"
#include "pipewright/util/suggest.h"
#include "pipewright/workflow/lint/known.h"

namespace pipewright::workflow::lint {

namespace {

using util::Diagnostic;
using util::Severity;

constexpr std::string_view k_all_contexts[] = {
    "github", "env",     "vars",     "job",    "jobs",  "steps",
    "runner", "secrets", "strategy", "matrix", "needs", "inputs",
};
constexpr std::string_view k_status_functions[] = {"success", "failure", "cancelled", "always"};
constexpr std::string_view k_step_fields[] = {"outputs", "outcome", "conclusion"};
constexpr std::string_view k_needs_fields[] = {"result", "outputs"};

bool contains_ci(const std::vector<std::string>& list, std::string_view name) {
  for (const std::string& s : list)
    if (iequals(s, name)) return true;
  return false;
}

bool contains_ci(std::span<const std::string_view> list, std::string_view name) {
  for (std::string_view s : list)
    if (iequals(s, name)) return true;
  return false;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  std::string best = util::closest_match(word, candidates);
  return best.empty() ? std::string() : fmt::format("did you mean '{}'?", best);
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::vector<std::string_view> views(candidates.begin(), candidates.end());
  return did_you_mean(word, std::span<const std::string_view>(views));
}

std::string join(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& s : list)
    out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

// Everything about one expression inside the scalar.
struct ExpressionSite {
  const expr::Expression& expression;
  size_t base;  // offset of the expression text in the scalar
  const ExpressionScope& scope;
  const LocateFn& locate;
  std::vector<Diagnostic>& out;

  util::Location at(size_t offset_in_text) const { return locate(base + offset_in_text); }

  void report(Severity severity, size_t offset, std::string message, std::string rule,
              std::string hint = {}) const {
    out.push_back({severity, at(offset), std::move(message), std::move(rule), std::move(hint)});
  }

  void check_functions() const {
    for (const expr::FunctionCall& call : expr::function_calls(expression)) {
      size_t offset = byte_offset(expression.text(), call.position);
      if (contains_ci(k_status_functions, call.name) && !scope.status_functions) {
        report(Severity::error, offset,
               fmt::format("status function '{}()' is not allowed at '{}'; only 'if' conditions "
                           "may use success(), failure(), cancelled() and always()",
                           call.name, scope.key),
               "expression-function");
      } else if (iequals(call.name, "hashFiles") && !scope.hash_files) {
        report(Severity::error, offset,
               fmt::format("hashFiles() is not available at '{}'; it only works in step keys",
                           scope.key),
               "expression-function");
      }
    }
  }

  // Checks `name` (path element `index` of `ref`) against a list of defined names.
  bool check_name(const expr::ContextReference& ref, size_t index,
                  const std::optional<std::vector<std::string>>& defined, std::string_view what,
                  std::string_view where, Severity severity = Severity::error) const {
    if (!defined || ref.path.size() <= index || ref.path[index] == "*") return true;
    const std::string& name = ref.path[index];
    if (contains_ci(*defined, name)) return true;
    report(severity, property_offset(expression.text(), ref.position, index),
           fmt::format("{} '{}' is not defined {}", what, name, where), "expression-reference",
           did_you_mean(name, *defined));
    return false;
  }

  void check_field(const expr::ContextReference& ref, size_t index,
                   std::span<const std::string_view> fields) const {
    if (ref.path.size() <= index || ref.path[index] == "*") return;
    const std::string& name = ref.path[index];
    if (contains_ci(fields, name)) return;
    std::string chain = ref.context;
    for (size_t i = 0; i < index; ++i)
      chain += "." + ref.path[i];
    report(Severity::error, property_offset(expression.text(), ref.position, index),
           fmt::format("unknown property '{}' of '{}'", name, chain), "expression-reference",
           did_you_mean(name, fields));
  }

  // `<ctx>.<job>.outputs.<name>`: the job must declare that output.
  void check_output(const expr::ContextReference& ref) const {
    if (ref.path.size() < 3 || !iequals(ref.path[1], "outputs") || ref.path[2] == "*") return;
    std::string job = ref.path[0];
    for (char& ch : job)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto it = scope.job_outputs.find(job);
    if (it == scope.job_outputs.end() || contains_ci(it->second, ref.path[2])) return;
    report(Severity::error, property_offset(expression.text(), ref.position, 2),
           fmt::format("job '{}' has no output '{}'", ref.path[0], ref.path[2]),
           "expression-reference", did_you_mean(ref.path[2], it->second));
  }

  // `needs.<id>` naming a job of the workflow that this job does not need directly: GitHub
  // accepts the file and evaluates it to null, so this is a warning, not an error.
  bool is_indirect_need(const expr::ContextReference& ref) const {
    if (!scope.needs || !scope.jobs || ref.path.empty() || ref.path[0] == "*") return false;
    const std::string& name = ref.path[0];
    if (contains_ci(*scope.needs, name) || !contains_ci(*scope.jobs, name)) return false;
    report(Severity::warning, property_offset(expression.text(), ref.position, 0),
           fmt::format("job '{}' is not in this job's 'needs', so 'needs.{}' is null here (only "
                       "direct dependencies are visible)",
                       name, name),
           "expression-reference", fmt::format("add '{}' to this job's 'needs'", name));
    return true;
  }

  void check_shape(const expr::ContextReference& ref) const {
    std::string context = ref.context;
    for (char& c : context)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (context == "github" || context == "runner" || context == "job" || context == "strategy") {
      check_field(ref, 0, known_context_fields(context));
    } else if (context == "steps") {
      if (check_name(ref, 0, scope.step_ids, "step", "(no earlier step has that id)"))
        check_field(ref, 1, k_step_fields);
    } else if (context == "needs") {
      if (is_indirect_need(ref)) return;
      if (check_name(ref, 0, scope.needs, "job",
                     "in this job's 'needs' (only direct dependencies are visible)")) {
        check_field(ref, 1, k_needs_fields);
        check_output(ref);
      }
    } else if (context == "jobs") {
      if (check_name(ref, 0, scope.jobs, "job", "in this workflow")) {
        check_field(ref, 1, k_needs_fields);
        check_output(ref);
      }
    } else if (context == "matrix") {
      // GitHub reads a missing key as null and runs the file (`matrix.os || 'ubuntu-latest'`
      // is an idiom): a warning.
      check_name(ref, 0, scope.matrix_keys, "matrix key",
                 "in this job's strategy.matrix (it is null here)", Severity::warning);
    } else if (context == "inputs") {
      check_name(ref, 0, scope.inputs, "input", scope.inputs_where);
    }
  }

  void check_contexts() const {
    for (const expr::ContextReference& ref : expr::context_references(expression)) {
      size_t offset = byte_offset(expression.text(), ref.position);
      if (!contains_ci(k_all_contexts, ref.context)) {
        report(Severity::error, offset, fmt::format("unknown context '{}'", ref.context),
               "expression-context", did_you_mean(ref.context, k_all_contexts));
        continue;
      }
      if (!contains_ci(scope.contexts, ref.context)) {
        report(Severity::error, offset,
               fmt::format("context '{}' is not available at '{}'", ref.context, scope.key),
               "expression-context", fmt::format("available here: {}", join(scope.contexts)));
        continue;
      }
      check_shape(ref);
      if (scope.injection_sink && iequals(ref.context, "github") &&
          is_untrusted_github_path(ref.path)) {
        std::string chain = "github";
        for (const std::string& p : ref.path)
          chain += "." + p;
        report(Severity::warning, offset,
               fmt::format("'{}' is potentially untrusted; interpolating it into a script "
                           "allows script injection",
                           chain),
               "script-injection",
               fmt::format("pass it through an environment variable (env: VALUE: ${{{{ {} }}}}) "
                           "and use \"$VALUE\" in the script",
                           chain));
      }
    }
  }
};

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

}  // namespace

size_t byte_offset(std::string_view text, int position) {
  int units = 1;
  size_t i = 0;
  for (; i < text.size() && units < position; ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    if ((b & 0xC0) != 0x80) units += b >= 0xF0 ? 2 : 1;
  }
  // Step over the continuation bytes of the last character counted.
  while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
    ++i;
  return i;
}

size_t property_offset(std::string_view text, int position, size_t index) {
  const size_t start = byte_offset(text, position);
  size_t i = start;
  while (i < text.size() && is_ident_char(text[i]))
    ++i;  // the context name
  auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
  };
  for (size_t element = 0; i < text.size(); ++element) {
    skip_space();
    if (i >= text.size()) break;
    size_t at = 0;
    if (text[i] == '.') {
      ++i;
      skip_space();
      at = i;
      while (i < text.size() && (is_ident_char(text[i]) || text[i] == '*'))
        ++i;
    } else if (text[i] == '[') {
      ++i;
      skip_space();
      at = i < text.size() && text[i] == '\'' ? i + 1 : i;
      // Skip to the matching `]`, over quoted strings.
      bool quoted = false;
      while (i < text.size() && (quoted || text[i] != ']')) {
        if (text[i] == '\'') quoted = !quoted;
        ++i;
      }
      if (i < text.size()) ++i;
    } else {
      break;
    }
    if (element == index) return at;
  }
  return start;
}

void check_expressions(std::string_view scalar, const ExpressionScope& scope,
                       const LocateFn& locate, std::vector<Diagnostic>& out) {
  if (scope.condition && scalar.find("${{") == std::string_view::npos) {
    // A bare `if:` condition is one expression without the wrapper.
    expr::ParseOptions options;
    options.allow_any_named_value = true;
    options.job_status_functions = true;
    auto condition = expr::parse(scalar, options);
    if (!condition) return;  // the loader reports syntax errors
    ExpressionSite site{*condition, 0, scope, locate, out};
    site.check_functions();
    site.check_contexts();
    return;
  }
  auto parsed = expr::Template::parse(scalar);
  if (!parsed) return;  // the loader reports syntax errors
  for (const expr::Template::Part& part : parsed->parts()) {
    if (!part.expression) continue;
    ExpressionSite site{*part.expression, part.offset + 3, scope, locate, out};
    site.check_functions();
    site.check_contexts();
  }
}

}  // namespace pipewright::workflow::lint
