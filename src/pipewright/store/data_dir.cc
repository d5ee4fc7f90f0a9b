#include "pipewright/store/data_dir.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include <fmt/format.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include "pipewright/os/file.h"

namespace pipewright::store {

namespace {

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

struct ProcStat {
  char state = '?';
  int64_t start_ticks = 0;
};

// /proc/<pid>/stat: the state (field 3) and start time (field 22), read after the
// last ')' since the command name may contain anything.
std::optional<ProcStat> read_proc_stat(int64_t pid) {
  auto text = os::read_file(fmt::format("/proc/{}/stat", pid), 64 * 1024);
  if (!text) return std::nullopt;
  size_t paren = text->rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(*text).substr(paren + 1);
  ProcStat stat;
  for (int field = 3; field <= 22; ++field) {
    while (!rest.empty() && rest.front() == ' ')
      rest.remove_prefix(1);
    size_t end = rest.find(' ');
    std::string_view value = rest.substr(0, end);
    if (value.empty()) return std::nullopt;
    if (field == 3) stat.state = value.front();
    if (field == 22) {
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), stat.start_ticks);
      if (ec != std::errc()) return std::nullopt;
    }
    if (end == std::string_view::npos)
      rest = {};
    else
      rest.remove_prefix(end);
  }
  return stat;
}

std::string boot_id() {
  auto text = os::read_file("/proc/sys/kernel/random/boot_id", 4096);
  return text ? trim(*text) : std::string();
}

}  // namespace

util::Expected<std::string> default_data_dir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/pipewright";
  const char* home = std::getenv("HOME");
  if (!home || !home[0]) {
    const passwd* entry = ::getpwuid(::getuid());
    home = entry ? entry->pw_dir : nullptr;
  }
  if (!home || !home[0])
    return util::fail("cannot find a data directory: neither XDG_DATA_HOME nor HOME is set", {},
                      "set XDG_DATA_HOME or HOME");
  return std::string(home) + "/.local/share/pipewright";
}

util::Expected<void> prepare_data_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return util::fail(fmt::format("cannot create data directory {}: {}", dir, ec.message()));
  std::string version_path = dir + "/layout-version";
  auto text = os::read_file(version_path, 4096);
  if (!text && !std::filesystem::exists(version_path, ec))
    return os::write_file(version_path, fmt::format("{}\n", k_layout_version));
  // Another process may have created it between the read and the check: read again.
  if (!text) text = os::read_file(version_path, 4096);
  if (!text) return std::unexpected(text.error());
  std::string value = trim(*text);
  int version = 0;
  auto [ptr, parse_ec] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (parse_ec != std::errc() || ptr != value.data() + value.size() || version < 1)
    return util::fail(fmt::format("{} does not hold a layout version: '{}'", version_path, value));
  if (version > k_layout_version)
    return util::fail(
        fmt::format("data directory {} has layout version {}, newer than this pipewright "
                    "understands ({})",
                    dir, version, k_layout_version),
        {}, "upgrade pipewright, or point it at another data directory");
  return {};
}

std::string run_logs_dir(const std::string& data_dir, int64_t run) {
  return fmt::format("{}/logs/{}", data_dir, run);
}

std::string run_artifacts_dir(const std::string& data_dir, int64_t run) {
  return fmt::format("{}/artifacts/{}", data_dir, run);
}

ProcessIdentity current_process() {
  ProcessIdentity self{::getpid(), boot_id(), 0};
  if (auto stat = read_proc_stat(self.pid)) self.start_ticks = stat->start_ticks;
  return self;
}

bool process_alive(const ProcessIdentity& process) {
  if (process.pid <= 0) return false;
  if (!process.boot_id.empty() && process.boot_id != boot_id()) return false;
  if (::kill(static_cast<pid_t>(process.pid), 0) != 0 && errno == ESRCH) return false;
  auto stat = read_proc_stat(process.pid);
  if (!stat) return true;  // no /proc: trust kill()
  if (stat->state == 'Z' || stat->state == 'X') return false;
  return process.start_ticks == 0 || stat->start_ticks == process.start_ticks;
}

}  // namespace pipewright::store
