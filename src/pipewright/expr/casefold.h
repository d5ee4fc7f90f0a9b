// .NET OrdinalIgnoreCase on UTF-8 text: simple per-character invariant uppercase
// over all of Unicode (Greek, Cyrillic, …), except that i/İ and ı/I stay distinct.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pipewright::expr {

// The simple invariant uppercase of a code point (itself when it has none).
char32_t to_upper(char32_t c);
// a == b ignoring case.
bool equals_ignore_case(std::string_view a, std::string_view b);
// <0, 0, >0 comparing the upper-cased texts ordinally (by UTF-16 code unit).
int compare_ignore_case(std::string_view a, std::string_view b);
// The byte offset of `needle` in `haystack` ignoring case, or npos.
size_t find_ignore_case(std::string_view haystack, std::string_view needle);
// Whether `s` starts / ends with `part`, ignoring case.
bool starts_with_ignore_case(std::string_view s, std::string_view part);
bool ends_with_ignore_case(std::string_view s, std::string_view part);
// The upper-cased text (UTF-8); invalid bytes are kept as they are.
std::string to_upper(std::string_view s);
// A hash consistent with equals_ignore_case.
size_t hash_ignore_case(std::string_view s);

}  // namespace pipewright::expr
