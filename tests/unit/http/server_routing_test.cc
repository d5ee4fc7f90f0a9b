// The server over real sockets: routing, keep-alive, HEAD, malformed requests, the log.
#include <mutex>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipewright/http/server.h"

#include "unit/http/raw_client.h"
#include "unit/http/test_server.h"

namespace pipewright::http {
namespace {

using namespace testing;
using nlohmann::json;

Response echo(const Request& request) {
  json params = json::object(), query = json::array();
  for (const auto& [k, v] : request.params)
    params[k] = v;
  for (const auto& [k, v] : request.query)
    query.push_back({k, v});
  const std::string* agent = request.header("user-agent");
  return Response::json(200, json{{"method", request.method},
                                  {"path", request.path},
                                  {"target", request.target},
                                  {"params", params},
                                  {"query", query},
                                  {"body", request.body},
                                  {"agent", agent ? *agent : ""},
                                  {"remote", request.remote}}
                                 .dump());
}

Router echo_router() {
  Router router;
  router.add("GET", "/api/v1/runs", echo);
  router.add("GET", "/api/v1/runs/{id}/jobs/{job_id}/logs", echo);
  router.add("POST", "/api/v1/runs/{id}/cancel", echo);
  router.add("POST", "/hooks/github", echo, {25 << 20, RouteClass::webhook});
  router.add("GET", "/throws",
             [](const Request&) -> Response { throw std::runtime_error("handler bug"); });
  router.add("GET", "/bad-header", [](const Request&) {
    Response response = Response::text(200, "x");
    response.headers.push_back({"X-Injected", "a\r\nSet-Cookie: evil=1"});
    return response;
  });
  return router;
}

json body_of(const std::optional<RawResponse>& response) {
  EXPECT_TRUE(response);
  return response ? json::parse(response->body) : json();
}

TEST(ServerRoutingTest, ParamsAndQueryArriveDecoded) {
  auto server = start_server(echo_router());
  RawClient client(server->port());
  ASSERT_TRUE(client.send(get_request("/api/v1/runs/42/jobs/build%20(linux)/logs?x=a%2Fb&y=1+2",
                                      "User-Agent: GitHub-Hookshot/abc\r\n")));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("content-type"), "application/json");
  json body = json::parse(response->body);
  EXPECT_EQ(body["params"]["id"], "42");
  EXPECT_EQ(body["params"]["job_id"], "build (linux)");
  EXPECT_EQ(body["path"], "/api/v1/runs/42/jobs/build (linux)/logs");
  EXPECT_EQ(body["query"], json::parse(R"([["x","a/b"],["y","1 2"]])"));
  EXPECT_EQ(body["agent"], "GitHub-Hookshot/abc");
  EXPECT_TRUE(body["remote"].get<std::string>().starts_with("127.0.0.1:"));
}

TEST(ServerRoutingTest, UnknownPathIs404AndWrongMethod405WithAllow) {
  auto server = start_server(echo_router());
  RawClient client(server->port());
  ASSERT_TRUE(client.send(get_request("/api/v1/nothing")));
  auto missing = client.read_response();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["message"], "Not Found");
  ASSERT_TRUE(client.send(get_request("/hooks/github")));  // same connection: kept alive
  auto wrong = client.read_response();
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("allow"), "POST");
}

TEST(ServerRoutingTest, DotDotSlashAndCrlfInNamesAre400) {
  auto server = start_server(echo_router());
  for (const char* target :
       {"/api/v1/runs/..%2F..%2Fetc/jobs/1/logs", "/api/v1/runs/%2e%2e/jobs/1/logs",
        "/api/v1/runs/1/jobs/a%2Fb/logs", "/api/v1/runs/1/jobs/x%0d%0aSet-Cookie:%20a/logs",
        "/api/v1/runs/%zz/jobs/1/logs"}) {
    RawClient client(server->port());
    ASSERT_TRUE(client.send(get_request(target)));
    auto response = client.read_response();
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->status, 400) << target;
  }
}

