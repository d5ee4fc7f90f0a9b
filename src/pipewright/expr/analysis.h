// Static questions about a parsed expression, for the linter and `if:` handling.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pipewright/expr/parser.h"

namespace pipewright::expr {

struct ContextReference {
  std::string context;            // as written, e.g. "github"
  std::vector<std::string> path;  // static property chain; "*" for a wildcard (then stops)
  int position = 0;               // 1-based column of the context name
};

// Every context (named value) used, in source order, with its static property chain
// (`github.event.x` and `github['event']` alike; stops at a dynamic index).
std::vector<ContextReference> context_references(const Expression& expression);

struct FunctionCall {
  std::string name;  // as written
  size_t arguments = 0;
  int position = 0;
};

// Every function call, in source order (including nested calls).
std::vector<FunctionCall> function_calls(const Expression& expression);

// Whether the expression calls success(), failure(), cancelled() or always() anywhere.
bool uses_status_function(const Expression& expression);

}  // namespace pipewright::expr
