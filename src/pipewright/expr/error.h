// Errors of the expression language, with GitHub's texts.
#pragma once

#include <cstddef>
#include <string>

namespace pipewright::expr {

enum class ErrorKind { lexing, parsing, evaluation };

struct ExprError {
  ErrorKind kind = ErrorKind::parsing;
  // The full GitHub text, e.g. "Unexpected symbol: '...'. Located at position 5 within
  // expression: ...".
  std::string message;
  // 1-based column in the expression text (UTF-16 code units, as GitHub counts); 0 when none.
  int position = 0;
  // Template::parse / parse_condition with `${{ }}`: the byte offset in the scalar where
  // that expression text starts (for "not closed": the offset of its `${{`); else 0.
  size_t expression_offset = 0;
};

// "lexing", "parsing" or "evaluation".
const char* error_kind_name(ErrorKind kind);

}  // namespace pipewright::expr
