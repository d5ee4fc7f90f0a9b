#include "pipewright/workflow/reader_rules.h"

#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pipewright/expr/template.h"
#include "pipewright/util/utf8.h"
#include "pipewright/workflow/yaml/scalar.h"

namespace pipewright::workflow {

namespace {

// GitHub's TemplateMemory: every token costs this much, a string this much more.
constexpr size_t k_token_bytes = 24;
constexpr size_t k_string_bytes = 26;

constexpr std::string_view k_core_prefix = "tag:yaml.org,2002:";

size_t add_saturating(size_t a, size_t b) {
  return a > std::numeric_limits<size_t>::max() - b ? std::numeric_limits<size_t>::max() : a + b;
}

// "!!int" for core tags, the tag as written otherwise.
std::string display_tag(std::string_view tag) {
  if (tag.starts_with(k_core_prefix)) return "!!" + std::string(tag.substr(k_core_prefix.size()));
  return std::string(tag);
}

// A core tag GitHub's reader resolves on plain scalars, with the test its text must pass.
struct CoreTag {
  std::string_view name;
  bool (*accepts)(std::string_view text);
};
constexpr CoreTag k_core_tags[] = {
    {"bool", [](std::string_view t) { return yaml::core_bool(t).has_value(); }},
    {"int", yaml::is_core_integer},
    {"float", yaml::is_core_float},
    {"null",
     [](std::string_view t) {
       return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
     }},
};

class Reader {
 public:
  Reader(const yaml::Document& document, std::vector<util::Diagnostic>& out)
      : m_doc(document), m_out(out) {}

  // The bytes GitHub counts for `node` with aliases expanded; checks each node's tag once.
  size_t bytes(const yaml::Node& node) {
    if (auto it = m_bytes.find(&node); it != m_bytes.end()) return it->second;
    check_tag(node);
    size_t total = k_token_bytes;
    if (node.is_scalar()) {
      total = scalar_bytes(node);
    } else if (node.is_sequence()) {
      for (const yaml::Node* item : node.items)
        total = add_saturating(total, bytes(*item));
    } else {
      for (const yaml::Pair& pair : node.pairs)
        total = add_saturating(total, add_saturating(bytes(*pair.key), bytes(*pair.value)));
    }
    m_bytes.emplace(&node, total);
    return total;
  }

  // The node (in document order, aliases expanded) at which the running total passes
  // `budget` bytes; `node` must be larger than the budget.
  const yaml::Node& crossing(const yaml::Node& node, size_t budget) {
    if (node.is_scalar() || budget < k_token_bytes) return node;
    budget -= k_token_bytes;
    auto step = [&](const yaml::Node& child) -> const yaml::Node* {
      size_t size = bytes(child);
      if (size <= budget) {
        budget -= size;
        return nullptr;
      }
      // An alias refers back to an earlier node: point at the collection that uses it.
      if (child.mark.offset < node.mark.offset) return &node;
      return &crossing(child, budget);
    };
    if (node.is_sequence()) {
      for (const yaml::Node* item : node.items)
        if (const yaml::Node* at = step(*item)) return *at;
    } else {
      for (const yaml::Pair& pair : node.pairs) {
        if (const yaml::Node* at = step(*pair.key)) return *at;
        if (const yaml::Node* at = step(*pair.value)) return *at;
      }
    }
    return node;
  }

  util::Location location(const yaml::Node& node) const {
    return {m_doc.file(), node.mark.line, node.mark.column};
  }

 private:
  static size_t scalar_bytes(const yaml::Node& node) {
    size_t length = 0;
    if (node.value.find("${{") != std::string::npos) {
      length = expr::github_expression_length(node.value).value_or(util::utf16_length(node.value));
    } else if (yaml::scalar_type(node) == yaml::ScalarType::string) {
      length = util::utf16_length(node.value);
    } else {
      return k_token_bytes;  // null, boolean, number
    }
    return k_token_bytes + k_string_bytes + 2 * length;
  }

  void check_tag(const yaml::Node& node) {
    if (node.tag.empty() || node.tag == yaml::k_string_tag) return;
    std::string tag = display_tag(node.tag);
    if (!node.is_scalar()) {
      report(node, util::Severity::warning,
             "GitHub ignores the tag '" + tag + "' on a " +
                 std::string(yaml::node_kind_name(node.kind)),
             "remove the tag");
      return;
    }
    const CoreTag* core = nullptr;
    if (node.tag.starts_with(k_core_prefix))
      for (const CoreTag& candidate : k_core_tags)
        if (node.tag.substr(k_core_prefix.size()) == candidate.name) core = &candidate;
    if (!core) {
      report(node, util::Severity::error,
             "the tag '" + tag +
                 "' is not allowed: GitHub refuses explicit tags in workflows (only !!string, "
                 "and !!bool, !!int, !!float, !!null on a plain value)",
             "remove the tag; a value that starts with '!' must be quoted");
      return;
    }
    if (node.style != yaml::ScalarStyle::plain)
      report(node, util::Severity::error,
             "the tag '" + tag + "' cannot be used on a quoted or block scalar (GitHub refuses it)",
             "remove the tag or the quotes");
    else if (!core->accepts(node.value))
      report(node, util::Severity::error,
             "'" + node.value + "' is not a valid " + tag + " value (GitHub refuses it)",
             "remove the tag, or write a value of that type");
  }

  void report(const yaml::Node& node, util::Severity severity, std::string message,
              std::string hint) {
    m_out.push_back({severity, location(node), std::move(message), "yaml-tag", std::move(hint)});
  }

  const yaml::Document& m_doc;
  std::vector<util::Diagnostic>& m_out;
  std::unordered_map<const yaml::Node*, size_t> m_bytes;
};

}  // namespace

void check_reader_rules(const yaml::Document& document, std::vector<util::Diagnostic>& out,
                        size_t max_bytes) {
  const yaml::Node* root = document.root();
  if (!root) return;
  Reader reader(document, out);
  size_t total = reader.bytes(*root);
  if (total <= max_bytes) return;
  const yaml::Node& at = reader.crossing(*root, max_bytes);
  out.push_back({util::Severity::error, reader.location(at),
                 "the workflow holds more data than GitHub's limit of " +
                     std::to_string(max_bytes / (1024 * 1024)) + " MiB (" + std::to_string(total) +
                     " bytes as GitHub counts them, aliases expanded; GitHub stops with "
                     "\"Maximum object size exceeded\")",
                 "limits", "use fewer or smaller aliases"});
}

}  // namespace pipewright::workflow
