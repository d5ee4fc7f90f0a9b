// What GitHub's workflow reader refuses in a document that is valid YAML, checked on our
// node tree before the schema walk:
// - explicit tags on scalars: its reader takes `!!string` in any style and `!!bool`,
//   `!!int`, `!!float`, `!!null` on a plain scalar whose text is of that type; every other
//   tag (`!!str`, `!custom`, `!main` from an unquoted `!main`) makes the file invalid. Tags on
//   mappings and sequences are ignored by it, so they are only a warning here;
// - the size of the document once aliases are expanded: its template memory allows 10 MiB,
//   counted as it counts (24 bytes a token, 26 more plus two a character for a string).
// The file size and the nesting depth are bounded by the parser (yaml::Limits).
#pragma once

#include <cstddef>
#include <vector>

#include "pipewright/util/diagnostic.h"
#include "pipewright/workflow/yaml/node.h"

namespace pipewright::workflow {

inline constexpr size_t k_max_template_bytes = 10 * 1024 * 1024;

// Appends an error per refused tag (a warning per ignored one) and one error when the
// expanded document exceeds `max_bytes`, located where the running total crosses it.
void check_reader_rules(const yaml::Document& document, std::vector<util::Diagnostic>& out,
                        size_t max_bytes = k_max_template_bytes);

}  // namespace pipewright::workflow
