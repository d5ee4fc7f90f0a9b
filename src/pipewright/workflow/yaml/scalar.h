// What a YAML scalar is, the way GitHub's workflow reader types it: a plain scalar by the
// YAML 1.2 core schema (null, true/True/TRUE, 12, -3, 0x1F, 0o17, 1.5e3, .inf, .nan),
// anything quoted or block-styled as a string. One place for the rules, so the schema
// check, the model and the linter agree.
#pragma once

#include <optional>
#include <string_view>

#include "pipewright/workflow/yaml/node.h"

namespace pipewright::workflow::yaml {

enum class ScalarType { null, boolean, number, string };

// The type of a scalar node (a collection is reported as a string; callers check kind).
// `!!string` (GitHub's explicit string tag) makes any scalar a string.
ScalarType scalar_type(const Node& node);

// The core-schema boolean of plain text ("true", "True", "TRUE", "false", ...).
std::optional<bool> core_bool(std::string_view text);

// The core-schema number of plain text: decimal and signed integers, 0x hex, 0o octal,
// decimals with an optional exponent, [+-].inf and .nan in their three spellings.
std::optional<double> core_number(std::string_view text);

// The two halves of core_number, for the `!!int` and `!!float` tags: integers (decimal,
// signed, 0x, 0o) and floats (decimals with an optional exponent, .inf, .nan).
bool is_core_integer(std::string_view text);
bool is_core_float(std::string_view text);

// GitHub's explicit string tag (`!!string`), the one tag its reader accepts in any style.
inline constexpr std::string_view k_string_tag = "tag:yaml.org,2002:string";

}  // namespace pipewright::workflow::yaml
