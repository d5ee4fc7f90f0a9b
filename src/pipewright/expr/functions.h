// Internal: the table of built-in functions (gha-spec.md §2.6), one row per function.
#pragma once

#include <climits>
#include <span>
#include <string_view>

namespace pipewright::expr {

enum class FunctionId {
  contains,
  starts_with,
  ends_with,
  format,
  join,
  to_json,
  from_json,
  hash_files,
  case_,
  success,
  failure,
  cancelled,
  always,
};

struct FunctionInfo {
  FunctionId id;
  std::string_view name;  // canonical spelling
  int min_args;
  int max_args;
  bool odd_args;    // case(): an odd number of arguments
  bool job_status;  // success()/failure(): job ids allowed at job level
};

// All built-in functions.
std::span<const FunctionInfo> functions();
// The index of `name` (case-insensitive) in functions(), or -1.
int find_function(std::string_view name);
// Whether `name` is success, failure, cancelled or always (case-insensitive).
bool is_status_function(std::string_view name);

}  // namespace pipewright::expr
