// Builds our node tree from yaml-cpp's events. Hostile input is bounded here: size before
// parsing, encoding, nesting depth and alias expansion while events arrive (a limit stops
// yaml-cpp at once by throwing from the handler), recursive aliases, several documents.
// yaml-cpp's own exceptions are caught at this boundary and become diagnostics.
#include "pipewright/workflow/yaml/parser.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "pipewright/util/utf8.h"

namespace pipewright::workflow::yaml {

namespace {

// Thrown by the handler to stop yaml-cpp; caught in parse().
struct Stop {
  util::Diagnostic diagnostic;
};

size_t add_saturating(size_t a, size_t b) {
  return a > std::numeric_limits<size_t>::max() - b ? std::numeric_limits<size_t>::max() : a + b;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The style of the scalar whose node starts at `offset`: skips an anchor and a tag, then
// looks at the indicator.
ScalarStyle style_at(std::string_view text, size_t offset) {
  size_t i = offset;
  for (int prefix = 0; prefix < 2 && i < text.size(); ++prefix) {
    if (text[i] != '&' && text[i] != '!') break;
    while (i < text.size() && !is_space(text[i]))
      ++i;
    while (i < text.size() && is_space(text[i]))
      ++i;
  }
  if (i >= text.size()) return ScalarStyle::plain;
  switch (text[i]) {
    case '\'':
      return ScalarStyle::single_quoted;
    case '"':
      return ScalarStyle::double_quoted;
    case '|':
      return ScalarStyle::literal;
    case '>':
      return ScalarStyle::folded;
    default:
      return ScalarStyle::plain;
  }
}

class Builder : public YAML::EventHandler {
 public:
  Builder(Document& document, const Limits& limits, std::vector<util::Diagnostic>& diagnostics)
      : m_doc(document), m_limits(limits), m_diagnostics(diagnostics) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (m_documents++ > 0)
      stop(mark, "several YAML documents in one file are not supported", "syntax",
           "keep one document per file (remove the `---` separator)");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node* node = make(mark, NodeKind::scalar, "", anchor);
    // yaml-cpp marks an empty value at the next token; `key:` is a better place for it.
    if (!m_stack.empty() && m_stack.back().key) node->mark = m_stack.back().key->mark;
    add(node);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = m_anchors.find(anchor);
    if (it == m_anchors.end()) stop(mark, "unknown alias", "syntax");
    if (m_open.contains(it->second))
      stop(mark, "alias '" + it->second->anchor + "' refers to a node that contains it", "limits");
    // GitHub expands aliases before reading, so their depth counts where they are used.
    if (static_cast<int>(m_stack.size()) + it->second->height > m_limits.max_depth)
      stop(mark,
           "nesting deeper than " + std::to_string(m_limits.max_depth) + " levels with alias '" +
               it->second->anchor + "' expanded",
           "limits");
    count(mark, it->second->expanded_size);
    add(it->second);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node* node = make(mark, NodeKind::scalar, tag, anchor);
    node->value = value;
    node->style = style_at(m_doc.source(), node->mark.offset);
    add(node);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(make(mark, NodeKind::sequence, tag, anchor), mark);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(make(mark, NodeKind::mapping, tag, anchor), mark);
  }
  void OnMapEnd() override { close(); }

  void OnAnchor(const YAML::Mark&, const std::string& name) override { m_anchor_name = name; }

 private:
  struct Open {
    Node* node = nullptr;
    const Node* key = nullptr;  // mappings: the key waiting for its value
    std::unordered_set<std::string> keys;
  };

  [[noreturn]] void stop(const YAML::Mark& mark, std::string message, std::string rule,
                         std::string hint = {}) {
    util::Diagnostic d;
    d.location = {m_doc.file(), mark.line + 1, mark.column + 1};
    d.message = std::move(message);
    d.rule = std::move(rule);
    d.hint = std::move(hint);
    throw Stop{std::move(d)};
  }

  // Counts nodes repeated through aliases (plain nodes are bounded by the file size).
  void count(const YAML::Mark& mark, size_t nodes) {
    m_total = add_saturating(m_total, nodes);
    if (m_total > m_limits.max_expanded_nodes)
      stop(mark,
           "aliases expand to more than " + std::to_string(m_limits.max_expanded_nodes) + " nodes",
           "limits", "anchors and aliases must not multiply the document (\"billion laughs\")");
  }

  Node* make(const YAML::Mark& mark, NodeKind kind, const std::string& tag, YAML::anchor_t anchor) {
    if (++m_nodes > m_limits.max_nodes)
      stop(mark, "the document has more than " + std::to_string(m_limits.max_nodes) + " nodes",
           "limits");
    Node* node = m_doc.add_node();
    node->kind = kind;
    node->mark = {mark.line + 1, mark.column + 1, static_cast<size_t>(mark.pos < 0 ? 0 : mark.pos)};
    if (tag != "?" && tag != "!") node->tag = tag;
    if (anchor != 0) {
      node->anchor = std::move(m_anchor_name);
      m_anchors[anchor] = node;
    }
    m_anchor_name.clear();
    return node;
  }

  void open(Node* node, const YAML::Mark& mark) {
    if (static_cast<int>(m_stack.size()) >= m_limits.max_depth)
      stop(mark, "nesting deeper than " + std::to_string(m_limits.max_depth) + " levels", "limits");
    node->expanded_size = 1;
    node->height = 1;
    m_open.insert(node);
    m_stack.push_back(Open{node, nullptr, {}});
  }

  void close() {
    Node* node = m_stack.back().node;
    m_open.erase(node);
    m_stack.pop_back();
    add(node);
  }

  // Attaches a finished node (or an alias target) to the open container, or makes it the root.
  void add(const Node* node) {
    if (m_stack.empty()) {
      m_doc.set_root(node);
      return;
    }
    Open& parent = m_stack.back();
    parent.node->expanded_size = add_saturating(parent.node->expanded_size, node->expanded_size);
    parent.node->height = std::max(parent.node->height, node->height + 1);
    if (parent.node->kind == NodeKind::sequence) {
      parent.node->items.push_back(node);
      return;
    }
    if (parent.key == nullptr) {
      if (node->kind == NodeKind::scalar && !parent.keys.insert(node->value).second)
        report_duplicate(*node);
      parent.key = node;
      return;
    }
    parent.node->pairs.push_back(Pair{parent.key, node});
    parent.key = nullptr;
  }

  void report_duplicate(const Node& key) {
    util::Diagnostic d;
    d.location = {m_doc.file(), key.mark.line, key.mark.column};
    d.message = "'" + key.value + "' is already defined";
    d.rule = "duplicate-key";
    m_diagnostics.push_back(std::move(d));
  }

  Document& m_doc;
  const Limits& m_limits;
  std::vector<util::Diagnostic>& m_diagnostics;
  std::vector<Open> m_stack;
  std::unordered_map<YAML::anchor_t, Node*> m_anchors;
  std::unordered_set<const Node*> m_open;
  std::string m_anchor_name;
  size_t m_total = 0;
  size_t m_nodes = 0;
  int m_documents = 0;
};

util::Diagnostic diagnostic_at(const std::string& file, std::string_view text, size_t offset,
                               std::string message, std::string rule, std::string hint = {}) {
  Mark m = mark_at(text, offset);
  return util::Diagnostic{util::Severity::error,
                          {file, m.line, m.column},
                          std::move(message),
                          std::move(rule),
                          std::move(hint)};
}

// Checks done on the raw text before yaml-cpp sees it.
std::optional<util::Diagnostic> check_text(std::string_view text, const std::string& file,
                                           const Limits& limits) {
  if (text.size() > limits.max_bytes)
    return util::Diagnostic{util::Severity::error,
                            {file, 1, 1},
                            "the file is " + std::to_string(text.size()) + " bytes; the limit is " +
                                std::to_string(limits.max_bytes),
                            "limits",
                            std::string(limits.size_hint)};
  if (auto bad = util::find_invalid_utf8(text)) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*bad]));
    return diagnostic_at(file, text, *bad, std::string("invalid UTF-8 (byte ") + byte + ")",
                         "syntax", "save the file as UTF-8");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      char code[8];
      std::snprintf(code, sizeof code, "%04X", c);
      return diagnostic_at(file, text, i,
                           std::string("control character U+") + code + " is not allowed in YAML",
                           "syntax");
    }
  }
  return std::nullopt;
}

