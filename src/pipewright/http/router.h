// Routes: method + path pattern -> handler, with per-route limits. The server asks the
// router which route a request's decoded path segments name (match()).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/http/message.h"

namespace pipewright::http {

enum class RouteClass { api, webhook, health };  // 429 applies to api only

struct RouteOptions {
  size_t max_body = 1 << 20;  // decoded body bytes (after gzip); beyond: 413
  RouteClass cls = RouteClass::api;
};

using Handler = std::function<Response(const Request&)>;
// Status 200 with the headers given to add_stream(); the handler writes the body.
using StreamHandler = std::function<void(const Request&, Stream&)>;

struct Route {
  std::string method;
  std::vector<std::string> segments;  // a literal, or "{name}" for a parameter
  Handler handler;                    // set by add()
  StreamHandler stream;               // set by add_stream()
  std::vector<Header> stream_headers;
  RouteOptions options;
};

// What match() found: a route (with its parameters) or the status to answer instead.
struct RouteMatch {
  const Route* route = nullptr;
  int status = 200;   // 404 (no pattern matches) or 405 (no route for this method)
  std::string allow;  // for 405: "GET, HEAD, POST"
  std::map<std::string, std::string> params;
};

class Router {
 public:
  // Patterns: "/api/v1/runs/{id}/jobs/{job_id}/logs"; a segment {name} matches one
  // non-empty segment. Exact method match (a GET route also answers HEAD); unknown path
  // 404; wrong method 405 + Allow. Segments are percent-decoded before matching and a
  // decoded segment containing '/', "..", CR, LF or NUL is refused with 400 by the server
  // (parse_target) before any route is tried. An invalid pattern or a duplicate route
  // throws std::invalid_argument (a programming error, found at start-up).
  void add(std::string method, std::string pattern, Handler, RouteOptions = {});
  void add_stream(std::string method, std::string pattern, std::vector<Header> headers,
                  StreamHandler, RouteOptions = {});

  // The route for `method` and the decoded path `segments` ("/a/b" -> {"a", "b"}).
  RouteMatch match(std::string_view method, const std::vector<std::string>& segments) const;

 private:
  void add_route(Route route);
  std::vector<Route> m_routes;
};

}  // namespace pipewright::http
