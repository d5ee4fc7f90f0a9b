#include "pipewright/os/job_cgroup.h"

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/os/file.h"

namespace pipewright::os {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// How long removal waits for a cgroup's killed processes to exit.
constexpr auto k_empty_wait = 5s;

// The hierarchy job cgroups live in: cgroup2, else cgroup v1's "pids" controller
// (hosts that mount only v1 hierarchies), where pids.max stops forks while we kill.
struct Hierarchy {
  std::string base;  // "" when none is usable
  bool v2 = true;
  // Whether steps are moved into job cgroups. Moving a process into a cgroup waits
  // for an RCU grace period unless the hierarchy is mounted with favordynmods: 8.6 ms
  // per step measured here (5.5 ms a job in bench/dag), so without it the job
  // cgroups are not made; a forced engine's are still cleaned up.
  bool move_steps = false;
};

// Whether `options` (comma-separated mount options) holds `name`.
bool has_option(std::string_view options, std::string_view name) {
  while (!options.empty()) {
    size_t comma = options.find(',');
    if (options.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    options.remove_prefix(comma + 1);
  }
  return false;
}

struct Mount {
  std::string path;          // "" when none
  bool cheap_moves = false;  // mounted with favordynmods
};

// The cgroup2 hierarchy (v2) or the v1 one with the pids controller. From
// /proc/self/mountinfo: the mount point is the fifth field; the filesystem type and
// its options follow " - ".
Mount cgroup_mount(bool v2) {
  auto text = read_file("/proc/self/mountinfo", 1 << 20);
  if (!text) return {};
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream after(line.substr(dash + 3));
    std::string type, source, options;
    after >> type >> source >> options;
    if (v2 ? type != "cgroup2" : type != "cgroup" || !has_option(options, "pids")) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string field, mount;
    for (int i = 0; i < 5 && fields >> field; ++i)
      mount = field;
    if (mount.find('\\') != std::string::npos) continue;  // an escaped space: not ours to guess
    return {mount, has_option(options, "favordynmods")};
  }
  return {};
}

// Our cgroup in the hierarchy, from /proc/self/cgroup: the "0::" line (v2), the line
// whose controllers include pids (v1).
std::string own_cgroup(bool v2) {
  auto text = read_file("/proc/self/cgroup", 1 << 16);
  if (!text) return "";
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string_view controllers = std::string_view(line).substr(first + 1, second - first - 1);
    if (v2 ? line.starts_with("0::") : has_option(controllers, "pids"))
      return line.substr(second + 1);
  }
  return "";
}

// <mount><our cgroup>/pipewright in the hierarchy: created when `create`, else only
// when it exists; "" when not usable.
std::string usable_base(const std::string& mount, bool v2, bool create) {
  std::string own = own_cgroup(v2);
  if (mount.empty() || own.empty() || own.find("/..") != std::string::npos) return "";
  // A process whose cgroup was removed shows " (deleted)"; nothing to build on.
  if (own.ends_with(" (deleted)")) return "";
  std::string base = mount + (own == "/" ? "" : own) + "/pipewright";
  if (create && ::mkdir(base.c_str(), 0755) != 0 && errno != EEXIST) return "";
  // Only a cgroup we may move processes into is of use (delegation, or root).
  if (::access((base + "/cgroup.procs").c_str(), W_OK) != 0) return "";
  return base;
}

// PIPEWRIGHT_CGROUPS: "0" none; "1" job cgroups even without favordynmods, v2 then
// v1; "v1" the same on the v1 pids hierarchy only (tests); unset: job cgroups where
// moves are cheap.
Hierarchy find_hierarchy() {
  const char* setting = std::getenv("PIPEWRIGHT_CGROUPS");
  std::string_view wanted = setting ? setting : "";
  if (wanted == "0") return {};
  const bool forced = wanted == "1" || wanted == "v1";
  for (bool v2 : {true, false}) {
    if (v2 && wanted == "v1") continue;
    Mount mount = cgroup_mount(v2);
    bool move = forced || mount.cheap_moves;
    if (std::string base = usable_base(mount.path, v2, move); !base.empty())
      return {base, v2, move};
  }
  return {};
}

const Hierarchy& hierarchy() {
  static const Hierarchy found = find_hierarchy();
  return found;
}

// Writes to a cgroup control file in place (write_file() would replace it).
bool write_control(const std::string& path, std::string_view text) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  return fd && ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

std::vector<pid_t> read_pids(const std::string& dir) {
  std::vector<pid_t> pids;
  auto text = read_file(dir + "/cgroup.procs", 4 << 20);
  if (!text) return pids;
  std::istringstream lines(*text);
  for (pid_t pid; lines >> pid;)
    if (pid > 0) pids.push_back(pid);
  return pids;
}

// The cgroups at and below `dir`, deepest first.
std::vector<std::string> cgroup_dirs(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec) && !entry.is_symlink(ec))
      for (std::string& below : cgroup_dirs(entry.path().string()))
        out.push_back(std::move(below));
  out.push_back(dir);
  return out;
}

// Whether processes are in `dir` or below (false once it is gone).
bool populated(const std::string& dir) {
  if (!hierarchy().v2) return !cgroup_tree_pids(dir).empty();
  auto events = read_file(dir + "/cgroup.events", 4096);
  return events && events->find("populated 1") != std::string::npos;
}

