// YAML text → yaml::Document, with limits for hostile input. Uses yaml-cpp's event API
// (kept out of this header) and turns every failure into a Diagnostic.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/diagnostic.h"
#include "pipewright/workflow/yaml/node.h"

namespace pipewright::workflow::yaml {

struct Limits {
  size_t max_bytes = 1 << 20;          // file size, checked before parsing
  int max_depth = 64;                  // nesting of sequences and mappings
  size_t max_nodes = 200000;           // nodes written in the file (bounds memory)
  size_t max_expanded_nodes = 100000;  // nodes repeated by expanding aliases
  std::string_view size_hint = {};     // the hint of the "file too large" error
};

struct ParseResult {
  // Null on a fatal error (syntax, limits, encoding, empty, several documents).
  std::shared_ptr<const Document> document;
  // Fatal errors ("syntax", "limits") and non-fatal ones ("duplicate-key").
  std::vector<util::Diagnostic> diagnostics;
};

// Parses one YAML document. Duplicate keys (exact match) are reported at the second key
// and kept in the tree. Never throws on any input.
ParseResult parse(std::string_view text, std::string file, const Limits& limits = {});

// The 1-based line and column (bytes) of byte `offset` in `text`.
Mark mark_at(std::string_view text, size_t offset);

}  // namespace pipewright::workflow::yaml
