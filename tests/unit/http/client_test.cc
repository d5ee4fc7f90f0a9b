#include "pipewright/http/client.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "unit/http/responder.h"
#include "unit/temp_dir.h"

namespace pipewright::http {
namespace {

using nlohmann::json;
using test_support::Responder;

constexpr const char* k_token = "pw_secret-token-value";

class ClientTest : public test_support::TempDirTest {
 protected:
  Client client(const Responder& r, std::string token = k_token) {
    ClientOptions options;
    options.base_url = r.url() + "/";
    options.token = std::move(token);
    options.timeout = std::chrono::seconds(10);
    return Client(options);
  }
};

TEST_F(ClientTest, SendsTheTokenAndJsonBodyAndReturnsTheAnswer) {
  Responder r(dir(), json::array({{{"method", "POST"},
                                   {"path", "/api/v1/runs/4/cancel"},
                                   {"status", 202},
                                   {"json", {{"ok", true}}},
                                   {"headers", {{"X-Thing", "yes"}}}}}));
  ASSERT_TRUE(r.started());
  auto answer = client(r).request("POST", "/api/v1/runs/4/cancel?x=1", R"({"a":1})");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 202);
  EXPECT_TRUE(answer->ok());
  EXPECT_EQ(json::parse(answer->body), json({{"ok", true}}));
  EXPECT_EQ(answer->header("x-thing"), "yes");
  auto requests = r.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["method"], "POST");
  EXPECT_EQ(requests[0]["target"], "/api/v1/runs/4/cancel?x=1");
  EXPECT_EQ(requests[0]["headers"]["Authorization"], std::string("Bearer ") + k_token);
  EXPECT_EQ(requests[0]["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(requests[0]["body"], R"({"a":1})");
}

TEST_F(ClientTest, NoTokenSendsNoAuthorization) {
  Responder r(
      dir(),
      json::array({{{"path", "/healthz"}, {"json", {{"status", "ok"}}}},
                   {{"method", "POST"}, {"path", "/api/v1/runs/4/cancel"}, {"status", 202}}}));
  ASSERT_TRUE(r.started());
  auto answer = client(r, "").request("GET", "/healthz");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_FALSE(r.requests().at(0)["headers"].contains("Authorization"));
  // A POST without a body claims no content type (libcurl's default is a form).
  auto cancel = client(r, "").request("POST", "/api/v1/runs/4/cancel");
  ASSERT_TRUE(cancel.has_value()) << cancel.error().message;
  EXPECT_EQ(cancel->status, 202);
  EXPECT_FALSE(r.requests().at(1)["headers"].contains("Content-Type"));
  EXPECT_EQ(r.requests().at(1)["headers"]["Content-Length"], "0");
}

TEST_F(ClientTest, ErrorAnswersSurfaceTheServersMessageWithoutTheToken) {
  std::string echo = std::string("bad token ") + k_token;
  Responder r(
      dir(),
      json::array({{{"path", "/api/v1/runs/9"},
                    {"status", 404},
                    {"json", {{"message", "run 9 not found"}}}},
                   {{"path", "/api/v1/runs"}, {"status", 401}, {"json", {{"message", echo}}}},
                   {{"path", "/api/v1/repos"},
                    {"status", 429},
                    {"headers", {{"Retry-After", "7"}}},
                    {"body", "busy"}}}));
  ASSERT_TRUE(r.started());
  Client c = client(r);
  auto missing = c.request("GET", "/api/v1/runs/9");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_FALSE(missing->ok());
  EXPECT_EQ(c.error_message(*missing), "run 9 not found (HTTP 404)");
  auto refused = c.request("GET", "/api/v1/runs");
  ASSERT_TRUE(refused.has_value());
  std::string message = c.error_message(*refused);
  EXPECT_EQ(message.find(k_token), std::string::npos) << message;
  EXPECT_NE(message.find("bad token ***"), std::string::npos) << message;
  EXPECT_NE(message.find("PIPEWRIGHT_TOKEN"), std::string::npos) << message;
  auto busy = c.request("GET", "/api/v1/repos");
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(c.error_message(*busy), "HTTP 429; try again in 7 s");
}

TEST_F(ClientTest, AnUnreachableServerFailsNamingTheUrlNotTheToken) {
  // The discard port: nothing listens there on a test machine.
  ClientOptions options;
  options.base_url = "http://127.0.0.1:9";
  options.token = k_token;
  options.timeout = std::chrono::seconds(5);
  Client c(options);
  auto answer = c.request("GET", "/api/v1/runs");
  ASSERT_FALSE(answer.has_value());
  EXPECT_NE(answer.error().message.find("http://127.0.0.1:9"), std::string::npos)
      << answer.error().message;
  EXPECT_EQ(answer.error().message.find(k_token), std::string::npos);
  auto stream = c.stream_events("/api/v1/runs/1/logs/stream", [](const SseEvent&) { return true; });
  ASSERT_FALSE(stream.has_value());
  EXPECT_NE(stream.error().message.find("127.0.0.1:9"), std::string::npos);
}

json sse_route(json events, int drop_after) {
  json sse = {{"events", std::move(events)}};
  if (drop_after >= 0) sse["drop_after"] = drop_after;
  return json::array({{{"path", "/api/v1/runs/1/logs/stream"}, {"sse", sse}}});
}

json log_events() {
  return json::array({{{"id", "1"}, {"event", "log"}, {"data", "one"}},
                      {{"id", "2"}, {"event", "log"}, {"data", "two\nlines"}},
                      {{"id", "3"}, {"event", "log"}, {"data", "three"}},
                      {{"id", "4"}, {"event", "run"}, {"data", "done"}}});
}

TEST_F(ClientTest, StreamEventsResumesWithLastEventIdAfterADrop) {
  Responder r(dir(), sse_route(log_events(), 2));
  ASSERT_TRUE(r.started());
  std::vector<std::string> seen;
  auto done = client(r).stream_events("/api/v1/runs/1/logs/stream", [&](const SseEvent& e) {
    seen.push_back(e.id + " " + e.event + " " + e.data);
    return true;
  });
  ASSERT_TRUE(done.has_value()) << done.error().message;
  // Every event once, in order, although the first connection broke after two.
  EXPECT_EQ(seen, (std::vector<std::string>{"1 log one", "2 log two\nlines", "3 log three",
                                            "4 run done"}));
  auto requests = r.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0]["headers"].contains("Last-Event-ID"));
  EXPECT_EQ(requests[1]["headers"]["Last-Event-ID"], "2");
  EXPECT_EQ(requests[1]["headers"]["Accept"], "text/event-stream");
  EXPECT_EQ(requests[1]["headers"]["Authorization"], std::string("Bearer ") + k_token);
}

