// The server: an acceptor and I/O threads (Asio), one Session per connection (Beast's
// parser), handler pools, and the limits of issue 12 §6.
//
// Threads: I/O threads only read, parse and write (a connection's work runs on its strand).
// Handlers run on two pools: API requests on one, webhook and health requests on another,
// so a saturated API never delays a delivery. A stream handler gets a thread of its own.
//
// Lifetime: sessions hold a ServerImpl& and are kept alive by the operations they have
// pending. stop() closes the acceptor and every session, then joins the pools and stream
// threads (while the I/O threads still run, so their writes fail fast instead of hanging),
// and last the I/O threads. Members are declared so that the io_context is destroyed first:
// the handlers it still holds release their sessions while everything else is alive.
#include "pipewright/http/server.h"

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <future>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <strings.h>

#include "pipewright/http/gzip.h"
#include "pipewright/http/target.h"

namespace pipewright::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// A header a handler set that would corrupt the response (header splitting).
bool valid_header(const Header& h) {
  if (h.name.empty()) return false;
  for (unsigned char c : h.name)
    if (c <= 32 || c >= 127 || c == ':') return false;
  return h.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), endpoint.port());
  return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

util::Expected<tcp::endpoint> parse_listen(const std::string& listen) {
  auto bad = [&](std::string why) {
    return util::fail(fmt::format("invalid listen address '{}': {}", listen, why), {},
                      "give host:port, e.g. 127.0.0.1:8420 or [::1]:8420 (port 0: any free port)");
  };
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return bad("no port");
  std::string host = listen.substr(0, colon);
  std::string_view port_text = std::string_view(listen).substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535)
    return bad("the port is not a number from 0 to 65535");
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code error;
  auto address = net::ip::make_address(host, error);
  if (!error) return tcp::endpoint(address, static_cast<uint16_t>(port));
  net::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  auto results = resolver.resolve(host, std::to_string(port), error);
  if (error || results.empty()) return bad("cannot resolve host '" + host + "'");
  return results.begin()->endpoint();
}

class ServerImpl;

// One connection: read a request, answer it, repeat while keep-alive holds.
class Session : public std::enable_shared_from_this<Session>, public Stream {
 public:
  Session(ServerImpl& server, tcp::socket socket, std::string remote)
      : m_server(server), m_stream(std::move(socket)), m_remote(std::move(remote)) {}
  ~Session() override;

