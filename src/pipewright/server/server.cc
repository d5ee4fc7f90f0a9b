#include "pipewright/server/server.h"

#include <filesystem>
#include <thread>

#include "pipewright/http/server.h"
#include "pipewright/pipeline/host.h"
#include "pipewright/server/api.h"
#include "pipewright/server/core.h"
#include "pipewright/server/dispatcher.h"
#include "pipewright/server/inbox.h"
#include "pipewright/server/triggers.h"
#include "pipewright/store/data_dir.h"

#ifndef PW_VERSION
#define PW_VERSION "dev"
#endif

namespace pipewright::server {

namespace {

namespace fs = std::filesystem;

class ServerImpl : public Server {
 public:
  explicit ServerImpl(ServeOptions options) { m_core.options = std::move(options); }

  ~ServerImpl() override {
    if (m_http) m_http->stop();
    if (m_triggers) m_triggers->stop();
    if (m_inbox) m_inbox->stop();
    m_dispatcher.reset();
  }

  util::Expected<void> open() {
    Core& core = m_core;
    core.data_dir = core.options.data_dir;
    PW_TRY_VOID(store::prepare_data_dir(core.data_dir));
    core.work_root =
        core.options.work_dir.empty() ? core.data_dir + "/work" : core.options.work_dir;
    // Steps' orphans are adopted (and ended at job end), and what a crashed server's
    // jobs left running goes first: it never touches a live engine's processes.
    if (auto ended = pipeline::take_over_processes(); ended)
      for (const os::EndedLeftover& p : ended->ended)
        core.log("leftover.ended", {{"pid", std::to_string(p.pid)},
                                    {"name", p.name},
                                    {"engine_pid", std::to_string(p.engine_pid)}});
    PW_TRY(history, store::open_store(core.options.database, core.data_dir));
    core.history = std::move(history);
    PW_TRY(db, ServerStore::open(core.data_dir, core.options.database));
    core.db = std::move(db);
    PW_TRY(box, SecretBox::open(core.data_dir));
    core.box.emplace(std::move(box));
    core.metrics = std::make_unique<ServerMetrics>(core.registry, BuildInfo{PW_VERSION, ""},
                                                   std::chrono::system_clock::now());
    core.mirrors = std::make_unique<Mirrors>(core.data_dir + "/mirrors");

    pipeline::HostOptions host;
    host.data_dir = core.data_dir;
    host.work_dir = core.work_root;
    host.parallel = core.options.parallel;
    PW_TRY(prepared, pipeline::prepare_host(host));
    core.host = std::move(prepared);
    m_dispatcher = std::make_unique<Dispatcher>(core);
    m_inbox = std::make_unique<Inbox>(core, [this] { m_dispatcher->wake(); });
    core.on_delivery = [this] { m_inbox->wake(); };
    m_triggers = std::make_unique<Triggers>(core);
    if (core.options.requeue_interrupted) m_dispatcher->requeue_interrupted();

    http::Router router;
    add_routes(router, core, *m_dispatcher);
    http::ServerOptions http_options;
    http_options.listen = core.options.listen;
    http_options.log = [&core](const http::RequestLog& log) {
      core.metrics->http_requests_total
          .labels({log.path.starts_with("/hooks/") ? "webhook"
                   : log.path.starts_with("/api/") ? "api"
                                                   : "health",
                   std::to_string(log.status)})
          .inc();
      if (core.options.log) core.options.log(http::format_request_log(log));
    };
    PW_TRY(http, http::Server::start(http_options, std::move(router)));
    m_http = std::move(http);

    m_inbox->start();
    m_dispatcher->start();
    m_triggers->start();
    m_inbox->wake();  // deliveries accepted before a crash
    m_dispatcher->wake();
    core.log("started", {{"listen", core.options.listen},
                         {"port", std::to_string(m_http->port())},
                         {"data_dir", core.data_dir},
                         {"parallel", std::to_string(core.host.parallel)}});
    return {};
  }

  uint16_t port() const override { return m_http ? m_http->port() : 0; }

  void reload() override {
    m_core.log("reload", {});
    m_triggers->reload();
    m_inbox->wake();
    m_dispatcher->wake();
  }

  void drain(std::chrono::seconds grace) override {
    m_core.draining = true;
    m_triggers->stop();
    m_dispatcher->drain(grace);
    // Webhooks keep being stored until the listener closes: they wait in the inbox for
    // the next start.
    m_http->stop();
    m_inbox->stop();
    m_core.log("stopped", {});
  }

 private:
  Core m_core;
  std::unique_ptr<Dispatcher> m_dispatcher;
  std::unique_ptr<Inbox> m_inbox;
  std::unique_ptr<Triggers> m_triggers;
  std::unique_ptr<http::Server> m_http;
};

}  // namespace

util::Expected<std::unique_ptr<Server>> Server::start(ServeOptions options) {
  auto server = std::make_unique<ServerImpl>(std::move(options));
  PW_TRY_VOID(server->open());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace pipewright::server
