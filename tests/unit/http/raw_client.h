// A plain POSIX-socket HTTP/1.1 client for the server tests: it sends exactly the bytes a
// test gives (including malformed or hostile ones) and parses what comes back.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pipewright::http::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; a receive timeout keeps a broken server from hanging the
  // test (a safety net, never an assertion).
  explicit RawClient(uint16_t port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{20, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return m_connected; }
  void close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

  // False when the peer has closed (EPIPE/ECONNRESET).
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response; nullopt when the connection closes (or fails) before a whole one.
  std::optional<RawResponse> read_response(bool head = false) {
    size_t end;
    while ((end = m_pending.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    std::string head_text = m_pending.substr(0, end);
    m_pending.erase(0, end + 4);
    RawResponse response;
    size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    for (size_t pos = line_end; pos != std::string::npos && pos < head_text.size();) {
      size_t next = head_text.find("\r\n", pos + 2);
      std::string line =
          head_text.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      pos = next;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      response.headers[name] = value;
    }
    if (response.status == 100) return read_response(head);
    if (head) return response;
    if (response.headers.count("content-length")) {
      size_t length = std::stoul(response.headers["content-length"]);
      if (!take(length, response.body)) return std::nullopt;
    } else if (response.header("transfer-encoding") == "chunked") {
      while (true) {
        auto size = read_chunk();
        if (!size) return std::nullopt;
        if (size->empty()) break;
        response.body += *size;
      }
    } else {
      while (fill()) {
      }
      response.body = std::move(m_pending);
      m_pending.clear();
    }
    return response;
  }

  // One chunk of a chunked body ("" for the last chunk); nullopt on close.
  std::optional<std::string> read_chunk() {
    size_t end;
    while ((end = m_pending.find("\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    size_t size = std::stoul(m_pending.substr(0, end), nullptr, 16);
    m_pending.erase(0, end + 2);
    std::string data;
    if (!take(size + 2, data)) return std::nullopt;
    data.resize(size);
    if (size == 0) {  // the last chunk: "0\r\n" then an empty trailer line
      return std::string();
    }
    return data;
  }

  // True when the server closed the connection: reads until EOF or a reset, dropping any
  // bytes; false if the connection is still open when the receive timeout passes.
  bool wait_closed() {
    char buffer[4096];
    while (true) {
      ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET || errno == EPIPE;
    }
  }

  int fd() const { return m_fd; }

 private:
  bool fill() {
    char buffer[16384];
    ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    m_pending.append(buffer, static_cast<size_t>(n));
    return true;
  }
  bool take(size_t n, std::string& out) {
    while (m_pending.size() < n)
      if (!fill()) return false;
    out = m_pending.substr(0, n);
    m_pending.erase(0, n);
    return true;
  }

  int m_fd = -1;
  bool m_connected = false;
  std::string m_pending;
};

// "GET /path HTTP/1.1" with Host and the extra header lines given (each ending in \r\n).
inline std::string get_request(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

inline std::string post_request(std::string_view target, std::string_view body,
                                std::string_view extra = "") {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

}  // namespace pipewright::http::testing
