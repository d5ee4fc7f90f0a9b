// The walk: each node is checked against its definition; a one-of picks the alternative
// matching the node's kind; contexts flow down to the values below a definition that
// carries them. Expressions are parsed here (once) and errors point inside the scalar.
#include "pipewright/workflow/validate.h"

#include <cctype>
#include <string>
#include <unordered_map>

#include "pipewright/util/suggest.h"
#include "pipewright/workflow/yaml/position.h"
#include "pipewright/workflow/yaml/scalar.h"

namespace pipewright::workflow {

namespace {

using schema::Def;
using schema::Shape;

constexpr std::string_view k_open = "${{";

bool is_job_id(std::string_view id) {
  if (id.empty() || id.size() >= 100) return false;
  if (!(std::isalpha(static_cast<unsigned char>(id[0])) || id[0] == '_')) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string describe(const yaml::Node& node) {
  if (node.is_scalar()) return node.is_null() ? "null" : "'" + node.value + "'";
  return "a " + std::string(yaml::node_kind_name(node.kind));
}

std::string_view shape_name(Shape shape) {
  switch (shape) {
    case Shape::string:
    case Shape::non_empty_string:
    case Shape::allowed_values:
      return "a string";
    case Shape::boolean:
      return "a boolean";
    case Shape::number:
      return "a number";
    case Shape::null:
      return "null";
    case Shape::any:
      return "a value";
    case Shape::mapping:
      return "a mapping";
    case Shape::sequence:
      return "a sequence";
    case Shape::one_of:
      return "one of several forms";
  }
  return "a value";
}

// The type a scalar has for `typing` (action.yml keeps reading quoted booleans and numbers).
yaml::ScalarType typed(const yaml::Node& node, Typing typing) {
  if (typing == Typing::yaml_core) return yaml::scalar_type(node);
  if (node.is_null()) return yaml::ScalarType::null;
  if (yaml::core_bool(node.value)) return yaml::ScalarType::boolean;
  if (yaml::core_number(node.value)) return yaml::ScalarType::number;
  return yaml::ScalarType::string;
}

// Whether `def` would accept the scalar `node` without reporting anything.
bool scalar_fits(const yaml::Node& node, const Def& def, Typing typing) {
  switch (def.shape) {
    case Shape::string:
    case Shape::any:
      return true;
    case Shape::non_empty_string:  // null reads as "", as GitHub converts it to a string
      return !node.is_null() && (typing == Typing::text || !node.value.empty());
    case Shape::boolean:  // a quoted 'true' is a string, as on GitHub
      return typed(node, typing) == yaml::ScalarType::boolean;
    case Shape::number:
      return typed(node, typing) == yaml::ScalarType::number;
    case Shape::null:
      return typed(node, typing) == yaml::ScalarType::null;
    case Shape::allowed_values:
      for (std::string_view v : def.values)
        if (node.value == v) return true;
      return false;
    default:
      return false;
  }
}

bool accepts_kind(const Def& def, yaml::NodeKind kind) {
  switch (def.shape) {
    case Shape::mapping:
      return kind == yaml::NodeKind::mapping;
    case Shape::sequence:
      return kind == yaml::NodeKind::sequence;
    case Shape::any:
      return true;
    case Shape::one_of:
      return false;  // not nested in our tables
    default:
      return kind == yaml::NodeKind::scalar;
  }
}

class Walker {
 public:
  Walker(const yaml::Document& document, Validation& out, Typing typing)
      : m_doc(document), m_out(out), m_typing(typing) {}

  struct Scope {
    KeyKind key = KeyKind::none;
    bool has_context = false;
    bool no_expressions = false;
    const yaml::Node* owner = nullptr;  // the key whose value is being walked
  };

  void walk(const yaml::Node& node, const Def& def, Scope scope, const std::string& path) {
    if (def.has_context) {
      scope.key = def.context;
      scope.has_context = true;
    }
    if (def.no_expressions) scope.no_expressions = true;

    if (node.is_scalar() && (def.condition || contains_expression(node))) {
      if (def.condition || (scope.has_context && !scope.no_expressions)) {
        record_expression(node, scope, path, def.condition);
        return;
      }
      if (scope.no_expressions) {
        report(node, "expressions are not allowed here (" + path + ")", "expression");
        return;
      }
    }

    switch (def.shape) {
      case Shape::mapping:
        return walk_mapping(node, def, scope, path);
      case Shape::sequence:
        return walk_sequence(node, def, scope, path);
      case Shape::one_of:
        return walk_one_of(node, def, scope, path);
      case Shape::any:
        return walk_any(node, scope, path);
      default:
        return check_scalar(node, def, path);
    }
  }

 private:
  bool contains_expression(const yaml::Node& node) const {
    return node.value.find(k_open) != std::string::npos;
  }

  util::Location location(const yaml::Node& node) const {
    return {m_doc.file(), node.mark.line, node.mark.column};
  }

  void report(const yaml::Node& node, std::string message, std::string rule, std::string hint = {},
              util::Severity severity = util::Severity::error) {
    m_out.diagnostics.push_back(util::Diagnostic{severity, location(node), std::move(message),
                                                 std::move(rule), std::move(hint)});
  }

  void report_type(const yaml::Node& node, std::string_view expected, const std::string& path) {
    report(node, path + ": expected " + std::string(expected) + ", got " + describe(node), "type");
  }

  void check_scalar(const yaml::Node& node, const Def& def, const std::string& path) {
    if (!node.is_scalar()) return report_type(node, shape_name(def.shape), path);
    if (scalar_fits(node, def, m_typing)) return;
    if (def.shape == Shape::allowed_values) return report_invalid(node, def.values, path);
    if (def.shape == Shape::non_empty_string)
      return report(node, path + ": a non-empty string is required", "type");
    report_type(node, shape_name(def.shape), path);
  }

  void report_invalid(const yaml::Node& node, std::span<const std::string_view> values,
                      const std::string& path) {
    std::string list;
    for (std::string_view v : values)
      list += (list.empty() ? "" : ", ") + std::string(v);
    std::string message = path + ": invalid value " + describe(node) + "; expected one of: " + list;
    std::string suggestion = util::closest_match(node.value, values);
    if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
    report(node, std::move(message), "invalid-value");
  }

  void walk_mapping(const yaml::Node& node, const Def& def, Scope scope, const std::string& path) {
    if (!node.is_mapping()) return report_type(node, "a mapping", path);
    std::unordered_map<std::string, const yaml::Node*> job_ids;
    for (const yaml::Pair& pair : node.pairs) {
      const yaml::Node& key = *pair.key;
      if (!key.is_scalar()) {
        report_type(key, "a string key", path);
        continue;
      }
      std::string child = path.empty() ? key.value : path + "." + key.value;
      Scope inner = scope;
      inner.owner = &key;
      if (is_insert_directive(key.value)) {
        // Where a mapping of strings takes expressions, as GitHub's template reader.
        bool allowed = scope.has_context && !scope.no_expressions && def.loose_value &&
                       def.loose_value->shape == Shape::string;
        if (allowed)
          walk(*pair.value, *def.loose_value, inner, child);
        else
          report(key,
                 "the ${{ insert }} directive is not allowed here" +
                     (path.empty() ? std::string() : " (" + path + ")"),
                 "expression");
        continue;
      }
      if (const schema::Property* property = find_property(def, key.value)) {
        walk(*pair.value, *property->def, inner, child);
        continue;
      }
      if (def.loose_value) {
        if (key.value.empty()) report(key, path + ": keys must not be empty", "type");
        if (def.loose_key == schema::KeyCheck::job_id) check_job_id(key, job_ids);
        walk(*pair.value, *def.loose_value, inner, child);
        continue;
      }
      report_unknown(key, def, path,
                     def.ignores_unknown_keys ? util::Severity::warning : util::Severity::error);
    }
    for (const schema::Property& property : def.properties) {
      if (node.find(property.key)) continue;
      std::string where = path.empty() ? std::string() : path + ": ";
      const yaml::Node& at = scope.owner ? *scope.owner : node;
      if (property.required)
        report(at, where + "missing required key '" + std::string(property.key) + "'", "required");
      else if (property.recommended)
        report(at,
               where + "missing key '" + std::string(property.key) +
                   "' (the docs require it; GitHub's runner does not)",
               "required", {}, util::Severity::warning);
    }
  }

  static const schema::Property* find_property(const Def& def, std::string_view key) {
    for (const schema::Property& property : def.properties)
      if (property.key == key) return &property;
    return nullptr;
  }

  void report_unknown(const yaml::Node& key, const Def& def, const std::string& path,
                      util::Severity severity) {
    std::vector<std::string_view> candidates;
    for (const schema::Property& property : def.properties)
      candidates.push_back(property.key);
    std::string message = "unknown key '" + key.value + "'";
    if (!path.empty()) message += " in " + path;
    std::string suggestion = util::closest_match(key.value, candidates);
    if (!suggestion.empty()) message += "; did you mean \"" + suggestion + "\"?";
    if (severity == util::Severity::warning) message += " (GitHub's runner ignores it)";
    report(key, std::move(message), "unknown-key", {}, severity);
  }

  void check_job_id(const yaml::Node& key,
                    std::unordered_map<std::string, const yaml::Node*>& seen) {
    if (!is_job_id(key.value))
      report(key,
             "invalid job id '" + key.value +
                 "': it must start with a letter or '_' and contain only letters, digits, '-' "
                 "and '_' (fewer than 100 characters)",
             "invalid-value");
    auto [it, inserted] = seen.emplace(lower(key.value), &key);
    // Exact duplicates were already reported by the YAML layer.
    if (!inserted && it->second->value != key.value)
      report(key, "'" + key.value + "' is already defined", "duplicate-key",
             "job ids are case-insensitive; '" + it->second->value + "' is defined at line " +
                 std::to_string(it->second->mark.line));
  }

  void walk_sequence(const yaml::Node& node, const Def& def, Scope scope, const std::string& path) {
    if (!node.is_sequence()) return report_type(node, "a sequence", path);
    scope.owner = nullptr;
    for (size_t i = 0; i < node.items.size(); ++i)
      walk(*node.items[i], *def.item, scope, path + "[" + std::to_string(i) + "]");
  }

  void walk_one_of(const yaml::Node& node, const Def& def, Scope scope, const std::string& path) {
    if (node.is_mapping() && def.select) {
      if (const Def* chosen = def.select(node)) return walk(node, *chosen, scope, path);
      report(node, path + ": a step needs `run` or `uses`", "required");
      return;
    }
    const Def* first = nullptr;
    for (const Def* alternative : def.alternatives) {
      if (!accepts_kind(*alternative, node.kind)) continue;
      if (!node.is_scalar()) return walk(node, *alternative, scope, path);
      if (scalar_fits(node, *alternative, m_typing)) return;
      if (!first) first = alternative;
    }
    if (first && !node.is_null()) {
      std::vector<std::string_view> values;
      for (const Def* alternative : def.alternatives)
        if (alternative->shape == Shape::allowed_values)
          values.insert(values.end(), alternative->values.begin(), alternative->values.end());
      if (!values.empty()) return report_invalid(node, values, path);
      return check_scalar(node, *first, path);
    }
    std::string expected;
    for (const Def* alternative : def.alternatives) {
      std::string_view name = shape_name(alternative->shape);
      if (expected.find(name) != std::string::npos) continue;
      expected += (expected.empty() ? "" : " or ") + std::string(name);
    }
    report_type(node, expected, path);
  }

  void walk_any(const yaml::Node& node, Scope scope, const std::string& path) {
    if (!scope.has_context) return;
    if (node.is_scalar()) return;  // scalars with `${{` were recorded in walk()
    scope.owner = nullptr;
    static const Def k_any{.name = "any", .shape = Shape::any};
    if (node.is_sequence())
      for (size_t i = 0; i < node.items.size(); ++i)
        walk(*node.items[i], k_any, scope, path + "[" + std::to_string(i) + "]");
    else
      for (const yaml::Pair& pair : node.pairs)
        walk(*pair.value, k_any, scope, path + "." + pair.key->value);
  }

  void record_expression(const yaml::Node& node, Scope scope, const std::string& path,
                         bool condition) {
    ExpressionSite site;
    site.node = &node;
    site.location = location(node);
    site.key = scope.key;
    site.path = path;
    site.is_condition = condition;
    const std::string& text = node.value;
    bool has_template = contains_expression(node);
    if (has_template) {
      auto parsed = expr::Template::parse(text);
      if (parsed) {
        auto tmpl = std::make_shared<const expr::Template>(std::move(*parsed));
        site.tmpl = tmpl;
        m_out.templates[&node] = tmpl;
      } else {
        set_error(site, node, parsed.error(), template_error_offset(text, parsed.error()));
      }
    }
    if (condition && !site.error) {
      expr::ParseOptions options;
      options.allow_any_named_value = true;
      options.job_status_functions = scope.key == KeyKind::job_if;
      auto parsed = expr::parse_condition(text, options);
      if (parsed) {
        site.condition = std::make_shared<const expr::Expression>(std::move(*parsed));
      } else {
        size_t lead = text.find_first_not_of(" \t\r\n");
        size_t offset = has_template
                            ? 0
                            : (lead == std::string::npos ? 0 : lead) +
                                  static_cast<size_t>(std::max(parsed.error().position, 1) - 1);
        set_error(site, node, parsed.error(), offset);
      }
    }
    m_out.sites.push_back(std::move(site));
  }

  void set_error(ExpressionSite& site, const yaml::Node& node, const expr::ExprError& error,
                 size_t offset) {
    yaml::Mark mark = yaml::scalar_offset_mark(node, m_doc.source(), offset);
    site.error = error;
    site.error_location = {m_doc.file(), mark.line, mark.column};
    m_out.diagnostics.push_back(util::Diagnostic{
        util::Severity::error, site.error_location, error.message, "expression", {}});
  }

  const yaml::Document& m_doc;
  Validation& m_out;
  Typing m_typing;
};

}  // namespace

size_t template_error_offset(std::string_view scalar, const expr::ExprError& error) {
  expr::ParseOptions options;
  options.allow_any_named_value = true;
  options.job_status_functions = true;
  size_t pos = 0;
  while (pos < scalar.size()) {
    size_t open = scalar.find(k_open, pos);
    if (open == std::string_view::npos) break;
    size_t body = open + k_open.size();
    bool in_string = false;
    size_t close = std::string_view::npos;
    for (size_t i = body; i + 1 < scalar.size(); ++i) {
      if (scalar[i] == '\'') {
        in_string = !in_string;
      } else if (!in_string && scalar[i] == '}' && scalar[i + 1] == '}') {
        close = i;
        break;
      }
    }
    if (close == std::string_view::npos) return open;  // "not closed": at its `${{`
    std::string_view text = scalar.substr(body, close - body);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return open;  // empty
    auto parsed = expr::parse(text, options);
    if (!parsed) return body + static_cast<size_t>(std::max(parsed.error().position, 1) - 1);
    pos = close + 2;
  }
  return error.position > 0 ? static_cast<size_t>(error.position - 1) : 0;
}

void validate(const yaml::Document& document, const schema::Def& root, Validation& out,
              Typing typing) {
  if (!document.root()) return;
  Walker walker(document, out, typing);
  walker.walk(*document.root(), root, {}, "");
}

}  // namespace pipewright::workflow
