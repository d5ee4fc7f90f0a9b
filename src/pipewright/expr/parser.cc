// A recursive-descent parser over a pull lexer. Errors carry GitHub's texts:
// "<description>: '<token>'. Located at position <col> within expression: <text>".
#include "pipewright/expr/parser.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "pipewright/expr/casefold.h"
#include "pipewright/expr/functions.h"
#include "pipewright/expr/lexer.h"

namespace pipewright::expr {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::lexing:
      return "lexing";
    case ErrorKind::parsing:
      return "parsing";
    case ErrorKind::evaluation:
      return "evaluation";
  }
  return "parsing";
}

Node* Expression::add_node(NodeKind kind, int position) {
  Node& node = m_nodes.emplace_back();
  node.kind = kind;
  node.position = position;
  return &node;
}

namespace {

// Parentheses add no depth but do add recursion; bound them too.
constexpr int k_max_nesting = 400;

struct Keyword {
  std::string_view text;
  Value value;
};

const Keyword* find_keyword(std::string_view text) {
  static const Keyword k_keywords[] = {
      {"null", Value()},   {"true", Value(true)},         {"false", Value(false)},
      {"NaN", Value(NAN)}, {"Infinity", Value(INFINITY)},
  };
  for (const Keyword& k : k_keywords)
    if (k.text == text) return &k;  // case-sensitive
  return nullptr;
}

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options, Expression& out)
      : m_text(text), m_options(options), m_out(out), m_lexer(text) {}

  std::expected<void, ExprError> run() {
    advance();
    if (m_tok.kind == TokenKind::end) {  // an empty expression is null
      m_out.set_root(m_out.add_node(NodeKind::literal, 0));
      return {};
    }
    const Node* root = parse_or();
    if (root && m_tok.kind != TokenKind::end) unexpected();
    if (m_error) return std::unexpected(std::move(*m_error));
    if (depth(root) > k_max_expression_depth) return std::unexpected(depth_error());
    m_out.set_root(root);
    return {};
  }

 private:
  // ---- tokens and errors ----

  void advance() {
    m_prev = std::move(m_tok);
    m_tok = m_lexer.next();
  }

  // The 1-based column of byte `offset`, counted incrementally (offsets mostly grow).
  int column(size_t offset) {
    if (offset < m_column_offset) {
      m_column_offset = 0;
      m_column = 1;
    }
    m_column += column_of(m_text.substr(m_column_offset), offset - m_column_offset) - 1;
    m_column_offset = offset;
    return m_column;
  }

  std::nullptr_t fail(ErrorKind kind, std::string_view description, const Token& token) {
    if (m_error) return nullptr;
    int position = column(token.offset);
    m_error = ExprError{kind,
                        std::string(description) + ": '" + std::string(token.text) +
                            "'. Located at position " + std::to_string(position) +
                            " within expression: " + std::string(m_text),
                        position};
    return nullptr;
  }

  // The current token is not what the grammar allows here.
  std::nullptr_t unexpected() {
    if (m_tok.kind == TokenKind::invalid)
      return fail(ErrorKind::lexing, "Unexpected symbol", m_tok);
    if (m_tok.kind == TokenKind::end)
      return fail(ErrorKind::parsing, "Unexpected end of expression", m_prev);
    return fail(ErrorKind::parsing, "Unexpected symbol", m_tok);
  }

  ExprError depth_error() const {
    return ExprError{ErrorKind::parsing,
                     "Exceeded max expression depth " + std::to_string(k_max_expression_depth), 0};
  }

  static int depth(const Node* node) {
    int deepest = 0;
    for (const Node* child : node->children)
      deepest = std::max(deepest, depth(child));
    return deepest + 1;
  }

  Node* add_at(NodeKind kind, size_t offset) { return m_out.add_node(kind, column(offset)); }
  Node* add(NodeKind kind, const Token& token) {
    return m_out.add_node(kind, column(token.offset));
  }

  // ---- grammar ----

  // or := and ('||' and)*   (one n-ary node)
  const Node* parse_or() {
    return parse_logical(TokenKind::op_or, NodeKind::logical_or, &Parser::parse_and);
  }
  // and := equality ('&&' equality)*
  const Node* parse_and() {
    return parse_logical(TokenKind::op_and, NodeKind::logical_and, &Parser::parse_equality);
  }

  const Node* parse_logical(TokenKind op, NodeKind kind, const Node* (Parser::*operand)()) {
    const Node* first = (this->*operand)();
    if (!first || m_tok.kind != op) return first;
    Node* node = add(kind, m_tok);
    node->children.push_back(first);
    while (m_tok.kind == op) {
      advance();
      const Node* next = (this->*operand)();
      if (!next) return nullptr;
      node->children.push_back(next);
    }
    return node;
  }

  // equality := comparison (('==' | '!=') comparison)*
  const Node* parse_equality() {
    return parse_binary(&Parser::parse_comparison, [](TokenKind k, CompareOp& op) {
      if (k == TokenKind::op_eq) return op = CompareOp::eq, true;
      if (k == TokenKind::op_ne) return op = CompareOp::ne, true;
      return false;
    });
  }

  // comparison := unary (('<' | '<=' | '>' | '>=') unary)*
  const Node* parse_comparison() {
    return parse_binary(&Parser::parse_unary, [](TokenKind k, CompareOp& op) {
      switch (k) {
        case TokenKind::op_lt:
          return op = CompareOp::lt, true;
        case TokenKind::op_le:
          return op = CompareOp::le, true;
        case TokenKind::op_gt:
          return op = CompareOp::gt, true;
        case TokenKind::op_ge:
          return op = CompareOp::ge, true;
        default:
          return false;
      }
    });
  }

  template <class Match>
  const Node* parse_binary(const Node* (Parser::*operand)(), Match match) {
    const Node* left = (this->*operand)();
    CompareOp op{};
    while (left && match(m_tok.kind, op)) {
      Node* node = add(NodeKind::compare, m_tok);
      node->op = op;
      advance();
      const Node* right = (this->*operand)();
      if (!right) return nullptr;
      node->children = {left, right};
      left = node;
    }
    return left;
  }

  // unary := '!' unary | postfix
  const Node* parse_unary() {
    if (m_tok.kind != TokenKind::op_not) return parse_postfix();
    if (++m_nesting > k_max_nesting) return too_deep();
    Node* node = add(NodeKind::logical_not, m_tok);
    advance();
    const Node* operand = parse_unary();
    --m_nesting;
    if (!operand) return nullptr;
    node->children.push_back(operand);
    return node;
  }

  std::nullptr_t too_deep() {
    if (!m_error) m_error = depth_error();
    return nullptr;
  }

  // postfix := primary ('.' name | '.' '*' | '[' expr ']' | '[' '*' ']')*
  const Node* parse_postfix() {
    const Node* node = parse_primary();
    while (node && (m_tok.kind == TokenKind::dot || m_tok.kind == TokenKind::left_bracket)) {
      bool dotted = m_tok.kind == TokenKind::dot;
      size_t open = m_tok.offset;  // the `.` or `[`
      advance();
      if (m_tok.kind == TokenKind::star) {
        advance();
        if (!dotted) {
          if (m_tok.kind != TokenKind::right_bracket) return unexpected();
          advance();
        }
        Node* wildcard = add_at(NodeKind::wildcard, open);
        wildcard->dotted = dotted;
        wildcard->children.push_back(node);
        node = wildcard;
        continue;
      }
      Node* index = add_at(NodeKind::index, open);
      index->dotted = dotted;
      if (dotted) {
        if (m_tok.kind != TokenKind::word) return unexpected();
        Node* key = add(NodeKind::literal, m_tok);
        key->value = Value(std::string(m_tok.text));
        advance();
        index->children = {node, key};
      } else {
        if (++m_nesting > k_max_nesting) return too_deep();
        const Node* key = parse_or();
        --m_nesting;
        if (!key) return nullptr;
        if (m_tok.kind != TokenKind::right_bracket) return unexpected();
        advance();
        index->children = {node, key};
      }
      node = index;
    }
    return node;
  }

  // primary := literal | '(' expr ')' | name '(' args ')' | name
  const Node* parse_primary() {
    switch (m_tok.kind) {
      case TokenKind::number: {
        Node* node = add(NodeKind::literal, m_tok);
        node->value = Value(m_tok.number);
        advance();
        return node;
      }
      case TokenKind::string: {
        Node* node = add(NodeKind::literal, m_tok);
        node->value = Value(std::move(m_tok.string));
        advance();
        return node;
      }
      case TokenKind::left_paren: {
        if (++m_nesting > k_max_nesting) return too_deep();
        advance();
        const Node* inner = parse_or();
        --m_nesting;
        if (!inner) return nullptr;
        if (m_tok.kind != TokenKind::right_paren) return unexpected();
        advance();
        return inner;
      }
      case TokenKind::word:
        return parse_word();
      default:
        return unexpected();
    }
  }

  const Node* parse_word() {
    if (const Keyword* keyword = find_keyword(m_tok.text)) {
      Node* node = add(NodeKind::literal, m_tok);
      node->value = keyword->value;
      advance();
      return node;
    }
    Token name = m_tok;
    advance();
    if (m_tok.kind == TokenKind::left_paren) return parse_call(name);
    if (!m_options.allow_any_named_value && !contains_name(m_options.named_values, name.text))
      return fail(ErrorKind::parsing, "Unrecognized named-value", name);
    Node* node = add(NodeKind::named_value, name);
    node->name = std::string(name.text);
    return node;
  }

  static bool contains_name(const std::vector<std::string>& names, std::string_view name) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return equals_ignore_case(n, name); });
  }

  // Called with the current token on '('.
  const Node* parse_call(const Token& name) {
    int function = find_function(name.text);
    if (function < 0 && !contains_name(m_options.extra_functions, name.text))
      return fail(ErrorKind::parsing, "Unrecognized function", name);
    if (++m_nesting > k_max_nesting) return too_deep();
    Node* node = add(NodeKind::function, name);
    node->name = std::string(name.text);
    node->function = function;
    advance();  // '('
    if (m_tok.kind != TokenKind::right_paren) {
      while (true) {
        const Node* arg = parse_or();
        if (!arg) return nullptr;
        node->children.push_back(arg);
        if (m_tok.kind == TokenKind::comma) {
          advance();
          continue;
        }
        if (m_tok.kind == TokenKind::right_paren) break;
        return unexpected();
      }
    }
    --m_nesting;
    if (function >= 0 && !check_arguments(functions()[function], node->children.size(), name))
      return nullptr;
    advance();  // ')'
    return node;
  }

  bool check_arguments(const FunctionInfo& info, size_t count, const Token& name) {
    int n = static_cast<int>(count);
    int max = info.job_status && m_options.job_status_functions ? INT_MAX : info.max_args;
    if (n < info.min_args)
      return fail(ErrorKind::parsing, "Too few parameters supplied", name), false;
    if (n > max) return fail(ErrorKind::parsing, "Too many parameters supplied", name), false;
    if (info.odd_args && n % 2 == 0)
      return fail(ErrorKind::parsing,
                  "Even number of parameters supplied, requires an odd number of parameters", name),
             false;
    return true;
  }

  std::string_view m_text;
  const ParseOptions& m_options;
  Expression& m_out;
  Lexer m_lexer;
  Token m_tok;
  Token m_prev;
  int m_nesting = 0;
  size_t m_column_offset = 0;  // column() cache: byte offset and its column
  int m_column = 1;
  std::optional<ExprError> m_error;
};

size_t count_code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::expected<Expression, ExprError> parse(std::string_view text, const ParseOptions& options) {
  if (text.size() > k_max_expression_length && count_code_points(text) > k_max_expression_length)
    return std::unexpected(
        ExprError{ErrorKind::parsing,
                  "Exceeded max expression length " + std::to_string(k_max_expression_length), 0});
  Expression expression;
  expression.set_text(std::string(text));
  // Nodes own their strings, so nothing keeps pointing into the text once parsed.
  Parser parser(expression.text(), options, expression);
  auto ok = parser.run();
  if (!ok) return std::unexpected(std::move(ok).error());
  return expression;
}

}  // namespace pipewright::expr
