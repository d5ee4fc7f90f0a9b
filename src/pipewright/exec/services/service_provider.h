// Job services (`services:` in a workflow) as native servers, no containers.
//
// The engine evaluates a job's `services.<id>` templates, fills one ServiceSpec per
// service and calls start_services() before the first step. The returned ServiceSet
// owns every server process and its private data dir; ServiceSet::stop() (or its
// destructor) stops the servers (SIGTERM, then SIGKILL) and deletes the dirs — on
// success, failure, cancel and timeout alike. A crashed run's leftovers are found
// through a state file under the runtime dir and removed by clean_stale_services(),
// which start_services() calls first.
//
// An image reference selects a ServiceProvider from a registry table
// (find_provider(); postgres, redis, mysql/mariadb, memcached). A provider
// reproduces the image's conventions (POSTGRES_PASSWORD, MYSQL_DATABASE, ...) with
// the Debian-packaged server. Servers listen on 127.0.0.1 at the mapped host port,
// inside the job's network namespace when the engine passes a JobNetwork.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/os/cancel.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::services {

class JobNetwork;
struct CustomProviderDef;

// One `services.<id>` entry after template evaluation (workflow::Container).
struct ServiceSpec {
  std::string id;                                        // the key under services:
  std::string image;                                     // e.g. "postgres:15-alpine"
  std::vector<std::pair<std::string, std::string>> env;  // services.<id>.env, in order
  std::vector<std::string> ports;                        // "5432:5432", "5432", "8080:80/tcp"
  std::string options;                                   // docker create options, one string
  std::string command;                                   // `command:` (args after the image)
  std::string entrypoint;                                // `entrypoint:` (ignored, notice)
  std::vector<std::string> volumes;                      // ignored with a notice
};

// "postgres:15-alpine" -> {repository "postgres", tag "15-alpine", major 15}.
struct ImageRef {
  std::string registry;      // "docker.io", "ghcr.io", ... ("" when not given)
  std::string repository;    // last path component without registry/namespace: "postgres"
  std::string path;          // the whole path without registry and tag: "bitnami/postgresql"
  std::string tag;           // "" means latest
  std::optional<int> major;  // leading number of the tag, when there is one
};

// Parses an image reference; fails on an empty or malformed reference.
util::Expected<ImageRef> parse_image(std::string_view image);

// One `ports:` entry. host_port 0 means "pick a free port".
struct PortMapping {
  int container_port = 0;
  int host_port = 0;
  std::string protocol = "tcp";
  friend bool operator==(const PortMapping&, const PortMapping&) = default;
};

// Parses "5432:5432", "5432", "8080:80", "127.0.0.1:8080:80", "53/udp". Fails with the
// entry quoted on anything else (ranges are not supported).
util::Expected<PortMapping> parse_port(std::string_view entry);

