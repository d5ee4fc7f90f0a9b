// start_services(): for each service, in order — resolve the provider, parse
// options and ports, make a private data dir, let the provider prepare it, start
// the server (as its system user when we are root, inside the job network when
// given) with its output in its own log file, wait for the built-in readiness
// probe, run the provider's setup commands, then the --health-cmd loop. Any
// failure or a cancel stops everything started so far and deletes its dirs.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/exec/services/custom_provider.h"
#include "pipewright/exec/services/job_network.h"
#include "pipewright/exec/services/providers.h"
#include "pipewright/exec/services/service_state.h"
#include "pipewright/exec/services/service_util.h"
#include "pipewright/os/file.h"
#include "pipewright/os/process.h"
#include "pipewright/os/runtime_dir.h"

namespace pipewright::exec::services {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto k_ready_timeout = 120s;  // built-in readiness, before any health check
constexpr auto k_stop_grace = 10s;
constexpr int k_log_tail_lines = 20;

struct Server {
  RunningService info;
  std::string image;
  std::string dir;
  std::string log_file;
  int stop_signal = SIGTERM;
  std::optional<os::Process> process;
};

std::string sanitize(std::string_view text) {
  std::string out;
  for (char c : text)
    out += (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return out.empty() ? "job" : out.substr(0, 40);
}

// Waits until the process exits or `limit` passes, without reaping it.
bool wait_exit(const os::Process& process, std::chrono::milliseconds limit) {
  pollfd pfd{process.pidfd(), POLLIN, 0};
  return ::poll(&pfd, 1, static_cast<int>(limit.count())) > 0;
}

// Ends one server: its stop signal, then SIGKILL for the whole group.
void stop_server(Server& server) {
  if (!server.process) return;
  os::Process& process = *server.process;
  if (!process.status()) {
    (void)process.signal_group(server.stop_signal);
    if (!wait_exit(process, k_stop_grace)) (void)process.signal_group(SIGKILL);
    wait_exit(process, 5s);
    // The leader is a zombie now, so its group id cannot have been reused.
    ::kill(-process.pgid(), SIGKILL);
    (void)process.wait();
  }
  server.process.reset();
}

}  // namespace

class ServiceSetImpl {
 public:
  ~ServiceSetImpl() { (void)stop(); }

  util::Expected<void> stop() {
    for (auto it = m_servers.rbegin(); it != m_servers.rend(); ++it)
      stop_server(*it);
    std::optional<util::Error> first_error;
    for (Server& server : m_servers) {
      if (auto removed = remove_tree(server.dir); !removed && !first_error)
        first_error = removed.error();
    }
    m_servers.clear();
    m_running.clear();
    if (!m_job_dir.empty()) {
      (void)remove_tree(m_job_dir);
      m_job_dir.clear();
    }
    if (first_error) return std::unexpected(*first_error);
    return {};
  }

  void write_state() {
    if (m_job_dir.empty()) return;
    ServiceState state;
    state.owner = ::getpid();
    state.owner_start = process_start_time(state.owner);
    for (const Server& s : m_servers) {
      if (s.process)
        state.servers.push_back({s.process->pid(), process_start_time(s.process->pid()), s.dir});
    }
    if (m_network) state.netns = m_network->name();
    (void)os::write_file(m_job_dir + "/state", format_state(state));
  }