TEST(ServerRoutingTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = start_server(echo_router());
  RawClient client(server->port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.send(
        post_request("/api/v1/runs/" + std::to_string(i) + "/cancel", "n=" + std::to_string(i))));
    auto body = body_of(client.read_response());
    EXPECT_EQ(body["params"]["id"], std::to_string(i));
    EXPECT_EQ(body["body"], "n=" + std::to_string(i));
  }
  // Two requests in one packet (pipelined) are answered in order.
  ASSERT_TRUE(client.send(get_request("/api/v1/runs?page=1") + get_request("/api/v1/runs?page=2")));
  EXPECT_EQ(body_of(client.read_response())["query"][0][1], "1");
  EXPECT_EQ(body_of(client.read_response())["query"][0][1], "2");
  // Connection: close is honoured.
  ASSERT_TRUE(client.send(get_request("/api/v1/runs", "Connection: close\r\n")));
  auto last = client.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(ServerRoutingTest, Http10ClosesAfterTheAnswer) {
  auto server = start_server(echo_router());
  RawClient client(server->port());
  ASSERT_TRUE(client.send("GET /api/v1/runs HTTP/1.0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(client.wait_closed());
}

TEST(ServerRoutingTest, HeadHasTheLengthButNoBody) {
  auto server = start_server(echo_router());
  RawClient client(server->port());
  ASSERT_TRUE(client.send("HEAD /api/v1/runs HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client.read_response(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_GT(std::stoul(head->header("content-length")), 0u);
  // The next response starts right away: no body bytes were sent after HEAD's header.
  ASSERT_TRUE(client.send(get_request("/nothing")));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 404);
}

TEST(ServerRoutingTest, MalformedRequestsGet400AndTheServerLivesOn) {
  auto server = start_server(echo_router());
  for (const char* bytes :
       {"GARBAGE\r\n\r\n", "GET /api/v1/runs HTTP/9.9\r\n\r\n", "GET  HTTP/1.1\r\n\r\n",
        "GET /api/v1/runs HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST /hooks/github HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
        "POST /hooks/github HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST /hooks/github HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
        "POST /hooks/github HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET api/v1/runs HTTP/1.1\r\n\r\n"}) {
    RawClient client(server->port());
    ASSERT_TRUE(client.send(bytes));
    auto response = client.read_response();
    ASSERT_TRUE(response) << bytes;
    EXPECT_EQ(response->status, 400) << bytes;
  }
  RawClient client(server->port());
  ASSERT_TRUE(client.send(get_request("/api/v1/runs")));
  EXPECT_EQ(body_of(client.read_response())["method"], "GET");
}

TEST(ServerRoutingTest, AHandlerThatThrowsOrForgesAHeaderGets500) {
  auto server = start_server(echo_router());
  RawClient client(server->port());
  ASSERT_TRUE(client.send(get_request("/throws")));
  auto thrown = client.read_response();
  ASSERT_TRUE(thrown);
  EXPECT_EQ(thrown->status, 500);
  ASSERT_TRUE(client.send(get_request("/bad-header")));
  auto forged = client.read_response();
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 500);
  EXPECT_EQ(forged->headers.count("set-cookie"), 0u);
}

TEST(ServerRoutingTest, ExpectContinueGetsAnInterimAnswer) {
  auto server = start_server(echo_router());
  RawClient client(server->port());
  ASSERT_TRUE(
      client.send("POST /hooks/github HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: "
                  "100-continue\r\n\r\n"));
  // The client waits for "100 Continue" before it sends the body.
  char interim[25];
  ASSERT_EQ(::recv(client.fd(), interim, sizeof interim, MSG_WAITALL), 25);
  EXPECT_EQ(std::string(interim, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.send("ping"));
  EXPECT_EQ(body_of(client.read_response())["body"], "ping");
}

TEST(ServerRoutingTest, OneLogLinePerRequestWithoutQueryHeadersOrBody) {
  std::mutex mutex;
  std::vector<RequestLog> logs;
  ServerOptions options;
  options.log = [&](const RequestLog& log) {
    std::lock_guard lock(mutex);
    logs.push_back(log);
  };
  auto server = start_server(echo_router(), options);
  RawClient client(server->port());
  ASSERT_TRUE(client.send(post_request("/hooks/github?token=querysecret", "bodysecret",
                                       "Authorization: Bearer headersecret\r\n")));
  ASSERT_TRUE(client.read_response());
  ASSERT_TRUE(client.send(get_request("/missing")));
  ASSERT_TRUE(client.read_response());
  server->stop();
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].method, "POST");
  EXPECT_EQ(logs[0].path, "/hooks/github");
  EXPECT_EQ(logs[0].status, 200);
  EXPECT_GT(logs[0].bytes, 0u);
  EXPECT_EQ(logs[1].status, 404);
  for (const auto& log : logs) {
    std::string line = format_request_log(log);
    EXPECT_EQ(line.find("secret"), std::string::npos) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  }
  EXPECT_TRUE(format_request_log(logs[1]).starts_with("http method=GET path=/missing status=404 "));
}

TEST(ServerRoutingTest, StartFailsClearlyOnBadOrBusyAddresses) {
  for (const char* listen :
       {"127.0.0.1", "127.0.0.1:99999", "127.0.0.1:http", "no.such.host.invalid:80"}) {
    ServerOptions options;
    options.listen = listen;
    auto server = Server::start(options, Router());
    ASSERT_FALSE(server) << listen;
    EXPECT_NE(server.error().message.find(listen), std::string::npos) << server.error().message;
  }
  auto first = start_server(Router());
  ServerOptions busy;
  busy.listen = "127.0.0.1:" + std::to_string(first->port());
  auto second = Server::start(busy, Router());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("cannot listen"), std::string::npos);
}

}  // namespace
}  // namespace pipewright::http
