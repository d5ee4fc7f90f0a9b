#include "pipewright/workflow/yaml/node.h"

#include <array>

namespace pipewright::workflow::yaml {

bool Node::is_null() const {
  static constexpr std::array<std::string_view, 5> k_nulls = {"", "~", "null", "Null", "NULL"};
  if (kind != NodeKind::scalar || style != ScalarStyle::plain) return false;
  for (std::string_view n : k_nulls)
    if (value == n) return true;
  return false;
}

const Node* Node::find(std::string_view key) const {
  for (const Pair& pair : pairs)
    if (pair.key->is_scalar() && pair.key->value == key) return pair.value;
  return nullptr;
}

std::string_view node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::scalar:
      return "scalar";
    case NodeKind::sequence:
      return "sequence";
    case NodeKind::mapping:
      return "mapping";
  }
  return "node";
}

}  // namespace pipewright::workflow::yaml
