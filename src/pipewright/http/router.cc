#include "pipewright/http/router.h"

#include <algorithm>
#include <stdexcept>

namespace pipewright::http {
namespace {

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::vector<std::string> split_pattern(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("http route pattern must start with '/': " + pattern);
  std::vector<std::string> segments;
  if (pattern == "/") return segments;
  for (size_t start = 1; start <= pattern.size();) {
    size_t end = std::min(pattern.find('/', start), pattern.size());
    std::string segment = pattern.substr(start, end - start);
    bool braces = segment.find_first_of("{}") != std::string::npos;
    if (segment.empty() || (braces && !is_param(segment)) ||
        (is_param(segment) && segment.find_first_of("{}", 1) != segment.size() - 1))
      throw std::invalid_argument("http route pattern has an invalid segment: " + pattern);
    segments.push_back(std::move(segment));
    start = end + 1;
  }
  return segments;
}

// Fills `params` when `route` matches `segments` (methods aside).
bool matches(const Route& route, const std::vector<std::string>& segments,
             std::map<std::string, std::string>& params) {
  if (route.segments.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (is_param(want)) {
      if (segments[i].empty()) return false;
      found[want.substr(1, want.size() - 2)] = segments[i];
    } else if (want != segments[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route route{std::move(method), split_pattern(pattern), std::move(handler), {}, {}, options};
  add_route(std::move(route));
}

void Router::add_stream(std::string method, std::string pattern, std::vector<Header> headers,
                        StreamHandler handler, RouteOptions options) {
  Route route{std::move(method),  split_pattern(pattern), {},
              std::move(handler), std::move(headers),     options};
  add_route(std::move(route));
}

void Router::add_route(Route route) {
  for (const auto& other : m_routes)
    if (other.method == route.method && other.segments == route.segments)
      throw std::invalid_argument("http route added twice: " + route.method);
  m_routes.push_back(std::move(route));
}

RouteMatch Router::match(std::string_view method, const std::vector<std::string>& segments) const {
  RouteMatch result;
  std::vector<std::string> allowed;
  const Route* get = nullptr;
  std::map<std::string, std::string> get_params;
  for (const auto& route : m_routes) {
    std::map<std::string, std::string> params;
    if (!matches(route, segments, params)) continue;
    if (route.method == method) {
      result.route = &route;
      result.params = std::move(params);
      return result;
    }
    allowed.push_back(route.method);
    if (route.method == "GET" && !route.stream) {
      allowed.push_back("HEAD");
      if (!get) get = &route, get_params = std::move(params);
    }
  }
  if (method == "HEAD" && get) {  // HEAD is GET without the body (the server drops it)
    result.route = get;
    result.params = std::move(get_params);
    return result;
  }
  if (allowed.empty()) {
    result.status = 404;
    return result;
  }
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  result.status = 405;
  for (const auto& m : allowed)
    result.allow += (result.allow.empty() ? "" : ", ") + m;
  return result;
}

}  // namespace pipewright::http
