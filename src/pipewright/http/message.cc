#include "pipewright/http/message.h"

#include <nlohmann/json.hpp>
#include <strings.h>

namespace pipewright::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

Response with_type(int status, std::string body, std::string type) {
  Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", std::move(type)});
  response.body = std::move(body);
  return response;
}

}  // namespace

const std::string* Request::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

std::optional<std::string> Request::query_value(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return value;
  return std::nullopt;
}

Response Response::json(int status, std::string body) {
  return with_type(status, std::move(body), "application/json");
}

Response Response::text(int status, std::string body) {
  return with_type(status, std::move(body), "text/plain; charset=utf-8");
}

Response Response::error(int status, std::string_view message) {
  nlohmann::json body = {{"message", message}, {"documentation_url", ""}};
  // `replace`: a message quoting user input with invalid UTF-8 still makes valid JSON.
  return json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace pipewright::http
