// Rules about conditions and comparisons whose result does not depend on the run:
// `if:` values that are constant or that GitHub reads as a non-empty string (text around
// a `${{ }}`, including the newline a `|` block adds), and comparisons between types that
// make them constant (an object against a string, `<`/`>` on booleans, null or objects).
#include <map>

#include <fmt/format.h>

#include "pipewright/expr/ast.h"
#include "pipewright/workflow/lint/expression_check.h"
#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

using expr::NodeKind;

// --- if: ---------------------------------------------------------------------------------

void check_condition(const LintContext& c, const Text& condition, std::string_view owner) {
  if (!condition.present() || !condition.node || !condition.node->is_scalar()) return;
  const std::string& raw = condition.node->value;
  std::shared_ptr<const expr::Expression> inner;  // the one expression, when there is one
  if (raw.find("${{") != std::string::npos) {
    if (!condition.tmpl) return;  // the loader reports syntax errors
    size_t expressions = 0;
    bool text_around = false;
    for (const expr::Template::Part& part : condition.tmpl->parts()) {
      if (part.expression) {
        ++expressions;
        inner = part.expression;
      } else if (!part.literal.empty()) {
        text_around = true;
      }
    }
    if (expressions != 1 || text_around) {
      c.error(condition.location,
              fmt::format("the 'if:' of {} is always true: with text around '${{{{ }}}}' "
                          "(even a space or the newline of a '|' block) GitHub reads it as a "
                          "non-empty string",
                          owner),
              "if-condition",
              "write the whole condition inside one '${{ }}' (a block scalar needs '|-' or "
              "'>-'), or leave '${{ }}' out");
      return;
    }
  } else {
    expr::ParseOptions options;
    options.allow_any_named_value = true;
    options.job_status_functions = true;
    auto parsed = expr::parse(raw, options);
    if (!parsed) return;
    inner = std::make_shared<const expr::Expression>(std::move(*parsed));
  }
  const expr::Node* root = inner ? inner->root() : nullptr;
  if (!root || root->kind != NodeKind::literal) return;
  bool truthy = root->value.truthy();
  c.warning(condition.location,
            fmt::format("the 'if:' of {} is always {}", owner, truthy ? "true" : "false"),
            "if-condition",
            truthy ? "remove the 'if:'; without one it runs when earlier work succeeded"
                   : "remove the job or step, or comment it out, if it should never run");
}

// --- comparisons ---------------------------------------------------------------------------

enum class Type { unknown, null, boolean, number, string, object, array };

std::string_view type_name(Type t) {
  switch (t) {
    case Type::null:
      return "null";
    case Type::boolean:
      return "boolean";
    case Type::number:
      return "number";
    case Type::string:
      return "string";
    case Type::object:
      return "object";
    case Type::array:
      return "array";
    case Type::unknown:
      break;
  }
  return "value";
}

constexpr std::string_view k_object_contexts[] = {
    "github", "env",   "vars",   "secrets", "inputs", "matrix",
    "needs",  "steps", "runner", "job",     "jobs",   "strategy",
};
constexpr std::string_view k_boolean_functions[] = {
    "contains", "startsWith", "endsWith", "success", "failure", "always", "cancelled",
};
constexpr std::string_view k_string_functions[] = {"format", "join", "toJSON", "hashFiles"};

template <size_t N>
bool in(std::string_view name, const std::string_view (&set)[N]) {
  for (std::string_view s : set)
    if (iequals(s, name)) return true;
  return false;
}

struct Typer {
  // Declared types of `inputs.<name>` (lower-cased); unknown when declarations disagree.
  std::map<std::string, Type> inputs;
  // Types of `matrix.<key>` in the job being checked: object or array when every value
  // of the key is a mapping or a sequence.
  std::map<std::string, Type> matrix;

