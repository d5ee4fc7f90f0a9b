// "Did you mean …?" suggestions for misspelled names.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace pipewright::util {

// Edit distance (insertions, deletions, substitutions, adjacent transpositions),
// compared case-insensitively for ASCII.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo
// (distance ≤ max(1, len/3)); "" otherwise.
std::string closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace pipewright::util
