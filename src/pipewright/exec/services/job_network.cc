#include "pipewright/exec/services/job_network.h"

#include <atomic>
#include <cerrno>
#include <filesystem>

#include <signal.h>
#include <unistd.h>

#include "pipewright/exec/services/service_util.h"

namespace pipewright::exec::services {
namespace {

constexpr std::string_view k_prefix = "pw-";

util::Expected<void> ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  PW_TRY(out, capture(argv, {}, std::chrono::seconds(10)));
  if (out.exit_code != 0)
    return util::fail("ip " + args[0] + " " + args[1] + " failed: " + out.output);
  return {};
}

}  // namespace

JobNetwork::JobNetwork(JobNetwork&& other) noexcept : m_name(std::exchange(other.m_name, {})) {}

JobNetwork& JobNetwork::operator=(JobNetwork&& other) noexcept {
  if (this != &other) {
    (void)destroy();
    m_name = std::exchange(other.m_name, {});
  }
  return *this;
}

JobNetwork::~JobNetwork() {
  (void)destroy();
}

bool JobNetwork::available() {
  static const bool k_available = [] {
    if (::geteuid() != 0) return false;
    if (find_program({"/usr/bin/nsenter", "/bin/nsenter"}).empty()) return false;
    auto probe = create("probe");
    return probe.has_value();
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
  int cleaned = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(k_prefix)) continue;
    pid_t pid = std::atoi(name.c_str() + k_prefix.size());
    if (pid <= 0 || pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    if (ip({"netns", "delete", name})) ++cleaned;
  }
  return cleaned;
}

std::string JobNetwork::path() const {
  return m_name.empty() ? "" : "/run/netns/" + m_name;
}

std::vector<std::string> JobNetwork::wrap(const std::vector<std::string>& argv) const {
  if (m_name.empty() || argv.empty()) return argv;
  std::vector<std::string> out = {"nsenter", "--net=" + path(), "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

util::Expected<void> JobNetwork::destroy() {
  if (m_name.empty()) return {};
  std::string name = std::exchange(m_name, {});
  return ip({"netns", "delete", name});
}

}  // namespace pipewright::exec::services