  // The static property chain of `node` (context first), or empty when dynamic.
  static std::vector<std::string> chain(const expr::Node* node) {
    std::vector<std::string> out;
    while (node->kind == NodeKind::index) {
      const expr::Node* key = node->children[1];
      if (key->kind != NodeKind::literal || key->value.kind() != expr::Kind::string) return {};
      out.insert(out.begin(), key->value.as_string());
      node = node->children[0];
    }
    if (node->kind != NodeKind::named_value) return {};
    out.insert(out.begin(), node->name);
    return out;
  }

  Type of(const expr::Node* node) const {
    switch (node->kind) {
      case NodeKind::literal:
        switch (node->value.kind()) {
          case expr::Kind::null:
            return Type::null;
          case expr::Kind::boolean:
            return Type::boolean;
          case expr::Kind::number:
            return Type::number;
          case expr::Kind::string:
            return Type::string;
          default:
            return Type::unknown;
        }
      case NodeKind::function:
        if (in(node->name, k_boolean_functions)) return Type::boolean;
        if (in(node->name, k_string_functions)) return Type::string;
        return Type::unknown;
      case NodeKind::logical_not:
      case NodeKind::compare:
        return Type::boolean;
      case NodeKind::named_value:
        return in(node->name, k_object_contexts) ? Type::object : Type::unknown;
      case NodeKind::wildcard:
        return Type::array;
      case NodeKind::index: {
        // A property of every element of a filtered array is an array too.
        if (of(node->children[0]) == Type::array) return Type::array;
        std::vector<std::string> path = chain(node);
        if (path.size() == 2 && iequals(path[0], "github") && iequals(path[1], "event"))
          return Type::object;
        if (path.size() == 2 && iequals(path[0], "matrix")) {
          auto it = matrix.find(path[1]);
          return it == matrix.end() ? Type::unknown : it->second;
        }
        if (path.size() == 2 && iequals(path[0], "inputs")) {
          std::string key = path[1];
          for (char& ch : key)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          auto it = inputs.find(key);
          return it == inputs.end() ? Type::unknown : it->second;
        }
        return Type::unknown;
      }
      default:
        return Type::unknown;
    }
  }
};

Typer make_typer(const Workflow& wf) {
  Typer typer;
  for (const Event& event : wf.on)
    for (const InputDefinition& input : event.inputs) {
      Type t = Type::unknown;
      if (input.input_type == InputType::boolean) t = Type::boolean;
      if (input.input_type == InputType::number) t = Type::number;
      std::string key = input.id.value;
      for (char& ch : key)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      auto [it, fresh] = typer.inputs.emplace(key, t);
      if (!fresh && it->second != t) it->second = Type::unknown;
    }
  return typer;
}

int leftmost_position(const expr::Node* node) {
  int best = node->position;
  for (const expr::Node* child : node->children)
    if (int p = leftmost_position(child); p > 0 && (best <= 0 || p < best)) best = p;
  return best;
}

struct ComparisonCheck {
  const LintContext& c;
  const Typer& typer;
  const yaml::Node* scalar;
  const Location& fallback;
  const expr::Expression& expression;
  size_t base;  // offset of the expression text in the scalar

  void visit(const expr::Node* node) const {
    if (node->kind == NodeKind::compare) check(node);
    for (const expr::Node* child : node->children)
      visit(child);
  }

  void check(const expr::Node* node) const {
    Type left = typer.of(node->children[0]);
    Type right = typer.of(node->children[1]);
    auto composite = [](Type t) { return t == Type::object || t == Type::array; };
    auto primitive = [](Type t) {
      return t == Type::boolean || t == Type::number || t == Type::string;
    };
    bool equality = node->op == expr::CompareOp::eq || node->op == expr::CompareOp::ne;
    std::string message;
    if (equality &&
        ((composite(left) && primitive(right)) || (primitive(left) && composite(right)))) {
      message = fmt::format(
          "comparing {} with {} is always {}: GitHub compares objects and "
          "arrays only with themselves",
          type_name(left), type_name(right), node->op == expr::CompareOp::eq ? "false" : "true");
    } else if (!equality) {
      auto unordered = [&](Type t) {
        return t == Type::boolean || t == Type::null || composite(t);
      };
      Type bad = unordered(left) ? left : unordered(right) ? right : Type::unknown;
      if (bad != Type::unknown)
        message =
            fmt::format("ordering {} {} value with '<', '>', '<=' or '>=' makes no sense",
                        bad == Type::object || bad == Type::array ? "an" : "a", type_name(bad));
    }
    if (message.empty()) return;
    size_t offset = base + byte_offset(expression.text(), leftmost_position(node));
    c.error(locate_in(c.workflow, scalar, fallback, offset), message, "comparison");
  }
};

}  // namespace

