#include "pipewright/expr/analysis.h"

#include "pipewright/expr/functions.h"

namespace pipewright::expr {

namespace {

// Visits nodes in source order (children left to right).
template <class Visit>
void walk(const Node* node, Visit& visit) {
  if (!node) return;
  visit(node);
  for (const Node* child : node->children)
    walk(child, visit);
}

}  // namespace

std::vector<ContextReference> context_references(const Expression& expression) {
  std::vector<ContextReference> out;
  // Walk with an explicit stack of "access chains": when we reach an index/wildcard
  // node we find its base; if the base is a named value we record the static path.
  auto visit_access = [&](auto& self, const Node* node) -> void {
    if (!node) return;
    if (node->kind == NodeKind::index || node->kind == NodeKind::wildcard) {
      // Find the base of this access chain.
      std::vector<const Node*> chain;
      const Node* base = node;
      while (base->kind == NodeKind::index || base->kind == NodeKind::wildcard) {
        chain.push_back(base);
        base = base->children[0];
      }
      if (base->kind == NodeKind::named_value) {
        ContextReference ref{base->name, {}, base->position};
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
          const Node* access = *it;
          if (access->kind == NodeKind::wildcard) {
            ref.path.push_back("*");
            break;
          }
          const Node* key = access->children[1];
          if (key->kind != NodeKind::literal || key->value.kind() != Kind::string) break;
          ref.path.push_back(key->value.as_string());
        }
        out.push_back(std::move(ref));
      } else {
        self(self, base);
      }
      // Dynamic keys may hold references of their own.
      for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        if ((*it)->kind == NodeKind::index) self(self, (*it)->children[1]);
      return;
    }
    if (node->kind == NodeKind::named_value) {
      out.push_back(ContextReference{node->name, {}, node->position});
      return;
    }
    for (const Node* child : node->children)
      self(self, child);
  };
  visit_access(visit_access, expression.root());
  return out;
}

std::vector<FunctionCall> function_calls(const Expression& expression) {
  std::vector<FunctionCall> out;
  auto visit = [&](const Node* node) {
    if (node->kind == NodeKind::function)
      out.push_back(FunctionCall{node->name, node->children.size(), node->position});
  };
  walk(expression.root(), visit);
  return out;
}

bool uses_status_function(const Expression& expression) {
  bool found = false;
  auto visit = [&](const Node* node) {
    if (node->kind == NodeKind::function && is_status_function(node->name)) found = true;
  };
  walk(expression.root(), visit);
  return found;
}

}  // namespace pipewright::expr