// SIGKILL to everything in `dirs` that the kernel cannot kill at once: cgroup v1, or
// kernels before 5.14 (no cgroup.kill).
void kill_each(const std::vector<std::string>& dirs) {
  for (const std::string& d : dirs)
    if (!hierarchy().v2 || !fs::exists(d + "/cgroup.kill"))
      for (pid_t pid : read_pids(d))
        ::kill(pid, SIGKILL);
}

// Empty job cgroups of this engine, kept for its next jobs: making and removing a
// cgroup costs 0.1-0.3 ms here, more than the rest of a job's setup. Removed when the
// engine exits; a crashed engine's go at the next start with the rest of its cgroups.
class Pool {
 public:
  ~Pool() {
    std::string engine_dir;
    for (auto& [path, procs] : m_free) {
      procs.reset();
      ::rmdir(path.c_str());
      engine_dir = fs::path(path).parent_path().string();
    }
    if (!engine_dir.empty()) ::rmdir(engine_dir.c_str());  // fails while others remain
  }
  std::optional<std::pair<std::string, Fd>> take() {
    std::lock_guard lock(m_mutex);
    if (m_free.empty()) return std::nullopt;
    auto last = std::move(m_free.back());
    m_free.pop_back();
    return last;
  }
  void put(std::string path, Fd procs) {
    std::lock_guard lock(m_mutex);
    m_free.emplace_back(std::move(path), std::move(procs));
  }

 private:
  std::mutex m_mutex;
  std::vector<std::pair<std::string, Fd>> m_free;
};

Pool& pool() {
  static Pool pool;
  return pool;
}

}  // namespace

const std::string& cgroup_base() {
  return hierarchy().base;
}

bool job_cgroups() {
  return !hierarchy().base.empty() && hierarchy().move_steps;
}

std::optional<JobCgroup> JobCgroup::create(const EngineIdentity& engine) {
  const std::string& base = cgroup_base();
  if (!job_cgroups()) return std::nullopt;
  const bool ours = engine == this_engine();
  if (ours)
    if (auto kept = pool().take())
      return JobCgroup(std::move(kept->first), std::move(kept->second));
  std::string engine_dir = base + "/" + engine_key(engine);
  if (::mkdir(engine_dir.c_str(), 0755) != 0 && errno != EEXIST) return std::nullopt;
  static std::atomic<unsigned long> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string path = fmt::format("{}/job-{}", engine_dir, counter++);
    if (::mkdir(path.c_str(), 0755) != 0) {
      if (errno == EEXIST) continue;
      return std::nullopt;
    }
    Fd procs(::open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!procs) {
      ::rmdir(path.c_str());
      return std::nullopt;
    }
    return JobCgroup(std::move(path), std::move(procs));
  }
  return std::nullopt;
}

JobCgroup& JobCgroup::operator=(JobCgroup&& other) noexcept {
  if (this != &other) {
    remove();
    m_path = std::exchange(other.m_path, {});
    m_procs = std::move(other.m_procs);
  }
  return *this;
}

JobCgroup::~JobCgroup() {
  remove();
}

std::vector<pid_t> JobCgroup::pids() const {
  // The whole tree: a nested engine's steps are in cgroups below ours.
  return m_path.empty() ? std::vector<pid_t>{} : cgroup_tree_pids(m_path);
}

void JobCgroup::remove() {
  if (m_path.empty()) return;
  // Empty, nothing below, this engine's: kept for its next job.
  if (fs::path(m_path).parent_path() == cgroup_base() + "/" + engine_key(this_engine()) &&
      !populated(m_path) && cgroup_dirs(m_path).size() == 1) {
    pool().put(std::exchange(m_path, {}), std::move(m_procs));
    return;
  }
  m_procs.reset();
  remove_cgroup_tree(m_path);
  // The engine's directory goes with its last job (fails while others remain).
  ::rmdir(fs::path(m_path).parent_path().c_str());
  m_path.clear();
}

std::vector<pid_t> cgroup_tree_pids(const std::string& dir) {
  std::vector<pid_t> pids;
  for (const std::string& d : cgroup_dirs(dir))
    for (pid_t pid : read_pids(d))
      pids.push_back(pid);
  return pids;
}

void remove_cgroup_tree(const std::string& dir) {
  std::vector<std::string> dirs = cgroup_dirs(dir);
  // Already empty (a job whose leftovers were ended): just remove it.
  if (populated(dir)) {
    if (hierarchy().v2) {
      for (const std::string& d : dirs)
        write_control(d + "/cgroup.kill", "1");
    } else {
      write_control(dir + "/pids.max", "0");  // no more forks below while we kill
    }
    kill_each(dirs);
    auto give_up = std::chrono::steady_clock::now() + k_empty_wait;
    while (populated(dir) && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(1ms);
      kill_each(dirs);
    }
  }
  for (const std::string& d : dirs)
    ::rmdir(d.c_str());
}

std::vector<EngineCgroups> dead_engine_cgroups(
    const std::function<bool(const EngineIdentity&)>& running) {
  std::vector<EngineCgroups> out;
  const std::string& base = cgroup_base();
  if (base.empty()) return out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    auto engine = parse_engine_key(entry.path().filename().string());
    if (!engine || !entry.is_directory(ec) || running(*engine)) continue;
    out.push_back({*engine, entry.path().string()});
  }
  return out;
}

}  // namespace pipewright::os