  void start() {
    net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->read_request(); });
  }
  void close_from_outside() {
    m_closed = true;
    net::post(m_stream.get_executor(), [self = shared_from_this()] { self->close(); });
  }

  // Stream, for a stream handler's thread.
  bool write(std::string_view bytes) override;
  bool closed() const override { return m_closed; }

 private:
  void read_request();
  void read_header();
  void on_header(beast::error_code ec);
  void on_body(beast::error_code ec);
  void dispatch();
  void start_stream();
  void watch_stream_reader();
  void finish_stream();
  // Answers `response`; the connection is kept only if `keep` and the client agrees.
  void respond(Response response, bool keep = true);
  void respond_error(int status, std::string_view message, bool keep = true) {
    respond(Response::error(status, message), keep);
  }
  void on_written(beast::error_code ec, bool keep);
  void close_gracefully();
  void drain(size_t drained);
  void log(int status, size_t bytes);
  void close();
  bool has_body() const {
    return m_parser->chunked() || m_parser->content_length().value_or(0) > 0;
  }

  ServerImpl& m_server;
  beast::tcp_stream m_stream;
  std::string m_remote;
  beast::flat_buffer m_buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> m_parser;
  bool m_first = true;
  std::atomic<bool> m_closed = false;
  // The request being served.
  Request m_request;
  RouteMatch m_match;
  std::string m_log_method = "-", m_log_path = "-";
  Clock::time_point m_started;
  bool m_head = false;
  std::shared_ptr<bhttp::response<bhttp::string_body>> m_response;
  // Streams.
  bhttp::response<bhttp::empty_body> m_stream_head;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> m_stream_serializer;
  char m_discard[4096];
};

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, Router router)
      : m_options(std::move(options)),
        m_router(std::move(router)),
        m_api_pool(std::max<size_t>(1, m_options.handler_threads)),
        m_priority_pool(std::max<size_t>(1, m_options.priority_threads)),
        m_acceptor(net::make_strand(m_ioc)),
        m_retry(m_acceptor.get_executor()) {}
  ~ServerImpl() override { stop(); }

  util::Expected<void> listen(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    auto failed = [&](const char* what) {
      return util::fail(
          fmt::format("cannot listen on {}: {} ({})", m_options.listen, ec.message(), what), {},
          "choose a free port or an address of this host");
    };
    m_acceptor.open(endpoint.protocol(), ec);
    if (ec) return failed("open");
    m_acceptor.set_option(net::socket_base::reuse_address(true), ec);
    m_acceptor.bind(endpoint, ec);
    if (ec) return failed("bind");
    m_acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return failed("listen");
    m_port = m_acceptor.local_endpoint().port();
    return {};
  }

  void run() {
    accept();
    for (size_t i = 0; i < std::max<size_t>(1, m_options.threads); ++i)
      m_io_threads.emplace_back([this] { m_ioc.run(); });
  }

  uint16_t port() const override { return m_port; }

  void stop() override {
    {
      std::lock_guard lock(m_mutex);
      if (m_stopping) return;
      m_stopping = true;
    }
    net::post(m_acceptor.get_executor(), [this] {
      beast::error_code ec;
      m_acceptor.close(ec);
      m_retry.cancel();
    });
    for (auto& session : live_sessions())
      session->close_from_outside();
    // Handlers already running finish; queued ones see m_stopping and answer 503.
    m_api_pool.join();
    m_priority_pool.join();
    std::list<std::thread> streams;
    {
      std::lock_guard lock(m_mutex);
      streams.swap(m_stream_threads);
    }
    for (auto& thread : streams)
      thread.join();
    // Sessions accepted while stopping are closed by the work guard's release below.
    for (auto& session : live_sessions())
      session->close_from_outside();
    m_work.reset();
    m_ioc.stop();
    for (auto& thread : m_io_threads)
      thread.join();
  }

  const ServerOptions& options() const { return m_options; }
  const Router& router() const { return m_router; }
  std::atomic<size_t>& api_in_flight() { return m_api_in_flight; }

  bool stopping() {
    std::lock_guard lock(m_mutex);
    return m_stopping;
  }

  // Runs `job` on the pool for `cls`; false (job not run) once the server is stopping.
  bool post_handler(RouteClass cls, std::function<void()> job) {
    std::lock_guard lock(m_mutex);
    if (m_stopping) return false;
    net::post(cls == RouteClass::api ? m_api_pool : m_priority_pool, std::move(job));
    return true;
  }

  // Takes one of the max_streams places; false when all are taken or the server stops.
  bool reserve_stream() {
    std::lock_guard lock(m_mutex);
    if (m_stopping || m_streams >= m_options.max_streams) return false;
    ++m_streams;
    return true;
  }
  void release_stream() {
    std::lock_guard lock(m_mutex);
    --m_streams;
  }

  // Runs a stream handler on a thread of its own (its place reserved); false when stopping.
  bool start_stream_thread(std::function<void()> job) {
    std::lock_guard lock(m_mutex);
    if (m_stopping) return false;
    // Join the threads that have finished (they only set their flag and return).
    for (auto it = m_stream_threads.begin(); it != m_stream_threads.end();) {
      auto done = m_stream_done.find(it->get_id());
      if (done == m_stream_done.end() || !done->second) {
        ++it;
        continue;
      }
      it->join();
      m_stream_done.erase(done);
      it = m_stream_threads.erase(it);
    }
    // The thread marks itself done under m_mutex, so after its entry below is written.
    m_stream_threads.emplace_back([this, job = std::move(job)] {
      job();
      std::lock_guard lock(m_mutex);
      --m_streams;
      m_stream_done[std::this_thread::get_id()] = true;
    });
    m_stream_done[m_stream_threads.back().get_id()] = false;
    return true;
  }

  void add_session(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(m_mutex);
    m_sessions[session.get()] = session;
  }
  void remove_session(Session* session) {
    std::lock_guard lock(m_mutex);
    m_sessions.erase(session);
  }

 private:
  std::vector<std::shared_ptr<Session>> live_sessions() {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard lock(m_mutex);
    for (auto& [raw, weak] : m_sessions)
      if (auto session = weak.lock()) out.push_back(std::move(session));
    return out;
  }

  void accept() {
    m_acceptor.async_accept(net::make_strand(m_ioc), [this](beast::error_code ec,
                                                            tcp::socket socket) {
      if (ec == net::error::operation_aborted || stopping()) return;
      if (ec) {  // e.g. out of file descriptors: pause instead of spinning
        m_retry.expires_after(std::chrono::milliseconds(100));
        m_retry.async_wait([this](beast::error_code wait) {
          if (!wait) accept();
        });
        return;
      }
      beast::error_code peer_error;
      auto peer = socket.remote_endpoint(peer_error);
      bool full;
      {
        std::lock_guard lock(m_mutex);
        full = m_sessions.size() >= m_options.max_connections;
      }
      if (full || peer_error) {
        socket.close(peer_error);
      } else {
        auto session = std::make_shared<Session>(*this, std::move(socket), format_endpoint(peer));
        add_session(session);
        session->start();
      }
      accept();
    });
  }

  ServerOptions m_options;
  Router m_router;
  std::mutex m_mutex;
  bool m_stopping = false;
  std::unordered_map<Session*, std::weak_ptr<Session>> m_sessions;
  std::list<std::thread> m_stream_threads;
  std::unordered_map<std::thread::id, bool> m_stream_done;
  size_t m_streams = 0;  // stream places taken (max_streams)
  std::atomic<size_t> m_api_in_flight = 0;
  net::thread_pool m_api_pool;
  net::thread_pool m_priority_pool;
  std::vector<std::thread> m_io_threads;
  uint16_t m_port = 0;
  // Declared last, destroyed first (see the top of the file).
  net::io_context m_ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> m_work{
      net::make_work_guard(m_ioc)};
  tcp::acceptor m_acceptor;
  net::steady_timer m_retry;
};