  std::vector<Server> m_servers;
  std::vector<RunningService> m_running;
  std::string m_job_dir;
  JobNetwork* m_network = nullptr;
};

namespace {

StartFailure failure(StartFailure::Kind kind, const ServiceSpec& spec, std::string message) {
  return StartFailure{kind, spec.id, "service '" + spec.id + "' (" + spec.image + "): " + message};
}

std::string log_tail(const Server& server) {
  std::string tail = tail_lines(server.log_file, k_log_tail_lines);
  if (tail.empty()) return "\n(the server wrote no log at " + server.log_file + ")";
  // The log goes with the data dir at job end, so its tail is all there is.
  return "\n--- last lines of the " + server.info.image + " server's log ---\n" + tail;
}

std::vector<std::string> in_network(const StartContext& context, std::vector<std::string> argv) {
  return context.network ? context.network->wrap(argv) : argv;
}

// Writes the client wrappers into <dir>/bin and returns the health command's env.
std::vector<std::string> client_env(const LaunchPlan& plan, const std::string& dir) {
  std::string bin = dir + "/bin";
  std::vector<std::string> env = plan.client_env;
  if (!plan.client_wrappers.empty()) {
    std::filesystem::create_directories(bin);
    for (const auto& [name, prefix] : plan.client_wrappers) {
      std::string script = "#!/bin/sh\nexec";
      for (const std::string& word : prefix)
        script += " " + shell_quote(word);
      script += " \"$@\"\n";
      std::string path = bin + "/" + name;
      std::ofstream(path) << script;
      ::chmod(path.c_str(), 0755);
    }
  }
  for (const std::string& e : base_env({})) {
    if (e.starts_with("PATH=")) env.push_back("PATH=" + bin + ":" + e.substr(5));
  }
  return env;
}

bool cancelled(const StartContext& context) {
  return context.cancel && context.cancel->cancelled();
}

// Polls the built-in probe until it succeeds, the server dies, the time is up or
// the job is cancelled.
std::optional<StartFailure> wait_ready(const StartContext& context, const ServiceSpec& spec,
                                       Server& server, const LaunchPlan& plan,
                                       const std::vector<std::string>& env) {
  auto deadline = Clock::now() + k_ready_timeout;
  auto pause = 10ms;
  std::string last;
  while (true) {
    if (cancelled(context))
      return failure(StartFailure::Kind::cancelled, spec, "cancelled while starting");
    auto reaped = server.process->try_reap();
    if (!reaped || *reaped)
      return failure(StartFailure::Kind::failed, spec,
                     "the server exited while starting" + log_tail(server));
    auto probe = capture(in_network(context, plan.ready_argv), env, 10s);
    if (probe && probe->exit_code == 0) return std::nullopt;
    if (probe) last = probe->output;
    if (Clock::now() > deadline)
      return failure(StartFailure::Kind::failed, spec,
                     "not ready after " + std::to_string(k_ready_timeout.count()) + "s: " + last +
                         log_tail(server));
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::milliseconds>(pause * 2, 200ms);
  }
}

// Docker's health loop, adapted: the first check runs as soon as the server is
// ready (Docker waits one interval first); failures within the start period do not
// count; `retries` consecutive failures make the service unhealthy.
std::optional<StartFailure> wait_healthy(const StartContext& context, const ServiceSpec& spec,
                                         Server& server, const HealthCheck& health,
                                         const std::vector<std::string>& env) {
  auto start = Clock::now();
  int failures = 0;
  std::string last;
  int retries = health.retries > 0 ? health.retries : 3;
  while (true) {
    if (cancelled(context))
      return failure(StartFailure::Kind::cancelled, spec, "cancelled during health checks");
    auto check = capture(in_network(context, {"sh", "-c", health.command}), env, health.timeout);
    if (check && check->exit_code == 0) return std::nullopt;
    last = !check ? check.error().message
                  : (check->timed_out
                         ? "timed out after " + std::to_string(health.timeout.count()) + "ms"
                         : "exit code " + std::to_string(check->exit_code)) +
                        (check->output.empty() ? "" : ": " + check->output);
    if (Clock::now() - start >= health.start_period) ++failures;
    if (failures >= retries)
      return failure(StartFailure::Kind::failed, spec,
                     "unhealthy: --health-cmd '" + health.command + "' failed " +
                         std::to_string(failures) + " times; last: " + last + log_tail(server));
    auto interval = health.interval.count() > 0 ? health.interval : std::chrono::milliseconds(30s);
    for (auto until = Clock::now() + interval; Clock::now() < until;) {
      if (cancelled(context)) break;
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
          50ms, std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()) + 1ms));
    }
  }
}

