// UTF-8 validation for user input, and repair for outputs that must be valid UTF-8
// (JSON events, database text).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pipewright::util {

// Length of the valid UTF-8 sequence that starts at text[i] (1 to 4), or 0 when the
// bytes there do not begin one: overlongs (C0 80), surrogates (ED A0 80), code points
// above U+10FFFF (F4 90 80 80), stray continuation bytes and truncated sequences.
size_t utf8_sequence_length(std::string_view text, size_t i);

// Byte offset of the first invalid UTF-8 sequence (overlongs, surrogates and code
// points above U+10FFFF are invalid), or nullopt when `text` is valid.
std::optional<size_t> find_invalid_utf8(std::string_view text);

// `text` with each byte that does not begin a valid sequence replaced by U+FFFD; the
// valid sequences are kept as they are. The result is always valid UTF-8.
std::string to_valid_utf8(std::string_view text);

// The .NET string length of UTF-8 text, as GitHub counts lengths and sizes: UTF-16 code
// units, one per code point and two above U+FFFF (a 4-byte lead); an invalid byte
// counts as one.
size_t utf16_length(std::string_view text);

}  // namespace pipewright::util
