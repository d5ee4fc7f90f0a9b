// The HTTP/1.1 server (Boost.Beast, hidden in server.cc): keep-alive, routing, handler
// pools and the limits a server facing hostile clients needs (issue 12 §6).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "pipewright/http/router.h"
#include "pipewright/util/error.h"

namespace pipewright::http {

// One finished request, for the access log. Never header values or bodies.
struct RequestLog {
  std::string method;  // "-" when the request line could not be read
  std::string path;    // raw path without the query, "-" when unknown
  int status = 0;
  size_t bytes = 0;  // response body bytes sent
  double ms = 0;     // from the end of the request header to the response written
  std::string remote;
};

// "http method=GET path=/api/v1/runs status=200 bytes=512 ms=1.2 remote=127.0.0.1:5000"
std::string format_request_log(const RequestLog& log);

struct ServerOptions {
  std::string listen = "127.0.0.1:8420";    // host:port; port 0 = any free port
  size_t threads = 2;                       // I/O threads
  size_t handler_threads = 4;               // API handlers (store queries may block a few ms)
  size_t priority_threads = 2;              // webhook and health handlers, never behind API work
  size_t max_streams = 64;                  // stream handlers at once (a thread each); beyond: 503
  size_t max_connections = 1024;            // beyond: new connections closed at once
  size_t max_header_bytes = 16 * 1024;      // 431
  std::chrono::seconds header_timeout{10};  // slowloris: whole header within this
  std::chrono::seconds body_timeout{60};    // whole body within this
  std::chrono::seconds idle_timeout{60};    // keep-alive idle; also a stalled stream reader
  size_t api_max_in_flight = 64;            // api requests at once; beyond: 429 + Retry-After: 1
  // Called once per request (from any thread); null: no access log.
  std::function<void(const RequestLog&)> log;
};

class Server {
 public:
  // Binds options.listen and starts serving `router`. Fails (no exception) when the address
  // is invalid or cannot be bound.
  static util::Expected<std::unique_ptr<Server>> start(ServerOptions, Router);
  virtual ~Server() = default;  // stops, as stop() does

  virtual uint16_t port() const = 0;  // the bound port
  // Stops accepting, closes every connection (stream handlers see write() == false), waits
  // for running handlers and joins all threads. Idempotent.
  virtual void stop() = 0;
};

}  // namespace pipewright::http
