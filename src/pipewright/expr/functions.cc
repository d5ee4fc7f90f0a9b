#include "pipewright/expr/functions.h"

#include <iterator>

#include "pipewright/expr/casefold.h"

namespace pipewright::expr {

namespace {

constexpr FunctionInfo k_functions[] = {
    {FunctionId::contains, "contains", 2, 2, false, false},
    {FunctionId::starts_with, "startsWith", 2, 2, false, false},
    {FunctionId::ends_with, "endsWith", 2, 2, false, false},
    {FunctionId::format, "format", 1, 255, false, false},
    {FunctionId::join, "join", 1, 2, false, false},
    {FunctionId::to_json, "toJSON", 1, 1, false, false},
    {FunctionId::from_json, "fromJSON", 1, 1, false, false},
    {FunctionId::hash_files, "hashFiles", 1, 255, false, false},
    {FunctionId::case_, "case", 3, 255, true, false},
    {FunctionId::success, "success", 0, 0, false, true},
    {FunctionId::failure, "failure", 0, 0, false, true},
    {FunctionId::cancelled, "cancelled", 0, 0, false, false},
    {FunctionId::always, "always", 0, 0, false, false},
};

}  // namespace

std::span<const FunctionInfo> functions() {
  return k_functions;
}

int find_function(std::string_view name) {
  for (size_t i = 0; i < std::size(k_functions); ++i)
    if (equals_ignore_case(k_functions[i].name, name)) return static_cast<int>(i);
  return -1;
}

bool is_status_function(std::string_view name) {
  int i = find_function(name);
  if (i < 0) return false;
  FunctionId id = k_functions[i].id;
  return id == FunctionId::success || id == FunctionId::failure || id == FunctionId::cancelled ||
         id == FunctionId::always;
}

}  // namespace pipewright::expr
