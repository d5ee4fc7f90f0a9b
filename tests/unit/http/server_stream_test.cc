// Streams (SSE) and stopping the server while requests and streams are in flight.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "pipewright/http/server.h"

#include "unit/http/raw_client.h"
#include "unit/http/test_server.h"

namespace pipewright::http {
namespace {

using namespace testing;

const std::vector<Header> k_sse_headers = {{"Content-Type", "text/event-stream"},
                                           {"Cache-Control", "no-cache"}};

TEST(ServerStreamTest, EventsArriveAsTheyAreWritten) {
  Gate first_read, done;
  std::string last_event_id;
  Router router;
  router.add_stream(
      "GET", "/api/v1/runs/{id}/logs/stream", k_sse_headers,
      [&](const Request& request, Stream& stream) {
        const std::string* last = request.header("Last-Event-ID");
        last_event_id = last ? *last : "";
        EXPECT_TRUE(stream.write("id: 1\ndata: run " + request.params.at("id") + "\n\n"));
        // The second event is written only after the client saw the first.
        first_read.wait();
        EXPECT_TRUE(stream.write("id: 2\ndata: done\n\n"));
        done.open();
      });
  auto server = start_server(std::move(router));
  RawClient client(server->port());
  ASSERT_TRUE(client.send(get_request("/api/v1/runs/7/logs/stream", "Last-Event-ID: 0\r\n")));
  auto head = client.read_response(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-type"), "text/event-stream");
  EXPECT_EQ(head->header("transfer-encoding"), "chunked");
  EXPECT_EQ(client.read_chunk(), "id: 1\ndata: run 7\n\n");
  EXPECT_FALSE(done.is_open());
  first_read.open();
  EXPECT_EQ(client.read_chunk(), "id: 2\ndata: done\n\n");
  EXPECT_EQ(client.read_chunk(), "");  // the handler returned: the body ends
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(last_event_id, "0");
}

TEST(ServerStreamTest, WriteReturnsFalseOnceTheClientIsGone) {
  Gate started, gone;
  std::atomic<int> writes = 0;
  Router router;
  router.add_stream("GET", "/stream", k_sse_headers, [&](const Request&, Stream& stream) {
    stream.write(": hello\n\n");
    started.open();
    // Writes until the server reports the client gone (the test's safety net: 60 s).
    for (int i = 0; i < 6000; ++i, ++writes) {
      if (!stream.write("data: tick\n\n")) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (stream.closed() && !stream.write("data: late\n\n")) gone.open();
  });
  auto server = start_server(std::move(router));
  {
    RawClient client(server->port());
    ASSERT_TRUE(client.send(get_request("/stream")));
    ASSERT_TRUE(client.read_response(/*head=*/true));
    ASSERT_TRUE(started.wait());
  }  // the client disconnects
  EXPECT_TRUE(gone.wait(std::chrono::seconds(60)));
  EXPECT_LT(writes, 6000);
}

TEST(ServerStreamTest, StreamsBeyondTheLimitGet503) {
  Gate release;
  Router router;
  router.add_stream("GET", "/stream", k_sse_headers, [&](const Request&, Stream& stream) {
    stream.write("data: x\n\n");
    release.wait();
  });
  ServerOptions options;
  options.max_streams = 1;
  auto server = start_server(std::move(router), options);
  RawClient first(server->port());
  ASSERT_TRUE(first.send(get_request("/stream")));
  ASSERT_TRUE(first.read_response(true));
  EXPECT_EQ(first.read_chunk(), "data: x\n\n");
  RawClient second(server->port());
  ASSERT_TRUE(second.send(get_request("/stream")));
  auto refused = second.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("retry-after"), "1");
  release.open();
}

TEST(ServerStreamTest, StopWhileRequestsAndStreamsAreInFlight) {
  Gate handler_running, stream_running;
  std::atomic<bool> stream_saw_close = false;
  Router router;
  router.add("GET", "/slow", [&](const Request&) {
    handler_running.open();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return Response::text(200, "finished");
  });
  router.add_stream("GET", "/stream", k_sse_headers, [&](const Request&, Stream& stream) {
    stream_running.open();
    while (stream.write("data: tick\n\n"))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stream_saw_close = stream.closed();
  });
  router.add("GET", "/fast", [](const Request&) { return Response::text(200, "ok"); });
  auto server = start_server(std::move(router));
  uint16_t port = server->port();

  RawClient slow(port), stream(port), idle(port);
  ASSERT_TRUE(idle.send(get_request("/fast")));
  ASSERT_TRUE(idle.read_response());  // a kept-alive idle connection
  ASSERT_TRUE(stream.send(get_request("/stream")));
  ASSERT_TRUE(stream_running.wait());
  ASSERT_TRUE(slow.send(get_request("/slow")));
  ASSERT_TRUE(handler_running.wait());

  server->stop();
  EXPECT_TRUE(stream_saw_close);
  // Every connection ends: the slow request with its answer or a close, never a hang.
  auto answer = slow.read_response();
  if (answer) {
    EXPECT_EQ(answer->status, 200);
  }
  EXPECT_TRUE(slow.wait_closed());
  EXPECT_TRUE(idle.wait_closed());
  EXPECT_TRUE(stream.wait_closed());
  RawClient late(port);
  EXPECT_FALSE(late.connected() && late.send(get_request("/fast")) && late.read_response());
  server->stop();  // idempotent
}

}  // namespace
}  // namespace pipewright::http