Session::~Session() {
  m_server.remove_session(this);
}

void Session::read_request() {
  if (m_closed) return close();
  m_parser.emplace();
  m_parser->header_limit(static_cast<uint32_t>(
      std::min<size_t>(m_server.options().max_header_bytes, std::numeric_limits<uint32_t>::max())));
  // The route's limit applies once the route is known (Beast 1.74 treats "no limit" as
  // zero, so the largest number stands for it).
  m_parser->body_limit(std::numeric_limits<uint64_t>::max());
  m_log_method = m_log_path = "-";
  if (m_first || m_buffer.size() > 0) return read_header();
  // Keep-alive: wait up to idle_timeout for the next request to begin.
  m_stream.expires_after(m_server.options().idle_timeout);
  m_stream.async_read_some(m_buffer.prepare(4096),
                           [self = shared_from_this()](beast::error_code ec, size_t n) {
                             if (ec) return self->close();
                             self->m_buffer.commit(n);
                             self->read_header();
                           });
}

void Session::read_header() {
  m_stream.expires_after(m_server.options().header_timeout);
  bhttp::async_read_header(
      m_stream, m_buffer, *m_parser,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void Session::on_header(beast::error_code ec) {
  m_started = Clock::now();
  if (ec == bhttp::error::header_limit)
    return respond_error(431, "request header fields too large", false);
  if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || m_closed)
    return close();
  if (ec == bhttp::error::partial_message) return close();  // the client gave up mid-header
  if (ec) return respond_error(400, "malformed request", false);

  const auto& head = m_parser->get();
  m_request = Request{};
  m_request.method = std::string(head.method_string());
  m_request.target = std::string(head.target());
  m_request.remote = m_remote;
  for (const auto& field : head)
    m_request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  m_head = m_request.method == "HEAD";
  m_log_method = m_request.method;
  m_log_path = m_request.target.substr(0, m_request.target.find('?'));

  // Answers that leave the body unread must close: its bytes would be taken as a request.
  bool keep = !has_body();
  auto target = parse_target(m_request.target);
  if (!target) return respond_error(400, "invalid request path", keep);
  m_request.path = target->path;
  m_request.query = std::move(target->query);
  m_match = m_server.router().match(m_request.method, target->segments);
  if (!m_match.route) {
    Response response =
        Response::error(m_match.status, m_match.status == 404 ? "Not Found" : "Method Not Allowed");
    if (m_match.status == 405) response.headers.push_back({"Allow", m_match.allow});
    return respond(std::move(response), keep);
  }
  m_request.params = std::move(m_match.params);

  const std::string* encoding = m_request.header("Content-Encoding");
  if (encoding && !encoding->empty() && !iequals(*encoding, "identity") &&
      !iequals(*encoding, "gzip") && !iequals(*encoding, "x-gzip"))
    return respond_error(415, "unsupported Content-Encoding (only gzip is accepted)", keep);
  size_t max_body = m_match.route->options.max_body;
  if (m_parser->content_length().value_or(0) > max_body)
    return respond_error(413, fmt::format("request body larger than {} bytes", max_body), false);
  if (m_parser->is_done()) return on_body({});

  m_parser->body_limit(max_body);
  auto read_body = [self = shared_from_this()] {
    self->m_stream.expires_after(self->m_server.options().body_timeout);
    bhttp::async_read(self->m_stream, self->m_buffer, *self->m_parser,
                      [self](beast::error_code ec, size_t) { self->on_body(ec); });
  };
  const std::string* expect = m_request.header("Expect");
  if (!expect || !iequals(*expect, "100-continue")) return read_body();
  static constexpr std::string_view k_continue = "HTTP/1.1 100 Continue\r\n\r\n";
  m_stream.expires_after(m_server.options().idle_timeout);
  net::async_write(m_stream, net::buffer(k_continue.data(), k_continue.size()),
                   [self = shared_from_this(), read_body](beast::error_code ec, size_t) {
                     if (ec) return self->close();
                     read_body();
                   });
}

void Session::on_body(beast::error_code ec) {
  size_t max_body = m_match.route->options.max_body;
  if (ec == bhttp::error::body_limit)
    return respond_error(413, fmt::format("request body larger than {} bytes", max_body), false);
  if (ec == beast::error::timeout || ec == net::error::operation_aborted || m_closed ||
      ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == net::error::eof)
    return close();
  if (ec) return respond_error(400, "malformed request body", false);
  m_request.body = std::move(m_parser->get().body());
  const std::string* encoding = m_request.header("Content-Encoding");
  if (encoding && (iequals(*encoding, "gzip") || iequals(*encoding, "x-gzip"))) {
    auto decoded = gunzip(m_request.body, max_body);
    if (decoded.status == GunzipStatus::too_large)
      return respond_error(413, fmt::format("request body larger than {} bytes", max_body));
    if (decoded.status == GunzipStatus::corrupt)
      return respond_error(400, "request body is not valid gzip");
    m_request.body = std::move(decoded.data);
  }
  dispatch();
}

void Session::dispatch() {
  const Route& route = *m_match.route;
  if (route.stream) return start_stream();
  bool api = route.options.cls == RouteClass::api;
  if (api && ++m_server.api_in_flight() > m_server.options().api_max_in_flight) {
    --m_server.api_in_flight();
    Response response = Response::error(429, "too many requests; retry later");
    response.headers.push_back({"Retry-After", "1"});
    return respond(std::move(response));
  }
  auto job = [self = shared_from_this(), api, &route] {
    Response response;
    if (self->m_server.stopping()) {
      response = Response::error(503, "server is stopping");
    } else {
      try {
        response = route.handler(self->m_request);
      } catch (...) {  // a handler bug must not take the server down
        response = Response::error(500, "internal server error");
      }
    }
    if (api) --self->m_server.api_in_flight();
    net::post(self->m_stream.get_executor(), [self, response = std::move(response)]() mutable {
      self->respond(std::move(response));
    });
  };
  if (!m_server.post_handler(route.options.cls, std::move(job))) {
    if (api) --m_server.api_in_flight();
    respond_error(503, "server is stopping", false);
  }
}

void Session::respond(Response response, bool keep) {
  bool valid = response.status >= 200 && response.status <= 599;
  for (const auto& h : response.headers)
    valid = valid && valid_header(h);
  if (!valid) response = Response::error(500, "internal server error");
  unsigned version = m_parser && m_parser->is_header_done() ? m_parser->get().version() : 11;
  bool client_keep = m_parser && m_parser->is_header_done() && m_parser->keep_alive();
  keep = keep && client_keep && !m_closed && !m_server.stopping();

  m_response = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(response.status), version);
  for (auto& h : response.headers)
    m_response->insert(h.name, h.value);
  size_t bytes = response.body.size();
  m_response->content_length(bytes);
  if (!m_head) m_response->body() = std::move(response.body);
  m_response->keep_alive(keep);
  log(response.status, m_head ? 0 : bytes);
  m_stream.expires_after(m_server.options().idle_timeout);  // a client that never reads
  bhttp::async_write(m_stream, *m_response,
                     [self = shared_from_this(), keep](beast::error_code ec, size_t) {
                       self->on_written(ec, keep);
                     });
}

