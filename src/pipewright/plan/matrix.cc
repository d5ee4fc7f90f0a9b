#include "pipewright/plan/matrix.h"

#include <cmath>

#include <fmt/format.h>

#include "pipewright/expr/template.h"

namespace pipewright::plan {
namespace {

using expr::Kind;
using expr::Object;
using expr::Value;
using workflow::yaml::Node;

util::Location location_of(const Node& node, const std::string& file) {
  return util::Location{file, node.mark.line, node.mark.column};
}

// YAML 1.2 core schema for a plain scalar: null, bool, int (dec/0o/0x), float, else string.
Value plain_scalar(const std::string& text) {
  static const char* const k_nulls[] = {"", "~", "null", "Null", "NULL"};
  static const char* const k_trues[] = {"true", "True", "TRUE"};
  static const char* const k_falses[] = {"false", "False", "FALSE"};
  for (const char* n : k_nulls)
    if (text == n) return Value();
  for (const char* t : k_trues)
    if (text == t) return Value(true);
  for (const char* f : k_falses)
    if (text == f) return Value(false);
  std::string_view body = text;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    return Value(negative ? -INFINITY : INFINITY);
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return Value(NAN);
  auto all_of = [](std::string_view s, auto pred) {
    if (s.empty()) return false;
    for (char c : s)
      if (!pred(c)) return false;
    return true;
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.starts_with("0x") && all_of(std::string_view(text).substr(2), ::isxdigit)) {
    return Value(static_cast<double>(std::stoull(text.substr(2), nullptr, 16)));
  }
  if (text.starts_with("0o") &&
      all_of(std::string_view(text).substr(2), [](char c) { return c >= '0' && c <= '7'; })) {
    return Value(static_cast<double>(std::stoull(text.substr(2), nullptr, 8)));
  }
  // [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  size_t i = 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < body.size() && is_digit(body[i]))
    ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && is_digit(body[i]))
      ++i, ++frac_digits;
  }
  bool mantissa = int_digits > 0 || frac_digits > 0;
  if (mantissa && i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    size_t j = i + 1;
    if (j < body.size() && (body[j] == '+' || body[j] == '-')) ++j;
    if (j < body.size() && is_digit(body[j])) {
      while (j < body.size() && is_digit(body[j]))
        ++j;
      i = j;
    }
  }
  if (mantissa && i == body.size()) return Value(std::strtod(text.c_str(), nullptr));
  return Value(text);
}

util::Expected<Value> scalar_value(const Node& node, const expr::EvalContext& context,
                                   const std::string& file) {
  if (node.value.find("${{") != std::string::npos) {
    auto tmpl = expr::Template::parse(node.value);
    if (!tmpl) return util::fail(tmpl.error().message, location_of(node, file));
    auto value = tmpl->evaluate(context);
    if (!value) return util::fail(value.error().message, location_of(node, file));
    return std::move(*value);
  }
  if (node.style != workflow::yaml::ScalarStyle::plain || node.tag == "!!str" ||
      node.tag == "tag:yaml.org,2002:str") {
    return Value(node.value);
  }
  return plain_scalar(node.value);
}

util::Expected<Value> evaluate_text(const workflow::Text& text, const expr::EvalContext& context,
                                    const std::string& file) {
  if (!text.tmpl) return Value(text.value);
  auto value = text.tmpl->evaluate(context);
  if (!value)
    return util::fail(value.error().message,
                      util::Location{file, text.location.line, text.location.column});
  return std::move(*value);
}

// The whole-strategy expression's value (an object), or null when there is none.
util::Expected<Value> strategy_object(const workflow::Strategy& strategy,
                                      const expr::EvalContext& context, const std::string& file) {
  if (!strategy.expression.has_expressions()) return Value();
  PW_TRY(value, evaluate_text(strategy.expression, context, file));
  if (value.kind() != Kind::object) {
    return util::fail(
        fmt::format("strategy: expected a mapping, got {}", expr::kind_name(value.kind())),
        strategy.location);
  }
  return value;
}

