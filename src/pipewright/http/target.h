// The request target ("/api/v1/runs/42?repo=a%2Fb") split into decoded path segments and
// query parameters. Everything that reaches a handler's params went through here, so
// this is where names that could escape a directory or split a header are refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipewright::http {

struct Target {
  std::string raw_path;               // "/api/v1/runs/a%2Fb" (no query)
  std::string path;                   // "/api/v1/runs/a/b" (decoded, for display)
  std::vector<std::string> segments;  // {"api", "v1", "runs", "a/b"} (each decoded alone)
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt on a truncated or
// non-hex escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

// Splits an origin-form target. nullopt (answer 400) when it does not start with '/', has
// a bad escape, or a decoded path segment contains '/', "..", CR, LF or NUL; a query value
// with CR, LF or NUL is refused too.
std::optional<Target> parse_target(std::string_view target);

}  // namespace pipewright::http
