#include "pipewright/http/gzip.h"

#include <algorithm>

#include <zlib.h>

namespace pipewright::http {

GunzipResult gunzip(std::string_view compressed, size_t max_output) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return {GunzipStatus::corrupt, {}};
  GunzipResult result;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  char chunk[16384];
  int rc = Z_OK;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    size_t produced = sizeof chunk - z.avail_out;
    if (result.data.size() + produced > max_output) {
      result.status = GunzipStatus::too_large;
      break;
    }
    result.data.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      inflateReset(&z);  // another gzip member follows (gzip allows concatenation)
      continue;
    }
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && produced > 0)) {
      result.status = GunzipStatus::corrupt;
      break;
    }
    if (z.avail_in == 0 && produced == 0) {  // input ended inside a member
      result.status = GunzipStatus::corrupt;
      break;
    }
  }
  inflateEnd(&z);
  if (result.status != GunzipStatus::ok) result.data.clear();
  return result;
}

}  // namespace pipewright::http