void check_conditions(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    check_condition(c, job.if_condition, fmt::format("job '{}'", job.id.value));
    check_condition(c, job.snapshot.if_condition,
                    fmt::format("the snapshot of job '{}'", job.id.value));
    for (size_t i = 0; i < job.steps.size(); ++i) {
      const Step& step = job.steps[i];
      std::string owner = step.id.present() ? fmt::format("step '{}'", step.id.value)
                          : step.name.present()
                              ? fmt::format("step '{}'", step.name.value)
                              : fmt::format("step {} of job '{}'", i + 1, job.id.value);
      check_condition(c, step.if_condition, owner);
    }
  }
}

namespace {

// The types of matrix keys whose values are all mappings or all sequences.
std::map<std::string, Type> matrix_types(const Job& job) {
  std::map<std::string, Type> out;
  const yaml::Node* matrix = job.strategy.matrix;
  if (!matrix || !matrix->is_mapping()) return out;
  std::map<std::string, std::vector<const yaml::Node*>> values;
  for (const yaml::Pair& p : matrix->pairs) {
    if (p.key->value == "exclude" || !p.value->is_sequence()) continue;
    if (p.key->value != "include") {
      for (const yaml::Node* item : p.value->items)
        values[p.key->value].push_back(item);
      continue;
    }
    for (const yaml::Node* entry : p.value->items)
      if (entry->is_mapping())
        for (const yaml::Pair& q : entry->pairs)
          values[q.key->value].push_back(q.value);
  }
  for (const auto& [key, nodes] : values) {
    bool maps = !nodes.empty(), lists = !nodes.empty();
    for (const yaml::Node* n : nodes) {
      maps = maps && n->is_mapping();
      lists = lists && n->is_sequence();
    }
    if (maps) out[key] = Type::object;
    if (lists) out[key] = Type::array;
  }
  return out;
}

// The job an expression site belongs to ("jobs.<id>...."), or nullptr.
const Job* job_of(const Workflow& wf, std::string_view path) {
  if (!path.starts_with("jobs.")) return nullptr;
  path.remove_prefix(5);
  return wf.find_job(path.substr(0, path.find_first_of(".[")));
}

}  // namespace

void check_comparisons(const LintContext& c) {
  Typer typer = make_typer(c.workflow);
  for (const ExpressionSite& site : c.workflow.expressions) {
    if (site.error || !site.node || !site.node->is_scalar()) continue;
    const Job* job = job_of(c.workflow, site.path);
    typer.matrix = job ? matrix_types(*job) : std::map<std::string, Type>{};
    const std::string& scalar = site.node->value;
    if (site.is_condition && scalar.find("${{") == std::string::npos) {
      expr::ParseOptions options;
      options.allow_any_named_value = true;
      options.job_status_functions = true;
      auto parsed = expr::parse(scalar, options);
      if (!parsed || !parsed->root()) continue;
      ComparisonCheck{c, typer, site.node, site.location, *parsed, 0}.visit(parsed->root());
      continue;
    }
    if (!site.tmpl) continue;
    for (const expr::Template::Part& part : site.tmpl->parts())
      if (part.expression && part.expression->root())
        ComparisonCheck{c, typer, site.node, site.location, *part.expression, part.offset + 3}
            .visit(part.expression->root());
  }
}

}  // namespace pipewright::workflow::lint
