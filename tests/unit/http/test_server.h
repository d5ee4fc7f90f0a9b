// Starting a real server on a free port for the server tests, and a gate a handler can
// wait on until the test opens it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include <gtest/gtest.h>

#include "pipewright/http/server.h"

namespace pipewright::http::testing {

inline std::unique_ptr<Server> start_server(Router router, ServerOptions options = {}) {
  options.listen = "127.0.0.1:0";
  auto server = Server::start(std::move(options), std::move(router));
  if (!server) ADD_FAILURE() << server.error().message;
  return server ? std::move(*server) : nullptr;
}

// A one-shot signal between a handler thread and the test.
class Gate {
 public:
  void open() {
    std::lock_guard lock(m_mutex);
    m_open = true;
    m_cv.notify_all();
  }
  // True once opened; false if the (generous, safety-net) wait passes first.
  bool wait(std::chrono::seconds limit = std::chrono::seconds(20)) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, limit, [&] { return m_open; });
  }
  bool is_open() {
    std::lock_guard lock(m_mutex);
    return m_open;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_open = false;
};

}  // namespace pipewright::http::testing
