// The plain request/response types handlers see. No Boost here: the wire format lives in
// server.cc, so layers above include this header without pulling in Beast.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipewright::http {

struct Header {
  std::string name, value;
};

struct Request {
  std::string method;                                      // "GET"
  std::string target;                                      // raw "/api/v1/runs?repo=a%2Fb"
  std::string path;                                        // decoded path "/api/v1/runs"
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::vector<Header> headers;
  std::string body;                           // whole body (bounded by the route's limit)
  std::string remote;                         // "127.0.0.1:53412"
  std::map<std::string, std::string> params;  // from the route pattern: {id} -> "42"

  // The first header named `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  // The first query parameter named `name` (case-sensitive, as GitHub's API), or nullopt.
  std::optional<std::string> query_value(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;

  static Response json(int status, std::string body);  // content-type application/json
  static Response text(int status, std::string body);  // text/plain; charset=utf-8
  // GitHub's error shape: {"message": ..., "documentation_url": ""}.
  static Response error(int status, std::string_view message);
};

// A streaming response (SSE): the handler runs on its own thread and writes until done or
// until the client goes away. The server sends status 200 with the route's headers and a
// chunked body; each write() is one chunk, flushed before write() returns.
class Stream {
 public:
  virtual ~Stream() = default;
  // Sends `bytes`; false once the client is gone or the server stops (then stop writing).
  virtual bool write(std::string_view bytes) = 0;
  // True once the client disconnected or the server is stopping.
  virtual bool closed() const = 0;
};

}  // namespace pipewright::http
