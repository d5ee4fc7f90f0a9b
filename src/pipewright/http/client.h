// An HTTP client for Pipewright's API (libcurl): JSON requests with a bearer token, and
// Server-Sent Event streams that resume with Last-Event-ID after a dropped connection.
// The token goes only into the Authorization header: no error message, log line or
// returned text ever contains it (a server message that echoes it is masked).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/http/sse.h"
#include "pipewright/util/error.h"

namespace pipewright::http {

struct ClientOptions {
  std::string base_url;  // "http://127.0.0.1:8420" (a trailing '/' is ignored)
  std::string token;     // '' sends no Authorization header
  std::chrono::seconds timeout{30};
  // A dropped event stream is resumed at most this many times in a row without an event
  // arriving in between.
  int max_reconnects = 5;
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names as the server sent them
  std::string body;

  // The value of header `name` (case-insensitive); '' when absent.
  std::string header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

class Client {
 public:
  explicit Client(ClientOptions options);

  // Sends `method` to base_url + `path_and_query` (with a JSON body when one is given)
  // and returns the answer whatever its status. Fails when the server cannot be reached,
  // the connection breaks or the timeout passes; the message names the URL.
  util::Expected<ClientResponse> request(std::string_view method, std::string_view path_and_query,
                                         std::string_view json_body = {});

  // GETs `path` as text/event-stream and calls `on_event` for each event until it
  // returns false or the server ends the stream. A connection that breaks is opened
  // again with Last-Event-ID (after the server's `retry:` delay, 1 s by default). Fails
  // when the server answers anything but 200 (with error_message's text), cannot be
  // reached, or drops the stream max_reconnects times in a row.
  util::Expected<void> stream_events(std::string_view path,
                                     const std::function<bool(const SseEvent&)>& on_event);

  // What went wrong, for a response that is not 2xx: the server's JSON "message" when it
  // sent one ("HTTP 500" otherwise), with the status, never the token.
  std::string error_message(const ClientResponse& response) const;

  const std::string& base_url() const { return m_options.base_url; }

 private:
  // `text` with the token replaced by "***".
  std::string mask(std::string text) const;

  ClientOptions m_options;
};

}  // namespace pipewright::http
