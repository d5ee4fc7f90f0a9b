// Errors with source locations, and the Expected/TRY idiom used for every
// failure a user can cause (STYLE.md rule 2).
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace pipewright::util {

// A position in a user's file. line and column are 1-based; 0 means unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  friend bool operator==(const Location&, const Location&) = default;
};

// An expected failure: what went wrong, where (for user input) and what to do.
struct Error {
  std::string message;
  Location location;
  std::string hint;
};

template <class T>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message, Location location = {},
                                   std::string hint = {}) {
  return std::unexpected(Error{std::move(message), std::move(location), std::move(hint)});
}

// "file:line:col: message" (or less, when parts are unknown).
std::string format_error(const Error& error);

}  // namespace pipewright::util

// PW_TRY(var, expr): evaluates expr (an Expected); on failure returns its error from
// the enclosing function, otherwise moves the value into a new variable `var`.
#define PW_TRY(var, expr)                                                           \
  auto var##_pw_result = (expr);                                                    \
  if (!var##_pw_result) return std::unexpected(std::move(var##_pw_result).error()); \
  auto var = std::move(*var##_pw_result)

// PW_TRY_VOID(expr): the same for an Expected<void>.
#define PW_TRY_VOID(expr)                                                   \
  do {                                                                      \
    auto pw_result_ = (expr);                                               \
    if (!pw_result_) return std::unexpected(std::move(pw_result_).error()); \
  } while (0)