// Starts one service into `set`. nullopt on success.
std::optional<StartFailure> start_one(const ServiceSpec& spec, const StartContext& context,
                                      const std::string& cache_dir, ServiceSetImpl& set) {
  auto started = Clock::now();
  auto notice = [&](std::string_view line) {
    if (context.notice) context.notice("service '" + spec.id + "': " + std::string(line));
  };
  auto fail = [&](std::string message) {
    return failure(StartFailure::Kind::failed, spec, std::move(message));
  };
  auto image = parse_image(spec.image);
  if (!image) return fail(image.error().message);
  const CustomProviderDef* custom =
      context.custom ? find_custom_provider(*context.custom, *image) : nullptr;
  auto provider = custom ? make_custom_provider(*custom) : find_provider(*image);
  if (!provider)
    return StartFailure{StartFailure::Kind::unsupported, spec.id, unsupported_message(spec.image)};
  auto options = parse_options(spec.options);
  if (!options) return fail("options: " + options.error().message);
  for (const std::string& ignored : options->ignored)
    notice("option '" + ignored + "' ignored (native server)");
  if (!spec.entrypoint.empty()) notice("entrypoint ignored (native server)");
  for (const std::string& volume : spec.volumes)
    notice("volume '" + volume + "' ignored (native server)");
  auto args = split_shell_words(spec.command);
  if (!args) return fail("command: " + args.error().message);

  // Ports: the mapping of the provider's port decides where the server listens.
  Server server;
  server.info.id = spec.id;
  server.info.image = spec.image;
  server.info.network = context.network ? context.network->name() : "";
  int listen = 0;
  for (const std::string& entry : spec.ports) {
    auto mapping = parse_port(entry);
    if (!mapping) return fail(mapping.error().message);
    if (mapping->container_port != provider->default_port()) {
      notice("port " + std::to_string(mapping->container_port) + " is not served by " +
             std::string(provider->name()) + " (listens on " +
             std::to_string(provider->default_port()) + ")");
      continue;
    }
    if (mapping->host_port == 0) {
      auto port = free_port();
      if (!port) return fail(port.error().message);
      mapping->host_port = *port;
    }
    listen = mapping->host_port;
    server.info.ports[std::to_string(mapping->container_port)] = std::to_string(listen);
  }
  // Not published: inside a job network the server keeps the image's own port, so
  // `<id>:<port>` works as between containers on GitHub; on the host a free one.
  bool default_free = std::ranges::none_of(set.m_running, [&](const RunningService& other) {
    return other.port == provider->default_port();
  });
  if (listen == 0 && context.network && default_free) listen = provider->default_port();
  if (listen == 0) {
    auto port = free_port();
    if (!port) return fail(port.error().message);
    listen = *port;
  }

  // A private data dir, owned by the server's user.
  std::string run_as = ::geteuid() == 0 ? std::string(provider->system_user()) : "";
  if (!run_as.empty() && !lookup_user(run_as))
    return fail("system user '" + run_as + "' does not exist (is the server package installed?)");
  server.dir = set.m_job_dir + "/" + sanitize(spec.id);
  (void)remove_tree(server.dir);
  if (auto made = make_dirs(server.dir, 0700, run_as); !made) return fail(made.error().message);
  if (auto made = make_dirs(cache_dir, 0755); !made) return fail(made.error().message);
  set.m_servers.push_back(std::move(server));
  Server& current = set.m_servers.back();

  ProviderRequest request;
  request.spec = &spec;
  request.image = *image;
  for (const auto& [key, value] : spec.env)
    request.env[key] = value;
  request.data_dir = current.dir;
  request.cache_dir = cache_dir;
  request.run_as = run_as;
  request.port = listen;
  current.info.port = listen;
  request.args = *args;
  request.notice = notice;
  auto plan = provider->prepare(request);
  if (!plan)
    return fail(plan.error().message +
                (plan.error().hint.empty() ? "" : " (" + plan.error().hint + ")"));
  if (!plan->version_warning.empty()) notice("warning: " + plan->version_warning);
  current.log_file = plan->log_file;
  current.stop_signal = plan->stop_signal;
  if (auto owned = chown_tree(current.dir, run_as); !owned) return fail(owned.error().message);

  // The server, its output appended to its own log.
  std::vector<std::string> argv = {"sh", "-c",
                                   "exec \"$0\" \"$@\" >>" + shell_quote(plan->log_file) + " 2>&1"};
  argv.insert(argv.end(), plan->argv.begin(), plan->argv.end());
  os::SpawnOptions spawn;
  spawn.argv = in_network(context, as_user(run_as, argv));
  spawn.env = base_env(plan->env);
  spawn.cwd = current.dir;
  auto process = os::spawn(spawn);
  if (!process) return fail("cannot start the server: " + process.error().message);
  process->close_output();
  current.process = std::move(*process);
  current.info.pid = current.process->pid();
  set.write_state();

  std::vector<std::string> env = client_env(*plan, current.dir);
  // The probe and setup commands name their server explicitly; the client env
  // (MYSQL_HOST, PGUSER, ...) is for the health command only.
  if (auto not_ready = wait_ready(context, spec, current, *plan, {})) return not_ready;
  for (const auto& command : plan->after_ready) {
    auto done = capture(in_network(context, command), {}, 60s);
    if (!done || done->exit_code != 0)
      return fail("setup command failed: " + (done ? done->output : done.error().message) +
                  log_tail(current));
  }
  if (options->health) {
    if (auto unhealthy = wait_healthy(context, spec, current, *options->health, env))
      return unhealthy;
  }
  current.info.start_time =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  set.m_running.push_back(current.info);
  return std::nullopt;
}

}  // namespace

