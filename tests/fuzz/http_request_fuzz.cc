// Fuzz target: what the server does with a request's bytes before a handler runs — Beast's
// parser with the server's header cap, then the target split (parse_target), routing
// and the bounded gzip decoding. Whatever the bytes, nothing crashes, no decoded segment
// or route parameter holds '/', "..", CR, LF or NUL, and gzip output stays within the cap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

#include "pipewright/http/gzip.h"
#include "pipewright/http/router.h"
#include "pipewright/http/target.h"

namespace {

using namespace pipewright::http;
namespace bhttp = boost::beast::http;

constexpr size_t k_max_body = 4096;

void require(bool condition) {
  if (!condition) std::abort();
}

bool safe(std::string_view name) {
  return name.find('/') == std::string_view::npos && name.find("..") == std::string_view::npos &&
         name.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

const Router& router() {
  static const Router r = [] {
    Router router;
    auto ok = [](const Request&) { return Response::text(200, "ok"); };
    router.add("GET", "/api/v1/runs", ok);
    router.add("GET", "/api/v1/runs/{id}/jobs/{job_id}/logs", ok);
    router.add("POST", "/api/v1/repos/{owner}/{repo}/dispatches", ok);
    router.add("POST", "/hooks/github", ok, {k_max_body, RouteClass::webhook});
    return router;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(k_max_body);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec && !parser.is_header_done()) return 0;
  auto target = parse_target(std::string_view(parser.get().target()));
  if (!target) return 0;
  for (const auto& segment : target->segments)
    require(safe(segment));
  auto match = router().match(std::string_view(parser.get().method_string()), target->segments);
  require(match.route || match.status == 404 || match.status == 405);
  for (const auto& [name, value] : match.params)
    require(safe(value) && !value.empty());
  if (parser.is_done()) {
    auto decoded = gunzip(parser.get().body(), k_max_body);
    require(decoded.status == GunzipStatus::ok ? decoded.data.size() <= k_max_body
                                               : decoded.data.empty());
  }
  return 0;
}
