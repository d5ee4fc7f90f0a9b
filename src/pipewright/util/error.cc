#include "pipewright/util/error.h"

#include <fmt/format.h>

namespace pipewright::util {

std::string format_error(const Error& error) {
  std::string out;
  const Location& loc = error.location;
  if (!loc.file.empty()) out += loc.file + ":";
  if (loc.known()) out += fmt::format("{}:{}:", loc.line, loc.column);
  if (!out.empty()) out += " ";
  out += error.message;
  if (!error.hint.empty()) out += " (" + error.hint + ")";
  return out;
}

}  // namespace pipewright::util
