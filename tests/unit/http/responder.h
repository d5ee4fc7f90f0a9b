// Starts tests/support/api_responder.py (a canned-JSON HTTP server that records the
// requests it gets) for one test, and stops it afterwards.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pipewright::test_support {

class Responder {
 public:
  // Serves `routes` (the script's ROUTES.json format) from files in `dir`.
  Responder(const std::string& dir, const nlohmann::json& routes) : m_dir(dir) {
    std::ofstream(dir + "/routes.json") << routes.dump();
    std::string script = std::string(PW_SOURCE_DIR) + "/tests/support/api_responder.py";
    std::string routes_file = dir + "/routes.json", log = dir + "/requests.jsonl",
                port_file = dir + "/port";
    m_pid = ::fork();
    if (m_pid == 0) {
      ::execlp("python3", "python3", script.c_str(), "--routes", routes_file.c_str(), "--log",
               log.c_str(), "--port-file", port_file.c_str(), nullptr);
      ::_exit(127);
    }
    // Waits for the port file (written once the socket listens), or for the child to die.
    for (int i = 0; i < 1000 && !std::filesystem::exists(port_file); ++i) {
      int status = 0;
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ifstream(port_file) >> m_port;
  }
  ~Responder() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGTERM);
      ::waitpid(m_pid, nullptr, 0);
    }
  }
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  bool started() const { return m_port > 0; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

  // The requests recorded so far.
  std::vector<nlohmann::json> requests() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(m_dir + "/requests.jsonl");
    for (std::string line; std::getline(in, line);)
      out.push_back(nlohmann::json::parse(line));
    return out;
  }

 private:
  std::string m_dir;
  pid_t m_pid = -1;
  int m_port = 0;
};

}  // namespace pipewright::test_support
