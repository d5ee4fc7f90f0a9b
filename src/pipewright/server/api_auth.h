// What every API handler shares (internal to server/): the bearer-token check and
// small JSON helpers.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pipewright/http/router.h"
#include "pipewright/server/tokens.h"

namespace pipewright::server {

struct Core;

// Wraps `handler` so it runs only for a bearer token whose role allows `need`:
// 401 without a valid token ("Requires authentication", as GitHub), 403 with a lower
// role. Writes are refused with 503 while the server drains.
http::Handler guarded(Core& core, Role need, http::Handler handler);
// The role of the request's bearer token; nullopt when there is none or it is unknown.
std::optional<Role> request_role(Core& core, const http::Request& request);

http::Response json_response(int status, const nlohmann::json& body);
// The request body as a JSON object, or the 400 to answer ("Problems parsing JSON").
std::optional<nlohmann::json> json_body(const http::Request& request, http::Response* error);
// "OWNER/NAME" from the {owner}/{repo} route parameters.
std::string repo_param(const http::Request& request);
// The positive integer parameter `name`, or nullopt.
std::optional<int64_t> id_param(const http::Request& request, const std::string& name);

}  // namespace pipewright::server
