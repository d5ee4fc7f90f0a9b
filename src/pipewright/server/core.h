// What the server's parts share (internal to server/): the stores, the secret box, the
// metrics, the live runs, the mirrors and the structured log. Owned by the Server.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/pipeline/host.h"
#include "pipewright/server/live_runs.h"
#include "pipewright/server/metrics.h"
#include "pipewright/server/mirror.h"
#include "pipewright/server/secret_box.h"
#include "pipewright/server/server.h"
#include "pipewright/server/server_store.h"
#include "pipewright/store/store.h"

namespace pipewright::server {

// key=value fields of one log line; values with spaces or quotes are quoted.
using LogFields = std::vector<std::pair<std::string_view, std::string>>;

// The repositories' mirrors, one lock each: fetches of one repository never overlap,
// different repositories fetch at once.
class Mirrors {
 public:
  explicit Mirrors(std::string root) : m_root(std::move(root)) {}
  // Runs `use` with the mirror of `repo` (created at first use), holding its lock.
  util::Expected<void> with(const Repo& repo,
                            const std::function<util::Expected<void>(Mirror&)>& use);

 private:
  struct Entry {
    std::mutex mutex;
    std::optional<Mirror> mirror;
  };
  std::string m_root;
  std::mutex m_mutex;
  std::map<std::string, std::shared_ptr<Entry>> m_entries;  // by lower-case name
};

struct Core {
  ServeOptions options;
  std::string data_dir;
  std::string work_root;
  std::unique_ptr<store::Store> history;
  std::unique_ptr<ServerStore> db;
  std::optional<SecretBox> box;
  Registry registry;
  std::unique_ptr<ServerMetrics> metrics;
  LiveRuns live;
  std::unique_ptr<Mirrors> mirrors;
  // The data dir, work root, `uses:` settings and the `--parallel` job slots every run
  // shares (prepared once at start, as `pipewright run` prepares it per command).
  pipeline::HostSettings host;
  std::atomic<bool> draining{false};
  // Wakes the inbox after a delivery was stored (webhooks, dispatches, finished runs).
  std::function<void()> on_delivery;

  // "serve event=<event> k=v ..." on the log.
  void log(std::string_view event, const LogFields& fields = {}) const;
  // The secrets of `repo`, unsealed (name -> value). A value that cannot be unsealed
  // (wrong key, tampering) fails the whole call: never run with a partial set.
  util::Expected<std::vector<std::pair<std::string, std::string>>> secrets_of(
      std::string_view repo) const;
  // Where the checkout of `sha` for runs of `repo` lives (created on demand by the
  // dispatcher and the inbox).
  std::string checkout_dir(std::string_view repo, std::string_view sha) const;
  // Makes sure the checkout of `sha` exists (from the mirror), and returns its path.
  util::Expected<std::string> ensure_checkout(const Repo& repo, const std::string& sha,
                                              const std::string& ref);
};

// The associated data a secret of `repo` is sealed with.
std::string secret_context(std::string_view repo, std::string_view name);
// The associated data of a repository's webhook secret.
std::string webhook_secret_context(std::string_view repo);

store::TimePoint now_ms();

}  // namespace pipewright::server
