// The syntax tree of a parsed expression. Nodes live in the owning Expression.
#pragma once

#include <string>
#include <vector>

#include "pipewright/expr/value.h"

namespace pipewright::expr {

enum class NodeKind {
  literal,      // value
  named_value,  // name (a context such as `github`)
  function,     // name, children = arguments
  index,        // children = {object, key}: `a.b` (key is a string literal) or `a[k]`
  wildcard,     // children = {object}: `a.*` or `a[*]`
  logical_not,  // children = {operand}
  compare,      // op, children = {left, right}
  logical_and,  // children = operands (n-ary)
  logical_or,   // children = operands (n-ary)
};

enum class CompareOp { eq, ne, lt, le, gt, ge };

struct Node {
  NodeKind kind = NodeKind::literal;
  int position = 0;  // 1-based column of the token that made the node
  CompareOp op = CompareOp::eq;
  bool dotted = false;  // index written as `.name` (vs `[...]`)
  Value value;          // literal
  std::string name;     // named value / function (as written)
  int function = -1;    // function: index into the built-in table (-1: an extra function)
  std::vector<const Node*> children;
};

}  // namespace pipewright::expr
