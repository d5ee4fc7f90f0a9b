// UTF-8 validation for user input.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace pipewright::util {

// Byte offset of the first invalid UTF-8 sequence (overlongs, surrogates and code
// points above U+10FFFF are invalid), or nullopt when `text` is valid.
std::optional<size_t> find_invalid_utf8(std::string_view text);

}  // namespace pipewright::util
