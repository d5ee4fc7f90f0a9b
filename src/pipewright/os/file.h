// Reading and writing whole files, with limits for untrusted input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "pipewright/util/error.h"

namespace pipewright::os {

// The whole content of `path`. Fails (with the path in the message) when the file
// cannot be read or is larger than `max_bytes`, without reading past the limit.
util::Expected<std::string> read_file(const std::string& path,
                                      size_t max_bytes = static_cast<size_t>(-1));

// Writes `content` to `path` atomically (temporary file + rename).
util::Expected<void> write_file(const std::string& path, std::string_view content);

// Creates `path`, which must not exist, with `content` (not atomic: for files in a
// private directory that nobody reads before this returns).
util::Expected<void> create_file(const std::string& path, std::string_view content);

}  // namespace pipewright::os
