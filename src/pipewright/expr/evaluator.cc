// Tree-walking evaluation. Results of `.*` / `[*]` are "filtered arrays": later
// property and index accesses map over them and flatten one level (§2.5).
#include "pipewright/expr/evaluator.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipewright/expr/casefold.h"
#include "pipewright/expr/functions.h"
#include "pipewright/expr/json.h"

namespace pipewright::expr {

namespace {

// The runner's evaluation memory limit (bytes, strings counted as UTF-16).
constexpr int64_t k_max_memory = 1024 * 1024;
constexpr int64_t k_object_overhead = 24;

struct Result {
  Value value;
  bool filtered = false;  // produced by a wildcard
};

class Evaluator;
using FunctionImpl = Result (Evaluator::*)(const Node*, int);

class Evaluator {
 public:
  Evaluator(const Expression& expression, const EvalContext& context)
      : m_expression(expression), m_context(context) {}

  std::expected<Value, ExprError> run() {
    Result r = eval(m_expression.root(), 0);
    if (m_error) return std::unexpected(std::move(*m_error));
    return std::move(r.value);
  }

  Result eval(const Node* node, int depth);

  // ---- functions (one per FunctionId, see k_impls) ----
  Result fn_contains(const Node* node, int depth);
  Result fn_starts_with(const Node* node, int depth);
  Result fn_ends_with(const Node* node, int depth);
  Result fn_format(const Node* node, int depth);
  Result fn_join(const Node* node, int depth);
  Result fn_to_json(const Node* node, int depth);
  Result fn_from_json(const Node* node, int depth);
  Result fn_hash_files(const Node* node, int depth);
  Result fn_case(const Node* node, int depth);
  Result fn_success(const Node* node, int depth) {
    return status(node, depth, StatusFunction::success);
  }
  Result fn_failure(const Node* node, int depth) {
    return status(node, depth, StatusFunction::failure);
  }
  Result fn_cancelled(const Node* node, int depth) {
    return status(node, depth, StatusFunction::cancelled);
  }
  Result fn_always(const Node* node, int depth) {
    return status(node, depth, StatusFunction::always);
  }

 private:
  Result fail(const Node* node, std::string message) {
    if (!m_error)
      m_error = ExprError{ErrorKind::evaluation, std::move(message), node ? node->position : 0};
    return {};
  }
  bool failed() const { return m_error.has_value(); }

  // Evaluates argument `i` of a call.
  Value arg(const Node* node, size_t i, int depth) {
    return eval(node->children[i], depth + 1).value;
  }

  Result index(const Node* node, int depth);
  Result wildcard(const Node* node, int depth);
  Result status(const Node* node, int depth, StatusFunction which);
  Result string_result(const Node* node, int depth, std::string s);

  // The runner's memory accounting: results held per depth; finishing a node at
  // `depth` releases everything its children held.
  bool track(const Node* node, int depth, int64_t bytes);

