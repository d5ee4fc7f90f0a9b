// The forms of a secret the masker hides: the value itself and the encodings in
// which GitHub (and tools around it) commonly print it. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pipewright::exec {

enum class Base64Alphabet { standard, url };
enum class HexCase { upper, lower };

// The parts of a secret value that are masked on their own: the whole value
// plus, for a multi-line value, each line trimmed of spaces, tabs and CR
// (empty lines skipped). Duplicates removed; order: whole value first.
std::vector<std::string> secret_parts(std::string_view value);

// Every encoded form of `value` to mask, `value` itself included, without
// duplicates: base64 (and base64url) at byte offsets 0, 1 and 2 (only the
// characters that depend on the value alone), JSON-string escaped, URL-encoded
// (upper- and lower-case %xx), XML-escaped, `\"`-escaped, `''`-quoted,
// shell `'\''`-quoted and with surrounding double quotes trimmed. Derived forms
// shorter than `min_length` bytes are left out (the value itself never is).
std::vector<std::string> encoded_forms(std::string_view value, size_t min_length = 4);

// Base64 (RFC 4648, with padding) in the given alphabet (url: -_ for +/).
std::string base64_encode(std::string_view bytes,
                          Base64Alphabet alphabet = Base64Alphabet::standard);

// The characters of base64(P + value) that depend only on `value`, where P is
// `offset` (0, 1 or 2) bytes in front of it: what shows of the secret when it
// sits at that offset inside a larger base64-encoded text.
std::string base64_stable_part(std::string_view value, int offset,
                               Base64Alphabet alphabet = Base64Alphabet::standard);

// The body of a JSON string literal for `value` (no quotes): \" \\ \b \f \n \r
// \t and \u00XX for other control bytes; other bytes unchanged.
std::string json_escape(std::string_view value);

// Percent-encoding of every byte except A-Z a-z 0-9 - . _ ~ (like
// Uri.EscapeDataString), with upper- or lower-case hex digits.
std::string url_encode(std::string_view value, HexCase hex_case = HexCase::upper);

// & < > " ' replaced with XML entities.
std::string xml_escape(std::string_view value);

}  // namespace pipewright::exec
