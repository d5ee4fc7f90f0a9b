// Matrix expansion exactly as GitHub does it (gha-spec.md §6; runner MatrixBuilder):
// cross product in key order, exclude, then include, 256 legs at most; plus the leg's
// display-name suffix and `strategy` context. The caller evaluates the matrix first
// (yaml_to_value evaluates embedded templates with needs/github/inputs/vars).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/expr/evaluator.h"
#include "pipewright/expr/value.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/model.h"
#include "pipewright/workflow/yaml/node.h"

namespace pipewright::plan {

inline constexpr size_t k_max_matrix_legs = 256;

struct StrategySettings {
  bool fail_fast = true;
  std::optional<int> max_parallel;  // nullopt: unbounded
};

struct MatrixLeg {
  expr::Value values;       // the `matrix` context (an object; empty without a matrix)
  std::string name_suffix;  // "(3.11, ubuntu-latest)"; "" without scalar values
  expr::Value strategy;     // {fail-fast, job-index, job-total, max-parallel}
  size_t index = 0;
};

// YAML → Value: scalars become strings, numbers, booleans or null as YAML 1.2 reads plain
// scalars (quoted ones stay strings); a scalar with `${{ }}` is evaluated in `context` (a
// whole-value expression keeps its type). Fails with the location of the bad template.
util::Expected<expr::Value> yaml_to_value(const workflow::yaml::Node& node,
                                          const expr::EvalContext& context,
                                          const std::string& file = {});

// The evaluated matrix of `strategy` (null when the job has no matrix): the whole-matrix
// expression or the mapping with its templates. `file` names the workflow in errors.
util::Expected<expr::Value> evaluate_matrix(const workflow::Strategy& strategy,
                                            const expr::EvalContext& context,
                                            const std::string& file = {});

// fail-fast (default true) and max-parallel of `strategy`, evaluating expressions in
// `context` (also for a whole-strategy `${{ }}`). Fails on a value of the wrong type.
util::Expected<StrategySettings> strategy_settings(const workflow::Strategy& strategy,
                                                   const expr::EvalContext& context,
                                                   const std::string& file = {});

// Expands `matrix` (an object, or null for "no matrix": one leg with an empty matrix).
// Errors carry GitHub's texts: "Matrix vector 'os' does not contain any values", "Matrix
// exclude key 'x' does not match any key within the matrix", empty include/exclude
// entries, non-object matrices, more than 256 legs.
util::Expected<std::vector<MatrixLeg>> expand_matrix(const expr::Value& matrix,
                                                     const StrategySettings& settings);

// "(a, b)" from the scalar leaves of `values` in key order (nested objects depth-first,
// arrays item by item); "" when there are none.
std::string matrix_name_suffix(const expr::Value& values);
// "<base> (a, b)" or just base.
std::string leg_display_name(std::string_view base, const MatrixLeg& leg);

// `--matrix k:v` filters, as act applies them: a leg is kept when, for every filtered
// key it has, its value loosely equals one of the values given for that key (repeating
// a key lists alternatives; a leg or job without the key is not filtered by it).
// Indices and strategy contexts are kept as expanded.
std::vector<MatrixLeg> filter_legs(const std::vector<MatrixLeg>& legs,
                                   const std::vector<std::pair<std::string, std::string>>& filters);

}  // namespace pipewright::plan