  const Expression& m_expression;
  const EvalContext& m_context;
  std::optional<ExprError> m_error;
  std::vector<int64_t> m_memory;
  int64_t m_memory_total = 0;
};

constexpr FunctionImpl k_impls[] = {
    &Evaluator::fn_contains,  &Evaluator::fn_starts_with, &Evaluator::fn_ends_with,
    &Evaluator::fn_format,    &Evaluator::fn_join,        &Evaluator::fn_to_json,
    &Evaluator::fn_from_json, &Evaluator::fn_hash_files,  &Evaluator::fn_case,
    &Evaluator::fn_success,   &Evaluator::fn_failure,     &Evaluator::fn_cancelled,
    &Evaluator::fn_always,
};
static_assert(std::size(k_impls) == static_cast<size_t>(FunctionId::always) + 1);

bool Evaluator::track(const Node* node, int depth, int64_t bytes) {
  auto d = static_cast<size_t>(depth);
  while (m_memory.size() > d + 1) {
    m_memory_total -= m_memory.back();
    m_memory.pop_back();
  }
  if (m_memory.size() < d + 1) m_memory.resize(d + 1, 0);
  m_memory[d] += bytes;
  m_memory_total += bytes;
  if (m_memory_total > k_max_memory) {
    fail(
        node,
        "The maximum allowed memory size was exceeded while evaluating the following expression: " +
            m_expression.text());
    return false;
  }
  return true;
}

Result Evaluator::string_result(const Node* node, int depth, std::string s) {
  if (!track(node, depth, k_object_overhead + 2 * static_cast<int64_t>(s.size()))) return {};
  return {Value(std::move(s))};
}

Result Evaluator::eval(const Node* node, int depth) {
  if (failed()) return {};
  switch (node->kind) {
    case NodeKind::literal:
      if (node->value.kind() == Kind::string &&
          !track(node, depth,
                 k_object_overhead + 2 * static_cast<int64_t>(node->value.as_string().size())))
        return {};
      return {node->value};
    case NodeKind::named_value: {
      const Value* v = m_context.find(node->name);
      return {v ? *v : Value()};
    }
    case NodeKind::function: {
      if (node->function < 0) return fail(node, "Unrecognized function: '" + node->name + "'");
      return (this->*k_impls[node->function])(node, depth);
    }
    case NodeKind::index:
      return index(node, depth);
    case NodeKind::wildcard:
      return wildcard(node, depth);
    case NodeKind::logical_not: {
      Result r = eval(node->children[0], depth + 1);
      return {Value(!r.value.truthy())};
    }
    case NodeKind::compare: {
      Value a = eval(node->children[0], depth + 1).value;
      Value b = eval(node->children[1], depth + 1).value;
      if (failed()) return {};
      bool result = false;
      switch (node->op) {
        case CompareOp::eq:
          result = loose_equals(a, b);
          break;
        case CompareOp::ne:
          result = !loose_equals(a, b);
          break;
        case CompareOp::lt:
          result = loose_less(a, b);
          break;
        case CompareOp::le:
          result = loose_equals(a, b) || loose_less(a, b);
          break;
        case CompareOp::gt:
          result = loose_greater(a, b);
          break;
        case CompareOp::ge:
          result = loose_equals(a, b) || loose_greater(a, b);
          break;
      }
      return {Value(result)};
    }
    case NodeKind::logical_and:
    case NodeKind::logical_or: {
      bool want = node->kind ==
                  NodeKind::logical_or;  // stop at the first operand whose truthiness is `want`
      Result r;
      for (const Node* child : node->children) {
        r = eval(child, depth + 1);
        if (failed()) return {};
        if (r.value.truthy() == want) return r;
      }
      return r;
    }
  }
  return {};
}

namespace {

// Looks `key` up in `target` (object: string key; array: numeric index). nullopt when
// there is nothing there (a missing key, an index out of range, a non-container).
std::optional<Value> lookup(const Value& target, const Value& key) {
  if (target.kind() == Kind::object) {
    if (!key.is_primitive()) return std::nullopt;
    const Value* v = key.kind() == Kind::string ? target.as_object().find(key.as_string())
                                                : target.as_object().find(key.to_display_string());
    if (!v) return std::nullopt;
    return *v;
  }
  if (target.kind() == Kind::array) {
    if (!key.is_primitive()) return std::nullopt;
    double n = key.to_number();
    if (std::isnan(n) || n < 0) return std::nullopt;
    n = std::floor(n);
    const Array& a = target.as_array();
    if (n >= static_cast<double>(a.size())) return std::nullopt;
    return a[static_cast<size_t>(n)];
  }
  return std::nullopt;
}

void append_children(const Value& v, Array& out) {
  if (v.kind() == Kind::array) {
    for (const Value& item : v.as_array())
      out.push_back(item);
  } else if (v.kind() == Kind::object) {
    for (const auto& entry : v.as_object())
      out.push_back(entry.second);
  }
}

}  // namespace

Result Evaluator::index(const Node* node, int depth) {
  Result target = eval(node->children[0], depth + 1);
  Value key = eval(node->children[1], depth + 1).value;
  if (failed()) return {};
  if (target.filtered) {
    Array out;
    for (const Value& item : target.value.as_array())
      if (auto v = lookup(item, key)) out.push_back(std::move(*v));
    return {Value(std::move(out)), true};
  }
  auto v = lookup(target.value, key);
  return {v ? std::move(*v) : Value()};
}

Result Evaluator::wildcard(const Node* node, int depth) {
  Result target = eval(node->children[0], depth + 1);
  if (failed()) return {};
  Array out;
  if (target.filtered) {
    for (const Value& item : target.value.as_array())
      append_children(item, out);
  } else {
    append_children(target.value, out);
  }
  return {Value(std::move(out)), true};
}

// ---- functions ----

Result Evaluator::fn_contains(const Node* node, int depth) {
  Value haystack = arg(node, 0, depth);
  Value needle = arg(node, 1, depth);
  if (failed()) return {};
  if (haystack.is_primitive()) {
    if (!needle.is_primitive()) return {Value(false)};
    return {Value(find_ignore_case(haystack.to_display_string(), needle.to_display_string()) !=
                  std::string::npos)};
  }
  if (haystack.kind() == Kind::array) {
    for (const Value& item : haystack.as_array())
      if (loose_equals(item, needle)) return {Value(true)};
  }
  return {Value(false)};
}

Result Evaluator::fn_starts_with(const Node* node, int depth) {
  Value s = arg(node, 0, depth);
  Value part = arg(node, 1, depth);
  if (failed()) return {};
  if (!s.is_primitive() || !part.is_primitive()) return {Value(false)};
  return {Value(starts_with_ignore_case(s.to_display_string(), part.to_display_string()))};
}

Result Evaluator::fn_ends_with(const Node* node, int depth) {
  Value s = arg(node, 0, depth);
  Value part = arg(node, 1, depth);
  if (failed()) return {};
  if (!s.is_primitive() || !part.is_primitive()) return {Value(false)};
  return {Value(ends_with_ignore_case(s.to_display_string(), part.to_display_string()))};
}

Result Evaluator::fn_format(const Node* node, int depth) {
  std::string format = arg(node, 0, depth).to_display_string();
  std::vector<std::string> args;
  for (size_t i = 1; i < node->children.size(); ++i)
    args.push_back(arg(node, i, depth).to_display_string());
  if (failed()) return {};
  auto invalid = [&] { return fail(node, "The following format string is invalid: " + format); };
  std::string out;
  size_t i = 0;
  while (i < format.size()) {
    size_t lbrace = format.find('{', i);
    size_t rbrace = format.find('}', i);
    if (lbrace != std::string::npos && (rbrace == std::string::npos || rbrace > lbrace)) {
      if (lbrace + 1 < format.size() && format[lbrace + 1] == '{') {  // `{{`
        out.append(format, i, lbrace - i + 1);
        i = lbrace + 2;
        continue;
      }
      // `{N}`: digits, then `}` (a `:spec` is parsed by the runner but never valid here).
      size_t k = lbrace + 1;
      size_t index = 0;
      while (k < format.size() && format[k] >= '0' && format[k] <= '9' && index < 100000)
        index = index * 10 + static_cast<size_t>(format[k++] - '0');
      if (k == lbrace + 1 || k >= format.size() || format[k] != '}') return invalid();
      if (index >= args.size())
        return fail(
            node,
            "The following format string references more arguments than were supplied: " + format);
      out.append(format, i, lbrace - i);
      out += args[index];
      i = k + 1;
      continue;
    }
    if (rbrace != std::string::npos) {
      if (rbrace + 1 < format.size() && format[rbrace + 1] == '}') {  // `}}`
        out.append(format, i, rbrace - i + 1);
        i = rbrace + 2;
        continue;
      }
      return invalid();
    }
    out.append(format, i);
    break;
  }
  return string_result(node, depth, std::move(out));
}

Result Evaluator::fn_join(const Node* node, int depth) {
  Value items = arg(node, 0, depth);
  std::string separator = ",";
  if (node->children.size() > 1) {
    Value sep = arg(node, 1, depth);
    if (sep.is_primitive()) separator = sep.to_display_string();
  }
  if (failed()) return {};
  if (items.is_primitive()) return string_result(node, depth, items.to_display_string());
  std::string out;
  if (items.kind() == Kind::array) {
    bool first = true;
    for (const Value& item : items.as_array()) {
      if (!first) out += separator;
      first = false;
      out += item.to_display_string();
    }
  }
  return string_result(node, depth, std::move(out));
}

Result Evaluator::fn_to_json(const Node* node, int depth) {
  Value v = arg(node, 0, depth);
  if (failed()) return {};
  return string_result(node, depth, to_json(v));
}

Result Evaluator::fn_from_json(const Node* node, int depth) {
  std::string text = arg(node, 0, depth).to_display_string();
  if (failed()) return {};
  // Counted before parsing, as the runner counts the argument string before FromJson
  // sees it: the parsed tree is then no bigger than a text within the limit makes.
  if (!track(node, depth, k_object_overhead + 2 * static_cast<int64_t>(text.size()))) return {};
  auto parsed = parse_json(text);
  if (!parsed) return fail(node, "Error parsing fromJson: " + parsed.error());
  return {std::move(*parsed)};
}

Result Evaluator::fn_hash_files(const Node* node, int depth) {
  std::vector<std::string> patterns;
  for (size_t i = 0; i < node->children.size(); ++i)
    patterns.push_back(arg(node, i, depth).to_display_string());
  if (failed()) return {};
  bool follow = false;
  if (!patterns.empty() && patterns.front().starts_with("--")) {
    if (patterns.front() != "--follow-symbolic-links")
      return fail(node, "Invalid glob option " + patterns.front() +
                            ", available option: '--follow-symbolic-links'.");
    follow = true;
    patterns.erase(patterns.begin());
  }
  if (!m_context.hash_files_hook())
    return fail(node, "hashFiles() is not available in this context");
  auto digest = m_context.hash_files_hook()(patterns, follow);
  if (!digest)
    return fail(node, "hashFiles('" + (patterns.empty() ? "" : patterns.front()) +
                          "') failed: " + digest.error());
  return string_result(node, depth, std::move(*digest));
}

Result Evaluator::fn_case(const Node* node, int depth) {
  size_t n = node->children.size();
  for (size_t i = 0; i + 1 < n; i += 2) {
    Value predicate = arg(node, i, depth);
    if (failed()) return {};
    if (predicate.kind() != Kind::boolean)
      return fail(node, "case predicate must evaluate to a boolean value");
    if (predicate.as_bool()) return eval(node->children[i + 1], depth + 1);
  }
  return eval(node->children[n - 1], depth + 1);
}

Result Evaluator::status(const Node* node, int depth, StatusFunction which) {
  std::vector<std::string> job_ids;
  for (size_t i = 0; i < node->children.size(); ++i)
    job_ids.push_back(arg(node, i, depth).to_display_string());
  if (failed()) return {};
  if (!m_context.status_hook())
    return {Value(which == StatusFunction::success || which == StatusFunction::always)};
  auto answer = m_context.status_hook()(which, job_ids);
  if (!answer) return fail(node, answer.error());
  return {Value(*answer)};
}

}  // namespace

std::expected<Value, ExprError> evaluate(const Expression& expression, const EvalContext& context) {
  if (!expression.root()) return Value();
  Evaluator evaluator(expression, context);
  return evaluator.run();
}

}  // namespace pipewright::expr
