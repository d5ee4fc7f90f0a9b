// `pipewright serve`: the team server (issue 12). One process that takes triggers
// (signed webhooks, cron, polling, API dispatches, finished runs), stores each durably
// before acknowledging it, queues the runs they ask for, runs their jobs with the same
// engine as `pipewright run`, and answers the API. DESIGN.md "Data flow of serve".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pipewright/util/error.h"

namespace pipewright::server {

struct ServeOptions {
  std::string listen = "127.0.0.1:8420";
  std::string data_dir;               // history, logs, mirrors, checkouts, the secret key
  std::string database;               // "" = SQLite in data_dir; postgresql://... = PostgreSQL
  std::string work_dir;               // job workspaces ("" = <data_dir>/work)
  size_t parallel = 0;                // jobs at once (0 = number of cores)
  std::string public_url;             // how users reach the server: run links in the log
  bool requeue_interrupted = false;   // a run interrupted by a crash runs again (new attempt)
  std::chrono::seconds poll_tick{5};  // how often repositories with --poll are checked
  // Retention, applied hourly: runs (logs, artifacts) older than this many days go,
  // except the newest `retention_keep` of each workflow (GitHub keeps 90 days).
  int retention_days = 90;
  int retention_keep = 10;
  // One structured line per event ("serve event=delivery.accepted repo=acme/api ...").
  std::function<void(std::string_view)> log;
};

class Server {
 public:
  // Opens the stores, recovers what a crash left (interrupted runs, pending deliveries,
  // leftover processes), binds the listen address and starts the workers.
  static util::Expected<std::unique_ptr<Server>> start(ServeOptions options);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  // SIGHUP: reloads the repositories' schedules and settings from the store.
  virtual void reload() = 0;
  // SIGTERM: stops claiming queued runs and taking API writes (webhooks are still
  // stored), lets running jobs finish for up to `grace`, then cancels them as GitHub does,
  // and stops. Blocks until done.
  virtual void drain(std::chrono::seconds grace) = 0;
};

}  // namespace pipewright::server
