// JSON ↔ Value (GitHub's fromJSON / toJSON).
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "pipewright/expr/value.h"

namespace pipewright::expr {

// Strict JSON → Value (-0 → 0; duplicate keys: the last wins). Fails with a message.
std::expected<Value, std::string> parse_json(std::string_view text);
// GitHub's toJSON: 2-space indent, `"k": v`, `[]`/`{}` for empty containers,
// numbers in G15 form.
std::string to_json(const Value& value);

}  // namespace pipewright::expr