TEST_F(ClientTest, StreamEventsStopsWhenTheCallbackSaysSo) {
  Responder r(dir(), sse_route(log_events(), -1));
  ASSERT_TRUE(r.started());
  int seen = 0;
  auto done = client(r).stream_events("/api/v1/runs/1/logs/stream", [&](const SseEvent& e) {
    ++seen;
    return e.id != "2";
  });
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(r.requests().size(), 1u);
}

TEST_F(ClientTest, StreamEventsFailsOnAnErrorAnswer) {
  Responder r(dir(), json::array({{{"path", "/api/v1/runs/8/logs/stream"},
                                   {"status", 404},
                                   {"json", {{"message", "run 8 not found"}}}}}));
  ASSERT_TRUE(r.started());
  auto done =
      client(r).stream_events("/api/v1/runs/8/logs/stream", [](const SseEvent&) { return true; });
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().message, "run 8 not found (HTTP 404)");
}

TEST_F(ClientTest, StreamEventsGivesUpAfterRepeatedDropsWithoutProgress) {
  // Every connection breaks before its first event: no progress, so it must not loop.
  json routes = sse_route(log_events(), 0);
  routes[0]["sse"]["every_time"] = true;
  Responder r(dir(), routes);
  ASSERT_TRUE(r.started());
  ClientOptions options;
  options.base_url = r.url();
  options.token = k_token;
  options.max_reconnects = 2;
  Client c(options);
  auto done = c.stream_events("/api/v1/runs/1/logs/stream", [](const SseEvent&) { return true; });
  ASSERT_FALSE(done.has_value());
  EXPECT_NE(done.error().message.find("broke"), std::string::npos) << done.error().message;
  EXPECT_EQ(done.error().message.find(k_token), std::string::npos);
  EXPECT_EQ(r.requests().size(), 3u);  // the first connection and two reconnections
}

}  // namespace
}  // namespace pipewright::http
