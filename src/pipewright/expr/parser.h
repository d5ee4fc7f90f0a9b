// Parsing `${{ }}` expression text (gha-spec.md §2.1, §2.2) into an Expression.
#pragma once

#include <deque>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/expr/ast.h"
#include "pipewright/expr/error.h"

namespace pipewright::expr {

inline constexpr size_t k_max_expression_length = 21000;
inline constexpr int k_max_expression_depth = 50;

struct ParseOptions {
  // The context names that may appear (case-insensitive).
  std::vector<std::string> named_values = {};
  // Accept any context name (templates; later checked by the linter).
  bool allow_any_named_value = false;
  // Extra function names accepted with any argument count (none by default).
  std::vector<std::string> extra_functions = {};
  // Allow job-level status functions: success(ids...) / failure(ids...).
  bool job_status_functions = false;
};

// A parsed expression: owns its source text and its nodes. Movable, not copyable.
class Expression {
 public:
  Expression() = default;
  Expression(Expression&&) noexcept = default;
  Expression& operator=(Expression&&) noexcept = default;
  Expression(const Expression&) = delete;
  Expression& operator=(const Expression&) = delete;

  const std::string& text() const { return m_text; }
  // The root node (nullptr only for a default-constructed Expression).
  const Node* root() const { return m_root; }

  // Building (used by the parser).
  Node* add_node(NodeKind kind, int position);
  void set_root(const Node* root) { m_root = root; }
  void set_text(std::string text) { m_text = std::move(text); }

 private:
  std::string m_text;
  std::deque<Node> m_nodes;
  const Node* m_root = nullptr;
};

// Parses `text` (without `${{ }}`). Fails with a lexing or parsing ExprError in
// GitHub's words: bad tokens, unknown names, wrong argument counts, depth > 50,
// length > 21,000.
std::expected<Expression, ExprError> parse(std::string_view text, const ParseOptions& options = {});

}  // namespace pipewright::expr
