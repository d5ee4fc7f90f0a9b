// Rules about `strategy.matrix`: empty or duplicated vector values, exclude entries that
// name no vector or match no value, and more combinations than GitHub allows.
#include <string>

#include <fmt/format.h>

#include "pipewright/expr/value.h"
#include "pipewright/workflow/lint/rule.h"
#include "pipewright/workflow/yaml/scalar.h"

namespace pipewright::workflow::lint {

namespace {

constexpr size_t k_max_jobs = 256;
constexpr size_t k_max_enumerated = 100000;  // combinations we count exactly

bool is_expression(const yaml::Node* node) {
  return node && node->is_scalar() && node->value.find("${{") != std::string::npos;
}

Location where(const Workflow& wf, const yaml::Node* node) {
  return Location{wf.file, node->mark.line, node->mark.column};
}

// A YAML scalar as the expression language sees it (YAML 1.2 core schema).
expr::Value scalar_value(const yaml::Node& node) {
  switch (yaml::scalar_type(node)) {
    case yaml::ScalarType::null:
      return expr::Value();
    case yaml::ScalarType::boolean:
      return expr::Value(*yaml::core_bool(node.value));
    case yaml::ScalarType::number:
      return expr::Value(*yaml::core_number(node.value));
    case yaml::ScalarType::string:
      break;
  }
  return expr::Value(node.value);
}

// Structural equality; scalars compare with the expression `==`.
bool node_equals(const yaml::Node* a, const yaml::Node* b) {
  if (a->kind != b->kind) return false;
  if (a->is_scalar()) return expr::loose_equals(scalar_value(*a), scalar_value(*b));
  if (a->is_sequence()) {
    if (a->items.size() != b->items.size()) return false;
    for (size_t i = 0; i < a->items.size(); ++i)
      if (!node_equals(a->items[i], b->items[i])) return false;
    return true;
  }
  if (a->pairs.size() != b->pairs.size()) return false;
  for (const yaml::Pair& p : a->pairs) {
    const yaml::Node* other = b->find(p.key->value);
    if (!other || !node_equals(p.value, other)) return false;
  }
  return true;
}

// Does `entry` (an exclude leaf tree) match `value`? Maps match partially, sequences by
// index, scalars with `==`. An expression on either side may match anything: its value is
// known only when the job runs.
bool leaf_matches(const yaml::Node* entry, const yaml::Node* value) {
  if (is_expression(entry) || is_expression(value)) return true;
  if (entry->is_mapping()) {
    if (!value->is_mapping()) return false;
    for (const yaml::Pair& p : entry->pairs) {
      const yaml::Node* v = value->find(p.key->value);
      if (!v || !leaf_matches(p.value, v)) return false;
    }
    return true;
  }
  if (entry->is_sequence()) {
    if (!value->is_sequence() || value->items.size() < entry->items.size()) return false;
    for (size_t i = 0; i < entry->items.size(); ++i)
      if (!leaf_matches(entry->items[i], value->items[i])) return false;
    return true;
  }
  return value->is_scalar() && node_equals(entry, value);
}

struct Vector {
  std::string key;
  const yaml::Node* values;  // a sequence
};

void check_one(const LintContext& c, const Job& job, const yaml::Node* matrix) {
  const Workflow& wf = c.workflow;
  std::vector<Vector> vectors;
  const yaml::Node* include = nullptr;
  const yaml::Node* exclude = nullptr;
  bool dynamic = false;  // some vector comes from an expression
  for (const yaml::Pair& p : matrix->pairs) {
    const std::string& key = p.key->value;
    if (key == "include") {
      include = p.value;
      continue;
    }
    if (key == "exclude") {
      exclude = p.value;
      continue;
    }
    if (is_expression(p.value)) {
      dynamic = true;
      continue;
    }
    if (!p.value->is_sequence()) continue;  // the loader reports the type
    if (p.value->items.empty()) {
      c.error(where(wf, p.key), fmt::format("matrix vector '{}' does not contain any values", key),
              "matrix");
      continue;
    }
    for (size_t i = 0; i < p.value->items.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (node_equals(p.value->items[i], p.value->items[j])) {
          c.error(where(wf, p.value->items[i]),
                  fmt::format("duplicate value in matrix vector '{}' (same as line {})", key,
                              p.value->items[j]->mark.line),
                  "matrix");
          break;
        }
    vectors.push_back({key, p.value});
  }
  if (dynamic) return;

  // Exclude entries: every top-level key must be a vector, every value one of its values.
  std::vector<const yaml::Node*> excludes;
  if (exclude && exclude->is_sequence()) {
    for (const yaml::Node* entry : exclude->items) {
      if (!entry->is_mapping()) continue;
      bool usable = true;
      for (const yaml::Pair& p : entry->pairs) {
        const Vector* vector = nullptr;
        for (const Vector& v : vectors)
          if (v.key == p.key->value) vector = &v;
        if (!vector) {
          std::vector<std::string> names;
          for (const Vector& v : vectors)
            names.push_back(v.key);
          c.error(where(wf, p.key),
                  fmt::format("matrix exclude key '{}' does not match any key within the matrix",
                              p.key->value),
                  "matrix", suggestion(p.key->value, names));
          usable = false;
          continue;
        }
        if (is_expression(p.value)) continue;
        bool any = false;
        for (const yaml::Node* value : vector->values->items)
          any = any || leaf_matches(p.value, value);
        if (!any) {
          c.error(where(wf, p.value),
                  fmt::format("matrix exclude value for '{}' matches no value of the vector",
                              p.key->value),
                  "matrix");
          usable = false;
        }
      }
      if (usable) excludes.push_back(entry);
    }
  }

  // Count the jobs: the cross product minus excluded, plus includes that add a job.
  if (vectors.empty()) return;
  size_t product = 1;
  for (const Vector& v : vectors) {
    product *= v.values->items.size();
    if (product > k_max_enumerated) break;
  }
  size_t jobs = product;
  if (product <= k_max_enumerated && !excludes.empty()) {
    jobs = 0;
    for (size_t index = 0; index < product; ++index) {
      // Decode the combination (first key varies slowest).
      std::vector<const yaml::Node*> combo(vectors.size());
      size_t rest = index;
      for (size_t k = vectors.size(); k-- > 0;) {
        size_t n = vectors[k].values->items.size();
        combo[k] = vectors[k].values->items[rest % n];
        rest /= n;
      }
      bool excluded = false;
      for (const yaml::Node* entry : excludes) {
        bool all = true;
        for (const yaml::Pair& p : entry->pairs)
          for (size_t k = 0; k < vectors.size(); ++k)
            if (vectors[k].key == p.key->value && !leaf_matches(p.value, combo[k])) all = false;
        excluded = excluded || all;
      }
      if (!excluded) ++jobs;
    }
  }
  if (include && include->is_sequence() && product <= k_max_enumerated) {
    // An include entry adds a job when its vector keys match no original value.
    for (const yaml::Node* entry : include->items) {
      if (!entry->is_mapping()) continue;
      bool matches_some = true;
      for (const yaml::Pair& p : entry->pairs)
        for (const Vector& v : vectors)
          if (v.key == p.key->value) {
            bool any = false;
            for (const yaml::Node* value : v.values->items)
              any = any || leaf_matches(p.value, value);
            matches_some = matches_some && any;
          }
      if (!matches_some) ++jobs;
    }
  }
  if (jobs > k_max_jobs) {
    Location at = where(wf, matrix);
    if (job.strategy.node && job.strategy.node->is_mapping())
      for (const yaml::Pair& p : job.strategy.node->pairs)
        if (p.key->value == "matrix") at = where(wf, p.key);
    c.error(at,
            fmt::format("the matrix of job '{}' makes {}{} jobs; GitHub allows at most {}",
                        job.id.value, product > k_max_enumerated ? "more than " : "",
                        product > k_max_enumerated ? k_max_enumerated : jobs, k_max_jobs),
            "matrix");
  }
}

}  // namespace

std::optional<std::vector<std::string>> matrix_keys(const Job& job) {
  if (job.strategy.expression.present() || job.strategy.matrix_expression.present())
    return std::nullopt;
  std::vector<std::string> keys;
  const yaml::Node* matrix = job.strategy.matrix;
  if (!matrix) return keys;
  if (!matrix->is_mapping()) return std::nullopt;
  for (const yaml::Pair& p : matrix->pairs) {
    if (p.key->value != "include" && p.key->value != "exclude") {
      keys.push_back(p.key->value);
      continue;
    }
    if (p.key->value == "exclude") continue;
    if (!p.value->is_sequence()) return std::nullopt;  // include from an expression
    for (const yaml::Node* entry : p.value->items) {
      if (!entry->is_mapping()) return std::nullopt;
      for (const yaml::Pair& q : entry->pairs)
        keys.push_back(q.key->value);
    }
  }
  return keys;
}

void check_matrix(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    const yaml::Node* matrix = job.strategy.matrix;
    if (matrix && matrix->is_mapping()) check_one(c, job, matrix);
  }
}

}  // namespace pipewright::workflow::lint
