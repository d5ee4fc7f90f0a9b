#include "pipewright/cli/remote.h"

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace pipewright::cli {

namespace {
constexpr const char* k_server_option = "--server";
}  // namespace

void add_server_option(CLI::App& app) {
  CLI::Option* option = app.add_option(
      k_server_option, "A `pipewright serve` to talk to, e.g. http://127.0.0.1:8420");
  option->option_text("URL");
  if (!app.get_parent()) option->envname("PIPEWRIGHT_SERVER");
}

int exit_code_for_status(int status) {
  return status == 400 || status == 404 || status == 422 ? k_exit_usage : k_exit_failure;
}

Remote::Remote(http::ClientOptions options, std::string what)
    : m_client(std::move(options)), m_what(std::move(what)) {}

std::optional<Remote> Remote::open(const CLI::App& command, std::string what) {
  std::string url;
  for (const CLI::App* app = &command; app && url.empty(); app = app->get_parent()) {
    const CLI::Option* option = app->get_option_no_throw(k_server_option);
    if (option && option->count() > 0) url = option->as<std::string>();
  }
  // CLI11 fills the option from PIPEWRIGHT_SERVER too; an empty value means no server.
  if (url.empty()) return std::nullopt;
  http::ClientOptions options;
  options.base_url = url;
  if (const char* token = std::getenv("PIPEWRIGHT_TOKEN")) options.token = token;
  return Remote(std::move(options), std::move(what));
}

std::expected<int64_t, int> Remote::resolve_run(std::string_view spec) {
  if (spec == "last") {
    auto page = call("GET", "/api/v1/runs?per_page=1");
    if (!page) return std::unexpected(page.error());
    const nlohmann::json* runs =
        page->is_object() && page->contains("workflow_runs") ? &(*page)["workflow_runs"] : nullptr;
    if (!runs || !runs->is_array() || runs->empty() || !(*runs)[0].contains("id") ||
        !(*runs)[0]["id"].is_number_integer())
      return std::unexpected(fail(k_exit_usage, "no runs yet on " + m_client.base_url()));
    return (*runs)[0]["id"].get<int64_t>();
  }
  if (spec.empty() || spec.size() > 18 ||
      spec.find_first_not_of("0123456789") != std::string_view::npos)
    return std::unexpected(
        fail(k_exit_usage, "no run '" + std::string(spec) + "' (a run id or 'last')"));
  return std::stoll(std::string(spec));
}

int Remote::fail(int code, std::string_view message) const {
  std::string text(message);
  for (const std::string& mask : m_masks) {
    if (mask.empty()) continue;
    for (size_t at = text.find(mask); at != std::string::npos; at = text.find(mask, at + 3))
      text.replace(at, mask.size(), "***");
  }
  std::cerr << m_what << ": " << text << "\n";
  return code;
}

std::string path_segment(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      static constexpr char k_hex[] = "0123456789ABCDEF";
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string repo_api_path(std::string_view name) {
  size_t slash = name.find('/');
  return "/api/v1/repos/" + path_segment(name.substr(0, slash)) + "/" +
         path_segment(name.substr(slash + 1));
}

bool is_repo_name(std::string_view name) {
  size_t slash = name.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < name.size() &&
         name.find('/', slash + 1) == std::string_view::npos;
}

std::expected<http::ClientResponse, int> Remote::send(std::string_view method,
                                                      std::string_view path,
                                                      std::string_view json_body,
                                                      std::string_view missing) {
  auto answer = m_client.request(method, path, json_body);
  if (!answer) {
    std::string message = answer.error().message;
    if (!answer.error().hint.empty()) message += " (" + answer.error().hint + ")";
    return std::unexpected(fail(k_exit_usage, message));
  }
  if (answer->status == 404 && !missing.empty())
    return std::unexpected(fail(k_exit_usage, missing));
  if (!answer->ok())
    return std::unexpected(
        fail(exit_code_for_status(answer->status), m_client.error_message(*answer)));
  return std::move(*answer);
}

std::expected<nlohmann::json, int> Remote::call(std::string_view method, std::string_view path,
                                                std::string_view json_body,
                                                std::string_view missing) {
  auto answer = send(method, path, json_body, missing);
  if (!answer) return std::unexpected(answer.error());
  auto parsed = nlohmann::json::parse(answer->body, nullptr, false);
  if (parsed.is_discarded()) return nlohmann::json();
  return parsed;
}

std::expected<std::string, int> Remote::call_text(std::string_view method, std::string_view path,
                                                  std::string_view missing) {
  auto answer = send(method, path, {}, missing);
  if (!answer) return std::unexpected(answer.error());
  return std::move(answer->body);
}

}  // namespace pipewright::cli