void Session::on_written(beast::error_code ec, bool keep) {
  m_response.reset();
  if (ec || m_closed) return close();
  if (!keep) return close_gracefully();
  m_first = false;
  read_request();
}

// Closing a socket with unread request bytes makes the kernel send a reset, which can
// destroy the answer (a 413) before the client reads it: stop sending, drain what the
// client still sends for a moment, then close.
void Session::close_gracefully() {
  beast::error_code ec;
  m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  m_stream.expires_after(std::chrono::seconds(2));
  drain(0);
}

void Session::drain(size_t drained) {
  constexpr size_t k_max_drain = 1 << 20;
  m_stream.async_read_some(net::buffer(m_discard),
                           [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
                             if (ec || drained + n > k_max_drain || self->m_closed)
                               return self->close();
                             self->drain(drained + n);
                           });
}

void Session::log(int status, size_t bytes) {
  if (!m_server.options().log) return;
  RequestLog entry{m_log_method,
                   m_log_path,
                   status,
                   bytes,
                   std::chrono::duration<double, std::milli>(Clock::now() - m_started).count(),
                   m_remote};
  m_server.options().log(entry);
}

void Session::start_stream() {
  const Route& route = *m_match.route;
  if (!m_server.reserve_stream()) {
    Response response = Response::error(503, "too many streams; retry later");
    response.headers.push_back({"Retry-After", "1"});
    return respond(std::move(response));
  }
  m_stream_head = bhttp::response<bhttp::empty_body>(bhttp::status::ok, m_parser->get().version());
  for (const auto& h : route.stream_headers)
    if (valid_header(h)) m_stream_head.insert(h.name, h.value);
  m_stream_head.chunked(true);
  m_stream_head.keep_alive(false);  // the stream ends the connection
  m_stream_serializer.emplace(m_stream_head);
  m_stream.expires_after(m_server.options().idle_timeout);
  bhttp::async_write_header(
      m_stream, *m_stream_serializer,
      [self = shared_from_this(), &route](beast::error_code ec, size_t) {
        self->log(200, 0);
        bool started = !ec && self->m_server.start_stream_thread([self, &route] {
          route.stream(self->m_request, *self);
          net::post(self->m_stream.get_executor(), [self] { self->finish_stream(); });
        });
        if (!started) {
          self->m_server.release_stream();
          return self->close();
        }
        self->watch_stream_reader();
      });
}

