// Mapping a byte offset inside a scalar's value back to the source text, so errors inside
// `${{ }}` point at the right line and column (quotes, escapes, folding, block scalars).
#pragma once

#include <cstddef>
#include <string_view>

#include "pipewright/workflow/yaml/node.h"

namespace pipewright::workflow::yaml {

// The source position of byte `offset` of `scalar.value`. `source` is the document's text.
// Plain and quoted one-line scalars: the scalar's column + offset (+1 for the quote);
// block scalars (`|`, `>`): the content line and column. Offsets past the end map to the
// end of the scalar's text. Never reads outside `source`.
Mark scalar_offset_mark(const Node& scalar, std::string_view source, size_t offset);

}  // namespace pipewright::workflow::yaml
