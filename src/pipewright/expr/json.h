// JSON ↔ Value (GitHub's fromJSON / toJSON).
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "pipewright/expr/value.h"

namespace pipewright::expr {

// Strict JSON → Value (-0 → 0; duplicate keys: the last wins). Fails with a message
// in the runner's words that says where (line, position) but never quotes the input.
std::expected<Value, std::string> parse_json(std::string_view text);
// How deep parse_json nests arrays and objects; deeper input is refused (a bound for
// hostile input: nested values are freed and printed recursively).
inline constexpr size_t k_max_json_depth = 512;
enum class JsonStyle {
  indented,  // GitHub's toJSON: 2-space indent, `"k": v`
  compact,   // one line, `{"k":v}` (a JSON field of a one-line event or record)
};

// GitHub's toJSON (indented): `[]`/`{}` for empty containers, numbers in G15 form,
// strings escaped like Newtonsoft.
std::string to_json(const Value& value, JsonStyle style = JsonStyle::indented);

}  // namespace pipewright::expr