// Notices a client that goes away while a stream writes (what it sends is ignored).
void Session::watch_stream_reader() {
  m_stream.socket().async_read_some(net::buffer(m_discard),
                                    [self = shared_from_this()](beast::error_code ec, size_t) {
                                      if (ec) return self->close();
                                      self->watch_stream_reader();
                                    });
}

bool Session::write(std::string_view bytes) {
  if (m_closed) return false;
  if (bytes.empty()) return true;  // an empty chunk would end the body
  std::promise<bool> done;
  auto written = done.get_future();
  net::post(m_stream.get_executor(), [this, bytes, &done] {
    if (m_closed) return done.set_value(false);
    m_stream.expires_after(m_server.options().idle_timeout);  // a client that stops reading
    net::async_write(m_stream, bhttp::make_chunk(net::buffer(bytes.data(), bytes.size())),
                     [this, &done](beast::error_code ec, size_t) {
                       if (ec) close();
                       done.set_value(!ec);
                     });
  });
  return written.get();
}

void Session::finish_stream() {
  if (m_closed) return;
  m_stream.expires_after(m_server.options().idle_timeout);
  net::async_write(m_stream, bhttp::make_chunk_last(),
                   [self = shared_from_this()](beast::error_code, size_t) { self->close(); });
}

void Session::close() {
  m_closed = true;
  beast::error_code ec;
  m_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  m_stream.close();
}

}  // namespace

std::string format_request_log(const RequestLog& log) {
  return fmt::format("http method={} path={} status={} bytes={} ms={:.1f} remote={}", log.method,
                     log.path, log.status, log.bytes, log.ms, log.remote);
}

util::Expected<std::unique_ptr<Server>> Server::start(ServerOptions options, Router router) {
  PW_TRY(endpoint, parse_listen(options.listen));
  auto server = std::make_unique<ServerImpl>(std::move(options), std::move(router));
  PW_TRY_VOID(server->listen(endpoint));
  server->run();
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace pipewright::http