ServiceSet::ServiceSet(std::unique_ptr<ServiceSetImpl> impl) : m_impl(std::move(impl)) {}
ServiceSet::ServiceSet(ServiceSet&&) noexcept = default;
ServiceSet& ServiceSet::operator=(ServiceSet&&) noexcept = default;
ServiceSet::~ServiceSet() = default;

const std::vector<RunningService>& ServiceSet::services() const {
  static const std::vector<RunningService> k_none;
  return m_impl ? m_impl->m_running : k_none;
}

util::Expected<void> ServiceSet::stop() {
  return m_impl ? m_impl->stop() : util::Expected<void>{};
}

std::expected<ServiceSet, StartFailure> start_services(const std::vector<ServiceSpec>& specs,
                                                       const StartContext& context) {
  std::string runtime_dir =
      context.runtime_dir.empty() ? default_runtime_dir() : context.runtime_dir;
  std::string cache_dir = context.cache_dir.empty() ? default_cache_dir() : context.cache_dir;
  (void)clean_stale_services(runtime_dir);
  auto impl = std::make_unique<ServiceSetImpl>();
  impl->m_network = context.network;
  bool any = false;
  for (const ServiceSpec& spec : specs)
    any = any || !spec.image.empty();
  if (!any) return ServiceSet(std::move(impl));

  std::string key = sanitize(context.job_key) + "-" + std::to_string(::getpid());
  if (context.runtime_dir.empty()) {
    if (auto checked = os::ensure_runtime_dir(); !checked)
      return std::unexpected(StartFailure{StartFailure::Kind::failed, "", checked.error().message});
  }
  if (auto made = make_dirs(runtime_dir, 0755); !made)
    return std::unexpected(StartFailure{StartFailure::Kind::failed, "", made.error().message});
  for (int n = 0;; ++n) {
    std::string dir = runtime_dir + "/" + key + (n ? "-" + std::to_string(n) : "");
    if (::mkdir(dir.c_str(), 0755) == 0) {
      impl->m_job_dir = dir;
      break;
    }
    if (errno != EEXIST)
      return std::unexpected(StartFailure{StartFailure::Kind::failed, "", "cannot create " + dir});
  }
  impl->write_state();
  for (const ServiceSpec& spec : specs) {
    if (spec.image.empty()) continue;  // spec §14: an empty image skips the service
    if (auto failed = start_one(spec, context, cache_dir, *impl)) {
      (void)impl->stop();
      return std::unexpected(std::move(*failed));
    }
  }
  return ServiceSet(std::move(impl));
}

util::Expected<int> clean_stale_services(const std::string& runtime_dir_in) {
  std::string runtime_dir = runtime_dir_in.empty() ? default_runtime_dir() : runtime_dir_in;
  int cleaned = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(runtime_dir, ec)) {
    std::string dir = entry.path().string();
    auto text = os::read_file(dir + "/state", 1 << 20);
    if (!text) continue;
    auto state = parse_state(*text);
    if (!state || same_process(state->owner, state->owner_start)) continue;
    for (const StateServer& server : state->servers) {
      if (same_process(server.pid, server.start_time)) {
        ::kill(-server.pid, SIGKILL);
        ::kill(server.pid, SIGKILL);
      }
      ++cleaned;
    }
    if (!state->netns.empty()) (void)capture({"ip", "netns", "delete", state->netns}, {}, 10s);
    (void)remove_tree(dir);
  }
  return cleaned;
}

}  // namespace pipewright::exec::services