// Docker --health-* options. Defaults as Docker's: 30 s interval and timeout, 3 retries.
struct HealthCheck {
  std::string command;  // run with `sh -c` on the host (inside the job network)
  std::chrono::milliseconds interval{30'000};
  std::chrono::milliseconds timeout{30'000};
  int retries = 3;
  std::chrono::milliseconds start_period{0};
};

// The `options:` string understood.
struct ContainerOptions {
  std::optional<HealthCheck> health;  // set when --health-cmd is given
  std::vector<std::string> ignored;   // other options, verbatim, for a notice
};

// Parses `options:` (shell-like quoting, `--opt value` and `--opt=value` forms).
// Fails on unbalanced quotes or a bad duration ("10s", "1m30s", "500ms").
util::Expected<ContainerOptions> parse_options(std::string_view options);

// Parses a Docker/Go duration: "10s", "1m30s", "500ms", "2h". Fails otherwise.
util::Expected<std::chrono::milliseconds> parse_duration(std::string_view text);

// What a provider needs to prepare one server.
struct ProviderRequest {
  const ServiceSpec* spec = nullptr;
  ImageRef image;
  std::map<std::string, std::string> env;  // spec->env as a map (last wins)
  std::string data_dir;                    // private, empty, owned by run_as (or us)
  std::string cache_dir;                   // shared across jobs (templates), writable by run_as
  std::string run_as;                      // user the server runs as ("" = ourselves)
  int port = 0;                            // the host port the server must listen on (127.0.0.1)
  std::vector<std::string> args;           // `command:` split shell-like
  std::function<void(std::string_view)> notice;  // one line per call
};

// How to run one prepared server.
struct LaunchPlan {
  std::vector<std::string> argv;        // foreground server; output goes to log_file
  std::vector<std::string> env;         // KEY=VALUE for the server (PATH is added)
  std::string log_file;                 // the server's own log (tail shown on failure)
  std::vector<std::string> ready_argv;  // built-in readiness probe; exit 0 = ready
  // Commands run once after readiness (as us, inside the network), e.g. CREATE USER.
  std::vector<std::vector<std::string>> after_ready;
  // Env for --health-cmd and the probes, e.g. PGHOST/PGPORT/PGUSER/PGPASSWORD.
  std::vector<std::string> client_env;
  // Client tools for the health command, bound to this server: a wrapper named
  // `first` in a PATH dir runs `second` (argv prefix, e.g. redis-cli -h 127.0.0.1
  // -p 6380) followed by the health command's own args.
  std::vector<std::pair<std::string, std::vector<std::string>>> client_wrappers;
  std::string version_warning;  // "postgres:16 requested, running PostgreSQL 15" or ""
  int stop_signal = 15;         // SIGTERM; postgres uses SIGINT (fast shutdown)
};

// The seam between the service runner and one kind of server (STYLE.md rule 7).
class ServiceProvider {
 public:
  virtual ~ServiceProvider() = default;
  // Short name for messages and the registry listing ("postgres").
  virtual std::string_view name() const = 0;
  // The container port the image listens on by default (5432 for postgres).
  virtual int default_port() const = 0;
  // The Debian user the server runs as when we are root ("postgres").
  virtual std::string_view system_user() const = 0;
  // Fills request.data_dir and returns how to start the server. Fails with a
  // readable reason (missing binary, initdb failure with its output, bad env).
  virtual util::Expected<LaunchPlan> prepare(const ProviderRequest& request) = 0;
};

// One row of the registry table: image repositories served by a provider.
struct ProviderEntry {
  std::vector<std::string_view> images;  // repositories/paths: "postgres", "bitnami/postgresql"
  std::string_view name;
  std::unique_ptr<ServiceProvider> (*make)();
};

// The registry table (known images).
const std::vector<ProviderEntry>& provider_table();

// The provider for an image, or nullptr when no row matches.
std::unique_ptr<ServiceProvider> find_provider(const ImageRef& image);

// "postgres, redis, mysql, mariadb, memcached" plus how to add one in
// .pipewright/services.yml — the text of an `unsupported` outcome.
std::string unsupported_message(std::string_view image);

// Why start_services() did not produce a ServiceSet.
struct StartFailure {
  enum class Kind {
    unsupported,  // an image no provider serves: skip the job as unsupported
    failed,       // a server did not start or never got healthy: fail the job
    cancelled,    // the CancelToken fired during start
  };
  Kind kind = Kind::failed;
  std::string service_id;
  std::string message;  // one paragraph; for `failed` ends with the server log tail
};

// A running service as the job sees it: job.services.<id>.
struct RunningService {
  std::string id;
  std::string image;
  std::string host = "127.0.0.1";
  std::map<std::string, std::string> ports;  // container port ("5432") -> host port
  std::string network;                       // "" or the JobNetwork's name
  int port = 0;                              // where it listens on 127.0.0.1 (in the network)
  int pid = 0;                               // the server process (job.services.<id>.id)
  std::chrono::milliseconds start_time{0};   // from preparing it until ready and healthy
};

// Everything start_services() needs besides the specs.
struct StartContext {
  std::string job_key;            // unique per job run, used in dir names ("run12-test-3")
  JobNetwork* network = nullptr;  // run servers (and probes) inside it when set
  const os::CancelToken* cancel = nullptr;
  std::function<void(std::string_view)> notice;  // warnings/notices, one line per call
  // .pipewright/services.yml providers, consulted before the built-in table.
  const std::vector<CustomProviderDef>* custom = nullptr;
  // Overrides for tests; empty = XDG runtime/cache dirs (see service_dirs()).
  std::string runtime_dir;
  std::string cache_dir;
};

class ServiceSetImpl;

// The services of one job. Move-only; stops everything on destruction.
class ServiceSet {
 public:
  ServiceSet(ServiceSet&&) noexcept;
  ServiceSet& operator=(ServiceSet&&) noexcept;
  ~ServiceSet();

  // job.services as the `job` context needs it.
  const std::vector<RunningService>& services() const;
  // Stops every server (SIGTERM, 10 s, SIGKILL), deletes the data dirs and the
  // state file. Idempotent. Fails only on a system call failure (cleanup continues).
  util::Expected<void> stop();

 private:
  friend std::expected<ServiceSet, StartFailure> start_services(
      const std::vector<ServiceSpec>& specs, const StartContext& context);
  explicit ServiceSet(std::unique_ptr<ServiceSetImpl> impl);
  std::unique_ptr<ServiceSetImpl> m_impl;
};

// Starts every service, waits until each is ready and healthy (built-in probe, then
// --health-cmd if given). On any failure stops what was started, deletes its dirs
// and returns the failure. Services with an empty image are skipped (spec §14).
std::expected<ServiceSet, StartFailure> start_services(const std::vector<ServiceSpec>& specs,
                                                       const StartContext& context);

// Kills servers and deletes data dirs recorded by runs whose owner process is gone.
// Returns how many stale services were cleaned.
util::Expected<int> clean_stale_services(const std::string& runtime_dir = "");

// The default runtime dir, where servers' data dirs live: os::runtime_dir()/services
// (on a tmpfs when there is one), and the cache dir ($XDG_CACHE_HOME or ~/.cache, then
// /pipewright/services; /var/cache/pipewright/services for root).
std::string default_runtime_dir();
std::string default_cache_dir();

}  // namespace pipewright::exec::services