// Does `filter` (an include/exclude entry or part of one) match `value`? Every leaf of the
// filter must `==` the value at the same path; a missing path compares as null.
bool filter_matches(const Value& filter, const Value* value) {
  static const Value k_null;
  if (filter.kind() == Kind::object) {
    for (const auto& [key, sub] : filter.as_object()) {
      const Value* inner = value && value->kind() == Kind::object ? value->member(key) : nullptr;
      if (!filter_matches(sub, inner)) return false;
    }
    return true;
  }
  if (filter.kind() == Kind::array) {
    const expr::Array& items = filter.as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      const Value* inner = value && value->kind() == Kind::array && i < value->as_array().size()
                               ? &value->as_array()[i]
                               : nullptr;
      if (!filter_matches(items[i], inner)) return false;
    }
    return true;
  }
  return expr::loose_equals(filter, value ? *value : k_null);
}

void collect_segments(const Value& value, std::vector<std::string>& out) {
  switch (value.kind()) {
    case Kind::object:
      for (const auto& [key, sub] : value.as_object())
        collect_segments(sub, out);
      break;
    case Kind::array:
      for (const Value& sub : value.as_array())
        collect_segments(sub, out);
      break;
    case Kind::boolean:
    case Kind::number:
    case Kind::string: {
      std::string text = value.to_display_string();
      if (!text.empty()) out.push_back(std::move(text));
      break;
    }
    case Kind::null:
      break;
  }
}

struct IncludeEntry {
  Object filter;  // keys that name vectors
  Object extra;   // everything else
  bool matched = false;
};

util::Expected<std::vector<const Object*>> entries(const Value* list, std::string_view key) {
  std::vector<const Object*> out;
  if (!list || list->is_null()) return out;
  if (list->kind() != Kind::array) {
    return util::fail(fmt::format("Matrix {} must be a sequence of mappings, got {}", key,
                                  expr::kind_name(list->kind())));
  }
  for (const Value& item : list->as_array()) {
    if (item.kind() != Kind::object) {
      return util::fail(fmt::format("Matrix {} entries must be mappings, got {}", key,
                                    expr::kind_name(item.kind())));
    }
    out.push_back(&item.as_object());
  }
  return out;
}

Value strategy_context(const StrategySettings& settings, size_t index, size_t total) {
  Object s;
  s.set("fail-fast", settings.fail_fast);
  s.set("job-index", index);
  s.set("job-total", total);
  s.set("max-parallel", settings.max_parallel ? static_cast<double>(*settings.max_parallel)
                                              : static_cast<double>(total));
  return Value(std::move(s));
}

}  // namespace

util::Expected<expr::Value> yaml_to_value(const workflow::yaml::Node& node,
                                          const expr::EvalContext& context,
                                          const std::string& file) {
  switch (node.kind) {
    case workflow::yaml::NodeKind::scalar:
      return scalar_value(node, context, file);
    case workflow::yaml::NodeKind::sequence: {
      expr::Array items;
      for (const Node* item : node.items) {
        PW_TRY(value, yaml_to_value(*item, context, file));
        items.push_back(std::move(value));
      }
      return Value(std::move(items));
    }
    case workflow::yaml::NodeKind::mapping: {
      Object object;
      for (const workflow::yaml::Pair& pair : node.pairs) {
        if (!pair.key->is_scalar()) {
          return util::fail("a mapping key must be a string", location_of(*pair.key, file));
        }
        // Keys stay text (`3.10:` is the key "3.10"), unless they hold an expression.
        std::string key = pair.key->value;
        if (key.find("${{") != std::string::npos) {
          PW_TRY(evaluated, scalar_value(*pair.key, context, file));
          key = evaluated.to_display_string();
        }
        PW_TRY(value, yaml_to_value(*pair.value, context, file));
        object.set(std::move(key), std::move(value));
      }
      return Value(std::move(object));
    }
  }
  return Value();
}

