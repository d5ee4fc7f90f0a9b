// The limits a server facing hostile clients needs (issue 12 §6), over real sockets.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pipewright/http/server.h"

#include "unit/http/gzip_encode.h"
#include "unit/http/raw_client.h"
#include "unit/http/test_server.h"

namespace pipewright::http {
namespace {

using namespace testing;

Response size_of_body(const Request& request) {
  return Response::text(200,
                        std::to_string(request.body.size()) + ":" + request.body.substr(0, 16));
}

Router limited_router(size_t max_body = 1000) {
  Router router;
  router.add("POST", "/hooks/github", size_of_body, {max_body, RouteClass::webhook});
  router.add("GET", "/healthz", [](const Request&) { return Response::text(200, "ok"); },
             {1024, RouteClass::health});
  return router;
}

std::optional<RawResponse> exchange(uint16_t port, const std::string& bytes) {
  RawClient client(port);
  if (!client.send(bytes)) return std::nullopt;
  return client.read_response();
}

std::string chunked(const std::vector<std::string>& chunks) {
  std::string out;
  for (const auto& c : chunks) {
    char size[32];
    snprintf(size, sizeof size, "%zx\r\n", c.size());
    out += size + c + "\r\n";
  }
  return out + "0\r\n\r\n";
}

TEST(ServerLimitsTest, ContentLengthOverTheRouteLimitIs413BeforeTheBodyIsRead) {
  auto server = start_server(limited_router(1000));
  RawClient client(server->port());
  // Only the header is sent: the answer must not wait for the 5 MB it announces.
  ASSERT_TRUE(
      client.send("POST /hooks/github HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client.wait_closed());
  auto at_limit = exchange(server->port(), post_request("/hooks/github", std::string(1000, 'a')));
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->status, 200);
  EXPECT_EQ(at_limit->body.substr(0, 5), "1000:");
}

TEST(ServerLimitsTest, ChunkedBodiesAreCappedWhileReading) {
  auto server = start_server(limited_router(1000));
  std::string head = "POST /hooks/github HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  auto within =
      exchange(server->port(), head + chunked({std::string(600, 'a'), std::string(400, 'b')}));
  ASSERT_TRUE(within);
  EXPECT_EQ(within->status, 200);
  EXPECT_EQ(within->body.substr(0, 5), "1000:");
  auto over =
      exchange(server->port(), head + chunked({std::string(600, 'a'), std::string(401, 'b')}));
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 413);
  // A chunk announcing more than the limit is refused without being sent.
  auto huge = exchange(server->port(), head + "40000000\r\n");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
}

TEST(ServerLimitsTest, GzipBodiesAreDecodedWithinTheLimit) {
  auto server = start_server(limited_router(1000));
  std::string payload = R"({"ref":"refs/heads/main"})";
  auto ok = exchange(server->port(), post_request("/hooks/github", gzip_encode(payload),
                                                  "Content-Encoding: gzip\r\n"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, std::to_string(payload.size()) + ":" + payload.substr(0, 16));
}

TEST(ServerLimitsTest, AGzipBombIs413) {
  auto server = start_server(limited_router(1 << 20));
  std::string bomb = gzip_encode(std::string(64 << 20, '\0'));  // ~64 KB on the wire
  ASSERT_LT(bomb.size(), size_t{1 << 20});
  auto response =
      exchange(server->port(), post_request("/hooks/github", bomb, "Content-Encoding: gzip\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST(ServerLimitsTest, CorruptGzipIs400AndUnknownEncodings415) {
  auto server = start_server(limited_router(1000));
  auto corrupt = exchange(server->port(),
                          post_request("/hooks/github", "not gzip", "Content-Encoding: gzip\r\n"));
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->status, 400);
  for (const char* encoding : {"br", "deflate", "gzip, gzip", "compress"}) {
    auto response = exchange(
        server->port(),
        post_request("/hooks/github", "xx", std::string("Content-Encoding: ") + encoding + "\r\n"));
    ASSERT_TRUE(response) << encoding;
    EXPECT_EQ(response->status, 415) << encoding;
  }
  auto identity = exchange(server->port(),
                           post_request("/hooks/github", "xx", "Content-Encoding: identity\r\n"));
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->status, 200);
}

TEST(ServerLimitsTest, OversizedHeadersAre431) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  auto server = start_server(limited_router(), options);
  auto big = exchange(server->port(),
                      get_request("/healthz", "X-Padding: " + std::string(5000, 'p') + "\r\n"));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 431);
  auto many = std::string();
  for (int i = 0; i < 400; ++i)
    many += "X-H" + std::to_string(i) + ": 0123456789\r\n";
  auto lots = exchange(server->port(), get_request("/healthz", many));
  ASSERT_TRUE(lots);
  EXPECT_EQ(lots->status, 431);
  auto fine = exchange(server->port(),
                       get_request("/healthz", "X-Padding: " + std::string(3000, 'p') + "\r\n"));
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST(ServerLimitsTest, ASlowlorisHeaderIsCutOff) {
  ServerOptions options;
  options.header_timeout = std::chrono::seconds(1);
  auto server = start_server(limited_router(), options);
  RawClient client(server->port());
  // One header byte about every 400 ms; the header never ends.
  std::string trickle = "GET /healthz HTTP/1.1\r\nX-Slow: " + std::string(100, 'a');
  bool cut_off = false;
  for (char c : trickle) {
    if (!client.send(std::string(1, c))) {
      cut_off = true;
      break;
    }
    pollfd pfd{client.fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 400) > 0) {  // readable: EOF or reset, as no answer is due
      cut_off = client.wait_closed();
      break;
    }
  }
  EXPECT_TRUE(cut_off);
}

TEST(ServerLimitsTest, ASlowBodyIsCutOff) {
  ServerOptions options;
  options.body_timeout = std::chrono::seconds(1);
  auto server = start_server(limited_router(), options);
  RawClient client(server->port());
  ASSERT_TRUE(client.send("POST /hooks/github HTTP/1.1\r\nHost: t\r\nContent-Length: 900\r\n\r\n"));
  bool cut_off = false;
  for (int i = 0; i < 900; ++i) {
    if (!client.send("a")) {
      cut_off = true;
      break;
    }
    pollfd pfd{client.fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 400) > 0) {
      cut_off = client.wait_closed();
      break;
    }
  }
  EXPECT_TRUE(cut_off);
}

