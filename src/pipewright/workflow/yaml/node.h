// Our own YAML node tree (built from yaml-cpp events in parser.cc): scalars keep their
// style and tag, mappings keep every key/value pair in order (duplicates included), and
// every node keeps its position. Aliases share the anchored node; nothing is copied.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace pipewright::workflow::yaml {

// A position in the source text: 1-based line and column (bytes), 0-based byte offset.
struct Mark {
  int line = 0;
  int column = 0;
  size_t offset = 0;
};

enum class NodeKind { scalar, sequence, mapping };

enum class ScalarStyle { plain, single_quoted, double_quoted, literal, folded };

struct Node;

// One key/value pair of a mapping, in document order.
struct Pair {
  const Node* key = nullptr;
  const Node* value = nullptr;
};

struct Node {
  NodeKind kind = NodeKind::scalar;
  Mark mark;           // where the node starts (at its anchor or tag when it has one)
  std::string tag;     // "" when untagged; explicit tags as resolved by yaml-cpp ("!custom")
  std::string anchor;  // the anchor name when the node is anchored (&name)

  // Scalars. An empty value (`key:` with nothing after it) is a plain scalar "".
  std::string value;
  ScalarStyle style = ScalarStyle::plain;

  std::vector<const Node*> items;  // sequences
  std::vector<Pair> pairs;         // mappings, in document order

  // Number of nodes reachable from this one, aliases expanded (saturates at SIZE_MAX).
  size_t expanded_size = 1;
  // Levels of collections from this node down, aliases expanded (a scalar is 0).
  int height = 0;

  bool is_scalar() const { return kind == NodeKind::scalar; }
  bool is_sequence() const { return kind == NodeKind::sequence; }
  bool is_mapping() const { return kind == NodeKind::mapping; }
  // A plain scalar that YAML 1.2 reads as null: "", "~", "null", "Null", "NULL".
  bool is_null() const;
  // The value of the first pair whose key is a scalar equal to `key` (nullptr if none).
  const Node* find(std::string_view key) const;
};

// A parsed document: owns its nodes (stable addresses) and the source text.
class Document {
 public:
  explicit Document(std::string file, std::string source)
      : m_file(std::move(file)), m_source(std::move(source)) {}
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  const Node* root() const { return m_root; }
  const std::string& file() const { return m_file; }
  const std::string& source() const { return m_source; }

  // Building (used by the parser).
  Node* add_node() { return &m_nodes.emplace_back(); }
  void set_root(const Node* root) { m_root = root; }

 private:
  std::string m_file;
  std::string m_source;
  std::deque<Node> m_nodes;
  const Node* m_root = nullptr;
};

// "scalar", "sequence" or "mapping" (for messages).
std::string_view node_kind_name(NodeKind kind);

}  // namespace pipewright::workflow::yaml
