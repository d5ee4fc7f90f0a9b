#include "pipewright/expr/template.h"

#include <utility>

#include "pipewright/expr/analysis.h"
#include "pipewright/expr/functions.h"
#include "pipewright/util/utf8.h"

namespace pipewright::expr {

namespace {

constexpr std::string_view k_open = "${{";
constexpr std::string_view k_close = "}}";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_blank(std::string_view s) {
  for (char c : s)
    if (!is_space(c)) return false;
  return true;
}

// The offset of the `}}` that closes an expression starting at `from` (outside
// single-quoted strings), or npos.
size_t find_close(std::string_view s, size_t from) {
  bool in_string = false;
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '\'') {
      in_string = !in_string;  // `''` toggles twice
    } else if (!in_string && s[i] == '}' && i + 1 < s.size() && s[i + 1] == '}') {
      return i;
    }
  }
  return std::string_view::npos;
}

ExprError not_closed(size_t offset) {
  return ExprError{
      ErrorKind::parsing,
      "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} "
      "sequence was not found.",
      1, offset};
}

// `text` as a literal inside a format() string: braces doubled, quotes doubled.
void append_format_literal(std::string_view text, std::string& out) {
  for (char c : text) {
    if (c == '{' || c == '}' || c == '\'') out += c;
    out += c;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// GitHub's reader refuses `${{ }}` with nothing inside.
ExprError expression_expected(size_t offset) {
  return ExprError{ErrorKind::parsing, "An expression was expected", 1, offset};
}

ExprError too_long(size_t length) {
  return ExprError{ErrorKind::parsing,
                   "Exceeded max expression length " + std::to_string(k_max_expression_length) +
                       " (the scalar makes an expression of " + std::to_string(length) +
                       " characters; move the script to a file or pass values through env:)",
                   1, 0};
}

}  // namespace

std::optional<size_t> github_expression_length(std::string_view scalar) {
  size_t text = 0;  // the format string's text, escapes included
  size_t args = 0;  // ", e0, e1"
  size_t count = 0;
  size_t last_body = 0;
  bool any_text = false;
  size_t pos = 0;
  auto add_text = [&](std::string_view literal) {
    if (literal.empty()) return;
    any_text = true;
    text += util::utf16_length(literal);
    for (char c : literal)
      if (c == '{' || c == '}' || c == '\'') ++text;
  };
  while (pos < scalar.size()) {
    size_t open = scalar.find(k_open, pos);
    if (open == std::string_view::npos) {
      add_text(scalar.substr(pos));
      break;
    }
    add_text(scalar.substr(pos, open - pos));
    size_t body = open + k_open.size();
    size_t close = find_close(scalar, body);
    if (close == std::string_view::npos) return std::nullopt;
    last_body = util::utf16_length(trim(scalar.substr(body, close - body)));
    text += 2 + std::to_string(count).size();  // {N}
    args += 2 + last_body;
    ++count;
    pos = close + k_close.size();
  }
  if (count == 0) return 0;  // text only: not an expression
  if (count == 1 && !any_text) return last_body;
  return std::string_view("format('").size() + text + 1 + args + 1;
}

std::expected<Template, ExprError> Template::parse(std::string_view scalar) {
  Template t;
  ParseOptions options;
  options.allow_any_named_value = true;
  options.job_status_functions = true;
  size_t pos = 0;
  while (pos < scalar.size()) {
    size_t open = scalar.find(k_open, pos);
    if (open == std::string_view::npos) {
      t.m_parts.push_back(Part{std::string(scalar.substr(pos)), nullptr, pos});
      break;
    }
    if (open > pos)
      t.m_parts.push_back(Part{std::string(scalar.substr(pos, open - pos)), nullptr, pos});
    size_t body = open + k_open.size();
    size_t close = find_close(scalar, body);
    if (close == std::string_view::npos) return std::unexpected(not_closed(open));
    if (is_blank(scalar.substr(body, close - body)))
      return std::unexpected(expression_expected(body));
    auto parsed = expr::parse(scalar.substr(body, close - body), options);
    if (!parsed) {
      ExprError error = std::move(parsed).error();
      error.expression_offset = body;
      return std::unexpected(std::move(error));
    }
    t.m_parts.push_back(Part{{}, std::make_shared<Expression>(std::move(*parsed)), open});
    pos = close + k_close.size();
  }
  // GitHub compiles a scalar mixing text and `${{ }}` into one format() expression, and
  // refuses the whole file when it is longer than an expression may be.
  if (auto length = github_expression_length(scalar); length && *length > k_max_expression_length)
    return std::unexpected(too_long(*length));
  size_t expressions = 0;
  bool other_text = false;
  for (const Part& part : t.m_parts) {
    if (part.expression)
      ++expressions;
    else if (!is_blank(part.literal))
      other_text = true;
  }
  t.m_single = expressions == 1 && !other_text;
  return t;
}

bool Template::has_expressions() const {
  for (const Part& part : m_parts)
    if (part.expression) return true;
  return false;
}

bool Template::is_single_expression() const {
  return m_single;
}

std::expected<Value, ExprError> Template::evaluate(const EvalContext& context) const {
  if (m_single) {
    for (const Part& part : m_parts)
      if (part.expression) return expr::evaluate(*part.expression, context);
  }
  std::string out;
  for (const Part& part : m_parts) {
    if (!part.expression) {
      out += part.literal;
      continue;
    }
    auto value = expr::evaluate(*part.expression, context);
    if (!value) return std::unexpected(std::move(value).error());
    out += value->to_display_string();
  }
  return Value(std::move(out));
}

namespace {

struct ConditionBody {
  Expression expression;
  bool empty = false;  // no condition at all
};

// The condition as written (not yet wrapped in success()).
std::expected<ConditionBody, ExprError> parse_condition_body(std::string_view if_text,
                                                             const ParseOptions& options) {
  std::string_view text = if_text;
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);

  // Where `text` starts inside `if_text`: error offsets are relative to the whole scalar.
  size_t base = static_cast<size_t>(text.data() - if_text.data());
  auto parse_at = [&](std::string_view body,
                      size_t offset) -> std::expected<Expression, ExprError> {
    auto parsed = parse(body, options);
    if (!parsed) {
      ExprError error = std::move(parsed).error();
      error.expression_offset = offset;
      return std::unexpected(std::move(error));
    }
    return parsed;
  };

  // The condition as one expression: `${{ e }}` → e; text mixed with `${{ }}` → format(...).
  std::string condition;
  size_t condition_offset = base;
  if (text.find(k_open) == std::string_view::npos) {
    condition = std::string(text);
  } else {
    std::string format = "format('";
    std::string args;
    size_t pos = 0;
    int count = 0;
    bool single = false;
    while (pos < text.size()) {
      size_t open = text.find(k_open, pos);
      if (open == std::string_view::npos) {
        append_format_literal(text.substr(pos), format);
        break;
      }
      append_format_literal(text.substr(pos, open - pos), format);
      size_t body = open + k_open.size();
      size_t close = find_close(text, body);
      if (close == std::string_view::npos) return std::unexpected(not_closed(base + open));
      std::string_view inner = text.substr(body, close - body);
      if (is_blank(inner)) return std::unexpected(expression_expected(base + body));
      if (open == 0 && close + k_close.size() == text.size()) {
        single = true;
        condition = std::string(inner);
        condition_offset = base + body;
        break;
      }
      if (auto checked = parse_at(inner, base + body); !checked)  // report errors where they are
        return std::unexpected(std::move(checked).error());
      format += "{" + std::to_string(count++) + "}";
      args += ", ";
      args += inner;
      pos = close + k_close.size();
    }
    if (!single) condition = format + "'" + args + ")";
  }

  auto parsed = parse_at(condition, condition_offset);
  if (!parsed) return std::unexpected(std::move(parsed).error());
  bool empty = parsed->root()->kind == NodeKind::literal && parsed->root()->value.is_null() &&
               condition.find_first_not_of(" \t\r\n") == std::string::npos;
  return ConditionBody{std::move(*parsed), empty};
}

}  // namespace

bool calls_status_function(std::string_view if_text, const ParseOptions& options) {
  auto body = parse_condition_body(if_text, options);
  return body && !body->empty && uses_status_function(body->expression);
}

std::expected<Expression, ExprError> parse_condition(std::string_view if_text,
                                                     const ParseOptions& options) {
  auto body = parse_condition_body(if_text, options);
  if (!body) return std::unexpected(std::move(body).error());
  Expression expression = std::move(body->expression);
  bool empty = body->empty;
  if (!empty && uses_status_function(expression)) return expression;

  // success() && (<cond>), built on the parsed tree so positions stay those of the text.
  Node* success = expression.add_node(NodeKind::function, 0);
  success->name = "success";
  success->function = find_function("success");
  if (empty) {
    expression.set_root(success);
    return expression;
  }
  Node* both = expression.add_node(NodeKind::logical_and, 0);
  both->children = {success, expression.root()};
  expression.set_root(both);
  return expression;
}

}  // namespace pipewright::expr
