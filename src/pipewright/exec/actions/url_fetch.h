// Outgoing downloads for the setup actions' release indexes and archives (libcurl):
// http(s):// and file:// URLs (tests and local mirrors use file://). Redirects are
// followed, HTTP errors fail, sizes are bounded.
#pragma once

#include <cstdint>
#include <string>

#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

// The body of `url`, at most `max_bytes`. Fails naming the URL and why (HTTP status,
// connection error, size limit).
util::Expected<std::string> fetch_url(const std::string& url, uint64_t max_bytes = 64 << 20);

// Streams `url` into `path` (created or truncated), at most `max_bytes`; fails like
// fetch_url (a partial file may remain; the caller owns its removal).
util::Expected<void> fetch_url_to_file(const std::string& url, const std::string& path,
                                       uint64_t max_bytes = uint64_t{4} << 30);

}  // namespace pipewright::exec::actions