bool is_blank_byte(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// The offset just past the quoted scalar starting at `i` (or the end of `text`).
size_t skip_quoted(std::string_view text, size_t i) {
  const char quote = text[i];
  for (++i; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
        continue;
      }
      return i + 1;
    }
  }
  return text.size();
}

// yaml-cpp scans a whole flow collection ahead before its first event: a megabyte of `[`
// costs it a second and hundreds of megabytes. So flow nesting is measured on the text
// first: a `[` or `{` that starts a token (after a line start, `[`, `{`, `,`, `:`, `-`,
// `?`) opens a level, `]`/`}` closes one; quoted scalars and comments are skipped. Returns
// the offset of the first bracket deeper than `max_depth`.
std::optional<size_t> excessive_flow_nesting(std::string_view text, int max_depth) {
  int depth = 0;
  bool token_start = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      token_start = true;
    } else if (is_blank_byte(c)) {
      continue;
    } else if (c == '#' && (i == 0 || is_blank_byte(text[i - 1]) || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n')
        ++i;
    } else if (token_start && (c == '\'' || c == '"')) {
      i = skip_quoted(text, i) - 1;
      token_start = false;
    } else if (token_start && (c == '[' || c == '{')) {
      if (++depth > max_depth) return i;
    } else if (depth > 0 && (c == ']' || c == '}')) {
      --depth;
      token_start = false;
    } else {
      token_start = c == ',' || c == ':' || c == '-' || c == '?';
    }
  }
  return std::nullopt;
}

}  // namespace

