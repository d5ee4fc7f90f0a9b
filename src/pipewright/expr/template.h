// YAML scalars with `${{ }}` (gha-spec.md §3) and `if:` conditions (§5).
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/expr/error.h"
#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/parser.h"

namespace pipewright::expr {

class Template {
 public:
  struct Part {
    std::string literal;                     // text (when expression is null)
    std::shared_ptr<Expression> expression;  // or an expression
    size_t offset = 0;                       // byte offset in the scalar: of the text, or of `${{`
  };

  // Splits `scalar` into text and expressions (parsed with allow_any_named_value).
  // Fails with "The expression is not closed..." or the expression's own error.
  static std::expected<Template, ExprError> parse(std::string_view scalar);

  bool has_expressions() const;
  // The whole scalar, modulo surrounding whitespace, is one `${{ }}`: its result keeps its type.
  bool is_single_expression() const;
  const std::vector<Part>& parts() const { return m_parts; }

  // A single expression → its value; otherwise always a string (as format() would build);
  // no expressions → the literal text.
  std::expected<Value, ExprError> evaluate(const EvalContext& context) const;

 private:
  std::vector<Part> m_parts;
  bool m_single = false;
};

// The length of the one expression GitHub's reader builds from a scalar holding `${{ }}`
// (its 21,000 limit applies to it): the trimmed expression when the scalar is exactly one
// `${{ }}`, otherwise format('text{0}text', e0, ...) with quotes and braces doubled. Counted
// in UTF-16 code units, as GitHub counts. 0 without `${{`; nullopt when one is not closed.
std::optional<size_t> github_expression_length(std::string_view scalar);

// Parses an `if:` condition (with or without `${{ }}`), wrapped as `success() && (<cond>)`
// unless it calls a status function; empty → `success()`.
std::expected<Expression, ExprError> parse_condition(std::string_view if_text,
                                                     const ParseOptions& options);
// Whether the condition calls a status function itself (parse_condition then adds no
// success()); false for an empty or unparsable condition.
bool calls_status_function(std::string_view if_text, const ParseOptions& options);

}  // namespace pipewright::expr