util::Expected<expr::Value> evaluate_matrix(const workflow::Strategy& strategy,
                                            const expr::EvalContext& context,
                                            const std::string& file) {
  PW_TRY(whole, strategy_object(strategy, context, file));
  if (!whole.is_null()) {
    const Value* matrix = whole.member("matrix");
    return matrix ? *matrix : Value();
  }
  if (strategy.matrix_expression.present()) {
    return evaluate_text(strategy.matrix_expression, context, file);
  }
  if (strategy.matrix) return yaml_to_value(*strategy.matrix, context, file);
  return Value();
}

util::Expected<StrategySettings> strategy_settings(const workflow::Strategy& strategy,
                                                   const expr::EvalContext& context,
                                                   const std::string& file) {
  StrategySettings settings;
  PW_TRY(whole, strategy_object(strategy, context, file));
  Value fail_fast, max_parallel;
  if (!whole.is_null()) {
    if (const Value* v = whole.member("fail-fast")) fail_fast = *v;
    if (const Value* v = whole.member("max-parallel")) max_parallel = *v;
  } else {
    if (strategy.fail_fast.present()) {
      PW_TRY(v, evaluate_text(strategy.fail_fast.text, context, file));
      fail_fast = strategy.fail_fast.value ? Value(*strategy.fail_fast.value) : v;
    }
    if (strategy.max_parallel.present()) {
      PW_TRY(v, evaluate_text(strategy.max_parallel.text, context, file));
      max_parallel = strategy.max_parallel.value ? Value(*strategy.max_parallel.value) : v;
    }
  }
  if (!fail_fast.is_null()) {
    if (fail_fast.kind() == Kind::string) fail_fast = plain_scalar(fail_fast.as_string());
    if (fail_fast.kind() != Kind::boolean) {
      return util::fail(
          fmt::format("fail-fast: expected a boolean, got '{}'", fail_fast.to_display_string()),
          strategy.location);
    }
    settings.fail_fast = fail_fast.as_bool();
  }
  if (!max_parallel.is_null()) {
    double n = max_parallel.to_number();
    if (std::isnan(n) || n < 1 || n != std::floor(n)) {
      return util::fail(fmt::format("max-parallel: expected a positive integer, got '{}'",
                                    max_parallel.to_display_string()),
                        strategy.location);
    }
    settings.max_parallel = static_cast<int>(std::min(n, 1e9));
  }
  return settings;
}

