#include "pipewright/exec/services/job_network.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <signal.h>
#include <unistd.h>

#include "pipewright/exec/services/service_util.h"
#include "pipewright/os/file.h"

namespace pipewright::exec::services {
namespace {

constexpr std::string_view k_prefix = "pw-";
constexpr std::string_view k_config_root = "/etc/netns/";

const std::string& ip_program() {
  static const std::string k_ip =
      find_program({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
  return k_ip;
}

util::Expected<std::string> ip(const std::vector<std::string>& args) {
  if (ip_program().empty()) return util::fail("`ip` (iproute2) is not installed");
  std::vector<std::string> argv = {ip_program()};
  argv.insert(argv.end(), args.begin(), args.end());
  PW_TRY(out, capture(argv, {}, std::chrono::seconds(10)));
  if (out.exit_code != 0) {
    std::string what;
    for (const std::string& arg : args)
      what += " " + arg;
    return util::fail("ip" + what + " failed: " + out.output);
  }
  return out.output;
}

bool owner_gone(const std::string& name) {
  pid_t pid = std::atoi(name.c_str() + k_prefix.size());
  return pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Kills every slirp4netns attached to a namespace for which `stale` (its name) holds.
template <class Stale>
void kill_stale_slirps(Stale stale) {
  const std::string marker = "/run/netns/" + std::string(k_prefix);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find("slirp4netns") == std::string::npos) continue;
    size_t at = cmdline.find(marker);
    if (at == std::string::npos) continue;
    std::string name = cmdline.substr(at + 11, cmdline.find('\0', at) - at - 11);
    if (stale(name)) ::kill(std::atoi(pid.c_str()), SIGKILL);
  }
}

// Whether every nameserver of the host's resolv.conf is a loopback address (a local
// resolver the namespace cannot reach).
bool host_resolver_is_loopback() {
  std::ifstream in("/etc/resolv.conf");
  std::string line;
  bool any = false;
  while (std::getline(in, line)) {
    if (!line.starts_with("nameserver")) continue;
    std::string address = line.substr(10);
    address.erase(0, address.find_first_not_of(" \t"));
    if (!address.starts_with("127.") && address != "::1") return false;
    any = true;
  }
  return any;
}

}  // namespace

JobNetwork::JobNetwork(JobNetwork&& other) noexcept
    : m_name(std::exchange(other.m_name, {})), m_slirp(std::exchange(other.m_slirp, {})) {}

JobNetwork& JobNetwork::operator=(JobNetwork&& other) noexcept {
  if (this != &other) {
    (void)destroy();
    m_name = std::exchange(other.m_name, {});
    m_slirp = std::exchange(other.m_slirp, {});
  }
  return *this;
}

JobNetwork::~JobNetwork() {
  (void)destroy();
}

bool JobNetwork::available() {
  static const bool k_available = [] {
    if (const char* flag = std::getenv("PIPEWRIGHT_NETNS"); flag && std::string_view(flag) == "0")
      return false;
    if (::geteuid() != 0 || ip_program().empty()) return false;
    // Entering must work too: `ip netns exec` mounts /sys, which some containers forbid.
    auto probe = create("probe");
    return probe && ip({"netns", "exec", probe->name(), "true"}).has_value();
  }();
  return k_available;
}

util::Expected<JobNetwork> JobNetwork::create(const std::string& key) {
  static std::atomic<int> counter{0};
  std::string clean;
  for (char c : key)
    clean += (isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  // The creator's pid comes first so clean_stale() can tell whose it is.
  std::string name = std::string(k_prefix) + std::to_string(::getpid()) + "-" +
                     std::to_string(counter++) + "-" + clean.substr(0, 24);
  PW_TRY_VOID(ip({"netns", "add", name}));
  JobNetwork network(name);
  PW_TRY_VOID(ip({"-n", name, "link", "set", "lo", "up"}));
  return network;
}

int JobNetwork::clean_stale() {
  // Stale names from both places (a crashed run may have lost either one first).
  std::vector<std::string> stale;
  for (std::string_view root : {std::string_view("/run/netns"), k_config_root}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
      std::string name = entry.path().filename().string();
      if (name.starts_with(k_prefix) && owner_gone(name) &&
          std::ranges::find(stale, name) == stale.end())
        stale.push_back(name);
    }
  }
  if (stale.empty()) return 0;  // the common case: no /proc scan
  kill_stale_slirps(owner_gone);
  int cleaned = 0;
  for (const std::string& name : stale) {
    if (std::filesystem::exists("/run/netns/" + name) && ip({"netns", "delete", name})) ++cleaned;
    (void)remove_tree(std::string(k_config_root) + name);
  }
  return cleaned;
}

util::Expected<void> JobNetwork::set_hosts(const std::vector<std::string>& names) {
  if (m_name.empty()) return util::fail("no network namespace");
  std::string dir = std::string(k_config_root) + m_name;
  PW_TRY_VOID(make_dirs(dir, 0755));
  std::string hosts;
  if (auto host = os::read_file("/etc/hosts", 1 << 20)) hosts = *host;
  if (!hosts.empty() && hosts.back() != '\n') hosts += '\n';
  hosts += "# pipewright: the job's services\n127.0.0.1\tlocalhost";
  for (const std::string& name : names)
    hosts += " " + name;
  hosts += "\n";
  return os::write_file(dir + "/hosts", hosts);
}

util::Expected<void> JobNetwork::enable_outbound() {
  using namespace std::chrono_literals;
  if (m_name.empty()) return util::fail("no network namespace");
  if (m_slirp) return {};
  std::string slirp = find_program({"/usr/bin/slirp4netns", "/usr/local/bin/slirp4netns"});
  if (slirp.empty())
    return util::fail("slirp4netns is not installed", {}, "apt-get install slirp4netns");
  os::SpawnOptions spawn;
  spawn.argv = {
      slirp,  "--configure", "--mtu=65520", "--disable-host-loopback", "--netns-type=path",
      path(), "tap0"};
  spawn.env = base_env({});
  PW_TRY(process, os::spawn(spawn));
  // Up when tap0 has its address; slirp4netns configures it within milliseconds.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (true) {
    auto address = ip({"-n", m_name, "-4", "-o", "addr", "show", "dev", "tap0"});
    if (address && address->find("10.0.2.100") != std::string::npos) break;
    auto reaped = process.try_reap();
    if (!reaped || *reaped) return util::fail("slirp4netns exited while starting");
    if (std::chrono::steady_clock::now() > deadline)
      return util::fail("slirp4netns did not configure tap0 within 5s");
    std::this_thread::sleep_for(10ms);
  }
  if (host_resolver_is_loopback()) {
    std::string dir = std::string(k_config_root) + m_name;
    PW_TRY_VOID(make_dirs(dir, 0755));
    PW_TRY_VOID(os::write_file(dir + "/resolv.conf", "nameserver 10.0.2.3\n"));
  }
  m_slirp = std::move(process);
  return {};
}

std::string JobNetwork::path() const {
  return m_name.empty() ? "" : "/run/netns/" + m_name;
}

std::vector<std::string> JobNetwork::prefix() const {
  if (m_name.empty()) return {};
  return {ip_program(), "netns", "exec", m_name};
}

std::vector<std::string> JobNetwork::wrap(const std::vector<std::string>& argv) const {
  if (m_name.empty() || argv.empty()) return argv;
  std::vector<std::string> out = prefix();
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

util::Expected<void> JobNetwork::destroy() {
  if (m_name.empty()) return {};
  std::string name = std::exchange(m_name, {});
  m_slirp.reset();  // kills and reaps slirp4netns
  auto deleted = ip({"netns", "delete", name});
  (void)remove_tree(std::string(k_config_root) + name);
  if (!deleted) return std::unexpected(deleted.error());
  return {};
}

}  // namespace pipewright::exec::services
