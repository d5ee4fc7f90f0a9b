// ASCII case folding, for names that are ASCII by rule and compared ignoring case
// (repositories, secrets, variables, header names). Unicode-aware folding, as GitHub's
// expressions compare strings, is expr/casefold.h's.
#pragma once

#include <string>
#include <string_view>

namespace pipewright::util {

// `text` with A-Z turned into a-z; every other byte as it is.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace pipewright::util