Mark mark_at(std::string_view text, size_t offset) {
  Mark m{1, 1, offset};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++m.line;
      m.column = 1;
    } else {
      ++m.column;
    }
  }
  return m;
}

ParseResult parse(std::string_view text, std::string file, const Limits& limits) {
  ParseResult result;
  if (auto bad = check_text(text, file, limits)) {
    result.diagnostics.push_back(std::move(*bad));
    return result;
  }
  if (auto deep = excessive_flow_nesting(text, limits.max_depth)) {
    result.diagnostics.push_back(diagnostic_at(
        file, text, *deep, "nesting deeper than " + std::to_string(limits.max_depth) + " levels",
        "limits"));
    return result;
  }
  // yaml-cpp drops a byte order mark and counts positions without it; so do we.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  auto document = std::make_shared<Document>(file, std::string(text));
  try {
    std::istringstream in(document->source());
    YAML::Parser parser(in);
    Builder builder(*document, limits, result.diagnostics);
    bool any = parser.HandleNextDocument(builder);
    if (any) parser.HandleNextDocument(builder);  // a second document stops in the handler
    if (!any || document->root() == nullptr) {
      result.diagnostics.push_back({util::Severity::error,
                                    {file, 1, 1},
                                    "the file is empty (no YAML document)",
                                    "syntax",
                                    {}});
      return result;
    }
  } catch (const Stop& stop) {
    result.diagnostics.push_back(stop.diagnostic);
    return result;
  } catch (const YAML::Exception& e) {
    util::Location location{file, e.mark.line + 1, e.mark.column + 1};
    if (e.mark.is_null()) location = {file, 0, 0};
    result.diagnostics.push_back(
        {util::Severity::error, std::move(location), "YAML: " + e.msg, "syntax", {}});
    return result;
  } catch (const std::exception& e) {
    result.diagnostics.push_back(
        {util::Severity::error, {file, 0, 0}, std::string("YAML: ") + e.what(), "syntax", {}});
    return result;
  }
  result.document = std::move(document);
  return result;
}

}  // namespace pipewright::workflow::yaml