TEST(ServerLimitsTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  ServerOptions options;
  options.max_connections = 2;
  auto server = start_server(limited_router(), options);
  RawClient a(server->port()), b(server->port());
  // Each holds a connection the server has accepted (it answered on it).
  for (RawClient* client : {&a, &b}) {
    ASSERT_TRUE(client->send(get_request("/healthz")));
    ASSERT_TRUE(client->read_response());
  }
  RawClient c(server->port());
  ASSERT_TRUE(c.connected());  // the kernel accepts; the server closes it unread
  EXPECT_TRUE(c.wait_closed());
  // a and b still work; once one leaves, a newcomer is served.
  ASSERT_TRUE(a.send(get_request("/healthz")));
  ASSERT_TRUE(a.read_response());
  b.close();
  bool served = false;
  for (int attempt = 0; attempt < 200 && !served; ++attempt) {
    RawClient d(server->port());
    served = d.send(get_request("/healthz")) && d.read_response().has_value();
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
}

TEST(ServerLimitsTest, SaturatedApiAnswers429WhileWebhooksAreStillAccepted) {
  Gate release;
  std::atomic<int> api_started = 0, deliveries = 0;
  Router router;
  router.add("GET", "/api/v1/runs", [&](const Request&) {
    ++api_started;
    release.wait();
    return Response::json(200, "[]");
  });
  router.add("POST", "/hooks/github",
             [&](const Request&) {
               ++deliveries;
               return Response::json(202, "{}");
             },
             {25 << 20, RouteClass::webhook});
  router.add("GET", "/healthz", [](const Request&) { return Response::text(200, "ok"); },
             {1024, RouteClass::health});
  ServerOptions options;
  options.api_max_in_flight = 2;
  options.handler_threads = 4;
  auto server = start_server(std::move(router), options);

  std::vector<std::unique_ptr<RawClient>> busy;
  for (int i = 0; i < 2; ++i) {
    busy.push_back(std::make_unique<RawClient>(server->port()));
    ASSERT_TRUE(busy.back()->send(get_request("/api/v1/runs")));
  }
  for (int i = 0; i < 2000 && api_started < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(api_started, 2);

  auto refused = exchange(server->port(), get_request("/api/v1/runs"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->header("retry-after"), "1");
  for (int i = 0; i < 5; ++i) {
    auto delivery = exchange(server->port(), post_request("/hooks/github", R"({"zen":"x"})"));
    ASSERT_TRUE(delivery);
    EXPECT_EQ(delivery->status, 202);
  }
  EXPECT_EQ(deliveries, 5);
  auto health = exchange(server->port(), get_request("/healthz"));
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(api_started, 2);  // the refused request never reached its handler

  release.open();
  for (auto& client : busy) {
    auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
  auto again = exchange(server->port(), get_request("/api/v1/runs"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

}  // namespace
}  // namespace pipewright::http
