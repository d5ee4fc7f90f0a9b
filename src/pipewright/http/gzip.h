// Bounded gzip decoding for request bodies: a small compressed body can expand without
// limit (a "gzip bomb"), so the output is capped by the route's body limit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pipewright::http {

enum class GunzipStatus { ok, too_large, corrupt };

struct GunzipResult {
  GunzipStatus status = GunzipStatus::ok;
  std::string data;  // the decoded bytes when ok
};

// Decodes one or more concatenated gzip members; too_large as soon as the output would
// pass `max_output` bytes (never allocating beyond it), corrupt on malformed or truncated
// input.
GunzipResult gunzip(std::string_view compressed, size_t max_output);

}  // namespace pipewright::http
