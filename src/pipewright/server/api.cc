#include "pipewright/server/api.h"

#include <charconv>

#include "pipewright/server/api_auth.h"
#include "pipewright/server/core.h"

namespace pipewright::server {

using nlohmann::json;

http::Response json_response(int status, const json& body) {
  return http::Response::json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::optional<json> json_body(const http::Request& request, http::Response* error) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    *error = http::Response::error(400, "Problems parsing JSON");
    return std::nullopt;
  }
  return body;
}

std::string repo_param(const http::Request& request) {
  auto owner = request.params.find("owner");
  auto repo = request.params.find("repo");
  if (owner == request.params.end() || repo == request.params.end()) return {};
  return owner->second + "/" + repo->second;
}

std::optional<int64_t> id_param(const http::Request& request, const std::string& name) {
  auto it = request.params.find(name);
  if (it == request.params.end()) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (ec != std::errc() || end != it->second.data() + it->second.size() || value <= 0)
    return std::nullopt;
  return value;
}

std::optional<Role> request_role(Core& core, const http::Request& request) {
  const std::string* header = request.header("Authorization");
  if (!header) return std::nullopt;
  std::string_view value = *header;
  for (std::string_view scheme : {"Bearer ", "bearer ", "token "})
    if (value.starts_with(scheme)) {
      value.remove_prefix(scheme.size());
      break;
    }
  if (!looks_like_token(value)) return std::nullopt;
  auto role = core.db->token_role(token_hash(value));
  if (!role || !*role) return std::nullopt;
  return parse_role(**role);
}

http::Handler guarded(Core& core, Role need, http::Handler handler) {
  return [&core, need, handler = std::move(handler)](const http::Request& request) {
    auto role = request_role(core, request);
    if (!role) return http::Response::error(401, "Requires authentication");
    if (!allows(*role, need))
      return http::Response::error(403, "This needs a token with the " +
                                            std::string(to_string(need)) + " role; this one is " +
                                            std::string(to_string(*role)));
    if (need != Role::viewer && core.draining)
      return http::Response::error(503, "The server is shutting down; try again shortly");
    return handler(request);
  };
}

void add_routes(http::Router& router, Core& core, Dispatcher& dispatcher) {
  http::RouteOptions health{1 << 10, http::RouteClass::health};
  router.add(
      "GET", "/healthz",
      [&core](const http::Request&) {
        return json_response(200, json{{"status", core.draining ? "draining" : "ok"}});
      },
      health);
  router.add(
      "GET", "/metrics",
      [&core](const http::Request&) {
        http::Response response;
        response.status = 200;
        response.headers.push_back({"Content-Type", "text/plain; version=0.0.4; charset=utf-8"});
        response.body = core.registry.render();
        return response;
      },
      health);
  add_hook_routes(router, core);
  add_repo_routes(router, core);
  add_run_routes(router, core, dispatcher);
}

}  // namespace pipewright::server