util::Expected<std::vector<MatrixLeg>> expand_matrix(const expr::Value& matrix,
                                                     const StrategySettings& settings) {
  struct Combination {
    Value values;
    std::string suffix;
  };
  std::vector<Combination> combos;
  if (matrix.is_null()) {
    combos.push_back({Value(Object()), ""});
  } else {
    if (matrix.kind() != Kind::object) {
      return util::fail(
          fmt::format("A matrix must be a mapping, got {}", expr::kind_name(matrix.kind())));
    }
    const Object& m = matrix.as_object();
    std::vector<std::pair<std::string, const expr::Array*>> vectors;
    for (const auto& [key, value] : m) {
      if (key == "include" || key == "exclude") continue;
      if (value.kind() != Kind::array) {
        return util::fail(fmt::format("Matrix vector '{}' must be a sequence, got {}", key,
                                      expr::kind_name(value.kind())));
      }
      if (value.as_array().empty()) {
        return util::fail(fmt::format("Matrix vector '{}' does not contain any values", key));
      }
      vectors.emplace_back(key, &value.as_array());
    }
    PW_TRY(excludes, entries(m.find("exclude"), "exclude"));
    PW_TRY(includes_raw, entries(m.find("include"), "include"));
    auto is_vector = [&](std::string_view key) {
      return m.find(key) && key != "include" && key != "exclude";
    };
    for (const Object* exclude : excludes) {
      if (exclude->empty()) return util::fail("Matrix exclude filter must not be empty");
      for (const auto& [key, value] : *exclude) {
        if (!is_vector(key)) {
          return util::fail(
              fmt::format("Matrix exclude key '{}' does not match any key within the matrix", key));
        }
      }
    }
    std::vector<IncludeEntry> includes;
    for (const Object* include : includes_raw) {
      if (include->empty()) return util::fail("Matrix include mapping does not contain any values");
      IncludeEntry entry;
      for (const auto& [key, value] : *include) {
        (is_vector(key) ? entry.filter : entry.extra).set(key, value);
      }
      includes.push_back(std::move(entry));
    }
    if (vectors.empty() && includes.empty()) {
      return util::fail("Matrix must define at least one vector");
    }
    size_t product = vectors.empty() ? 0 : 1;
    for (const auto& [key, items] : vectors) {
      product *= items->size();
      if (product > 1'000'000) {
        return util::fail(fmt::format("Strategy expansion exceeded {} results", k_max_matrix_legs));
      }
    }
    // Cross product, first key slowest; exclude, then include extras.
    for (size_t index = 0; index < product; ++index) {
      Object combo;
      size_t block = product;
      for (const auto& [key, items] : vectors) {
        block /= items->size();
        combo.set(key, (*items)[(index / block) % items->size()]);
      }
      Value combo_value(combo);
      bool excluded = false;
      for (const Object* exclude : excludes) {
        Value filter(*exclude);
        if (filter_matches(filter, &combo_value)) {
          excluded = true;
          break;
        }
      }
      if (excluded) continue;
      std::string suffix = matrix_name_suffix(combo_value);
      Object extras;
      for (IncludeEntry& include : includes) {
        Value filter(include.filter);
        if (!filter_matches(filter, &combo_value)) continue;
        include.matched = true;
        for (const auto& [key, value] : include.extra)
          extras.set(key, value);
      }
      for (const auto& [key, value] : extras)
        combo.set(key, value);
      combos.push_back({Value(std::move(combo)), std::move(suffix)});
      if (combos.size() > k_max_matrix_legs) break;
    }
    for (const IncludeEntry& include : includes) {
      if (include.matched) continue;
      Object combo = include.filter;
      for (const auto& [key, value] : include.extra)
        combo.set(key, value);
      Value combo_value(std::move(combo));
      std::string suffix = matrix_name_suffix(combo_value);
      combos.push_back({std::move(combo_value), std::move(suffix)});
    }
  }
  if (combos.size() > k_max_matrix_legs) {
    return util::fail(fmt::format("Strategy expansion exceeded {} results", k_max_matrix_legs));
  }
  std::vector<MatrixLeg> legs;
  legs.reserve(combos.size());
  for (size_t i = 0; i < combos.size(); ++i) {
    legs.push_back(MatrixLeg{std::move(combos[i].values), std::move(combos[i].suffix),
                             strategy_context(settings, i, combos.size()), i});
  }
  return legs;
}

std::string matrix_name_suffix(const expr::Value& values) {
  std::vector<std::string> segments;
  collect_segments(values, segments);
  if (segments.empty()) return {};
  std::string out = "(";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) out += ", ";
    out += segments[i];
  }
  return out + ")";
}

std::string leg_display_name(std::string_view base, const MatrixLeg& leg) {
  if (leg.name_suffix.empty()) return std::string(base);
  return fmt::format("{} {}", base, leg.name_suffix);
}

std::vector<MatrixLeg> filter_legs(
    const std::vector<MatrixLeg>& legs,
    const std::vector<std::pair<std::string, std::string>>& filters) {
  auto matches = [&](const MatrixLeg& leg) {
    for (const auto& [key, wanted] : filters) {
      const Value* value = leg.values.member(key);
      if (!value) continue;  // a job whose matrix lacks the key is not filtered by it
      bool any = false;      // repeated keys are alternatives
      for (const auto& [other_key, other_wanted] : filters)
        any |= other_key == key && expr::loose_equals(*value, Value(other_wanted));
      if (!any) return false;
    }
    return true;
  };
  std::vector<MatrixLeg> out;
  for (const MatrixLeg& leg : legs)
    if (matches(leg)) out.push_back(leg);
  return out;
}

}  // namespace pipewright::plan
