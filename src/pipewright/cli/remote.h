// The server a command talks to: the global `--server URL` (or PIPEWRIGHT_SERVER) and
// the token from PIPEWRIGHT_TOKEN (never a flag, so it stays out of argv and `ps`).
//
// Exit codes of a command that calls the API: 0 ok; 2 when the request named something
// wrong or missing (HTTP 400, 404, 422) or the server cannot be reached (the message
// names the URL, never the token); 1 when the server refused or failed a valid request
// (401, 403, 409, 429, 5xx). Errors print the server's "message".
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "pipewright/http/client.h"

namespace CLI {
class App;
}

namespace pipewright::cli {

// Registers `--server URL` on `app`: on the top-level app (where PIPEWRIGHT_SERVER fills
// it too) and on each command that talks to a server, so it may come before or after the
// command's name. The command's own --server wins, then the app's, then the variable.
void add_server_option(CLI::App& app);

class Remote {
 public:
  // The server configured for `command` (a subcommand at any depth), or nullopt when
  // neither --server nor PIPEWRIGHT_SERVER names one. `what` prefixes errors
  // ("pipewright cancel").
  static std::optional<Remote> open(const CLI::App& command, std::string what);

  // Sends a request; on a 2xx answer returns its body parsed as JSON (null when empty or
  // not JSON). Otherwise prints "<what>: <message>" and returns the exit code (above);
  // `missing` ("run 9 not found"), when given, is the message for a 404.
  std::expected<nlohmann::json, int> call(std::string_view method, std::string_view path,
                                          std::string_view json_body = {},
                                          std::string_view missing = {});
  // The same for a text answer (logs): the body as it came.
  std::expected<std::string, int> call_text(std::string_view method, std::string_view path,
                                            std::string_view missing = {});

  // RUN as users type it: a run id, or "last" (the server's newest run). Prints why and
  // returns exit code 2 when it is neither, or there is no run yet.
  std::expected<int64_t, int> resolve_run(std::string_view spec);

  // Sends a request and returns the 2xx answer whole (for its status); otherwise as call.
  std::expected<http::ClientResponse, int> send(std::string_view method, std::string_view path,
                                                std::string_view json_body = {},
                                                std::string_view missing = {});

  // Text that must never be printed (a secret's value): replaced by "***" in errors.
  void add_mask(std::string text) { m_masks.push_back(std::move(text)); }

  // Prints "<what>: <message>" to stderr and returns `code` (for the commands' own errors).
  int fail(int code, std::string_view message) const;

  http::Client& client() { return m_client; }
  const std::string& what() const { return m_what; }

 private:
  Remote(http::ClientOptions options, std::string what);

  http::Client m_client;
  std::string m_what;
  std::vector<std::string> m_masks;
};

// `text` percent-encoded for one path segment (everything but A-Z a-z 0-9 - . _ ~).
std::string path_segment(std::string_view text);

// Whether `name` is OWNER/NAME (two non-empty segments), as the API names repositories.
bool is_repo_name(std::string_view name);

// "/api/v1/repos/OWNER/NAME" for an OWNER/NAME name, each segment encoded.
std::string repo_api_path(std::string_view name);

// The exit code for an HTTP error status (see the top of this file).
int exit_code_for_status(int status);

constexpr int k_exit_ok = 0;
constexpr int k_exit_failure = 1;
constexpr int k_exit_usage = 2;

}  // namespace pipewright::cli
