// Redis and memcached: no initialisation, a data dir, the image's `command:` args.
//
// Redis (`redis`, `redis:7-alpine`): the image's entrypoint runs redis-server with
// the given args when the first one is an option or a .conf file; protected mode is
// off as in the image. Our --port/--bind/--dir come last so they win.
// memcached: `command:` args (-m 64, ...) are passed through.
#include <memory>
#include <string>

#include "pipewright/exec/services/providers.h"
#include "pipewright/exec/services/service_util.h"

namespace pipewright::exec::services {
namespace {

std::string version_warning(const ImageRef& image, int installed, std::string_view product) {
  if (!image.major || *image.major == installed) return "";
  return image.path + ":" + image.tag + " requested, running " + std::string(product) + " " +
         std::to_string(installed);
}

// The major version printed by `program --version` after `marker` ("v=7.0.15" -> 7).
int installed_major(const std::vector<std::string>& argv, std::string_view marker) {
  auto out = capture(argv, {}, std::chrono::seconds(10));
  if (!out || out->exit_code != 0) return 0;
  auto at = out->output.find(marker);
  if (at == std::string::npos) return 0;
  int major = 0;
  for (size_t i = at + marker.size(); i < out->output.size() && isdigit(out->output[i]); ++i)
    major = major * 10 + (out->output[i] - '0');
  return major;
}

class RedisProvider final : public ServiceProvider {
 public:
  std::string_view name() const override { return "redis"; }
  int default_port() const override { return 6379; }
  std::string_view system_user() const override { return "redis"; }

  util::Expected<LaunchPlan> prepare(const ProviderRequest& request) override {
    std::string server = find_program({"/usr/bin/redis-server", "/usr/local/bin/redis-server"});
    if (server.empty())
      return util::fail("redis-server is not installed", {},
                        "apt-get install redis-server redis-tools");
    LaunchPlan plan;
    plan.version_warning =
        version_warning(request.image, installed_major({server, "--version"}, "v="), "Redis");
    std::vector<std::string> args = request.args;
    if (!args.empty() && (args.front() == "redis-server" || args.front() == server))
      args.erase(args.begin());
    if (!args.empty() && !args.front().starts_with("-") && !args.front().ends_with(".conf"))
      return util::fail("the redis service's command '" + args.front() +
                        "' is not redis-server; only server arguments are supported");
    std::string port = std::to_string(request.port);
    plan.argv = {server};
    plan.argv.insert(plan.argv.end(), args.begin(), args.end());
    for (const std::string& option : std::vector<std::string>{
             "--port", port, "--bind", std::string("127.0.0.1"), "--dir", request.data_dir,
             "--daemonize", std::string("no"), "--protected-mode", std::string("no"), "--logfile",
             std::string("")})
      plan.argv.push_back(option);
    plan.log_file = request.data_dir + "/server.log";
    plan.ready_argv = {
        "sh", "-c", "redis-cli -h 127.0.0.1 -p " + port + " ping 2>&1 | grep -q -e PONG -e NOAUTH"};
    plan.client_wrappers = {{"redis-cli", {"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", port}}};
    return plan;
  }
};

class MemcachedProvider final : public ServiceProvider {
 public:
  std::string_view name() const override { return "memcached"; }
  int default_port() const override { return 11211; }
  std::string_view system_user() const override { return "memcache"; }

  util::Expected<LaunchPlan> prepare(const ProviderRequest& request) override {
    std::string server = find_program({"/usr/bin/memcached", "/usr/local/bin/memcached"});
    if (server.empty())
      return util::fail("memcached is not installed", {}, "apt-get install memcached");
    LaunchPlan plan;
    plan.version_warning =
        version_warning(request.image, installed_major({server, "-V"}, "memcached "), "memcached");
    std::vector<std::string> args = request.args;
    if (!args.empty() && args.front() == "memcached") args.erase(args.begin());
    plan.argv = {server};
    plan.argv.insert(plan.argv.end(), args.begin(), args.end());
    for (const std::string& option :
         std::vector<std::string>{"-l", std::string("127.0.0.1"), "-p",
                                  std::to_string(request.port), "-U", std::string("0")})
      plan.argv.push_back(option);
    plan.log_file = request.data_dir + "/server.log";
    plan.ready_argv = tcp_probe(request.port);
    return plan;
  }
};

}  // namespace

std::vector<std::string> tcp_probe(int port) {
  return {"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port)};
}

std::unique_ptr<ServiceProvider> make_redis_provider() {
  return std::make_unique<RedisProvider>();
}
std::unique_ptr<ServiceProvider> make_memcached_provider() {
  return std::make_unique<MemcachedProvider>();
}

}  // namespace pipewright::exec::services
