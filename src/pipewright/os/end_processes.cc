#include "pipewright/os/end_processes.h"

#include <cerrno>
#include <csignal>
#include <unordered_set>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/os/children.h"
#include "pipewright/os/fd.h"
#include "pipewright/os/pidfd.h"

namespace pipewright::os::detail {

namespace {

using Clock = std::chrono::steady_clock;

// Rounds of "scan, SIGKILL, wait" before giving up on processes that keep forking.
constexpr int k_max_kill_rounds = 20;
// How long one SIGKILL round waits for its targets to die (they cannot refuse).
constexpr std::chrono::milliseconds k_kill_wait{5000};

// A process to end, opened by pidfd so that signals cannot reach a recycled pid.
struct Target {
  pid_t pid;
  Fd pidfd;
};

// Opens the live entries; skips those gone or whose pid now names another process.
std::vector<Target> open_targets(const std::vector<ProcEntry>& entries) {
  std::vector<Target> targets;
  for (const auto& e : entries) {
    if (e.zombie()) continue;
    Fd pidfd(open_pidfd(e.pid));
    if (!pidfd) continue;
    auto now = read_proc_entry(e.pid);
    if (!now || now->start_time != e.start_time || now->zombie()) continue;
    targets.push_back(Target{e.pid, std::move(pidfd)});
  }
  return targets;
}

void signal_all(const std::vector<Target>& targets, int signal) {
  for (const auto& t : targets)
    send_signal(t.pidfd.get(), signal);
}

// Waits until every target has exited or `limit` has passed.
void wait_for_exit(const std::vector<Target>& targets, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  std::vector<pollfd> fds;
  for (const auto& t : targets)
    fds.push_back({t.pidfd.get(), POLLIN, 0});
  while (!fds.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return;
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()) + 1);
    if (n < 0 && errno != EINTR) return;
    std::erase_if(fds, [](const pollfd& p) { return p.revents != 0; });
  }
}

size_t reap_zombie_children(const std::vector<ProcEntry>& entries) {
  size_t reaped = 0;
  const pid_t self = ::getpid();
  for (const auto& e : entries) {
    if (e.zombie() && e.ppid == self && reap_if_orphan(e.pid)) ++reaped;
  }
  return reaped;
}

}  // namespace

bool reap_if_orphan(pid_t pid) {
  auto& registry = ChildRegistry::instance();
  auto lock = registry.lock();
  if (registry.contains(pid)) return false;
  int status = 0;
  pid_t rc;
  do {
    rc = ::waitpid(pid, &status, WNOHANG);
  } while (rc < 0 && errno == EINTR);
  return rc == pid;
}

util::Expected<Ended> end_processes(const ProcessScan& scan, std::chrono::milliseconds grace) {
  Ended ended;
  std::unordered_set<pid_t> found;
  std::unordered_set<pid_t> killed;
  auto note_found = [&](const std::vector<Target>& targets) {
    for (const auto& t : targets) {
      if (found.insert(t.pid).second) ended.found.push_back(t.pid);
    }
  };

  // Politely first: SIGTERM (and SIGCONT, so that stopped processes can act on it).
  {
    PW_TRY(entries, scan());
    // Nothing listed (the common case): nothing can fork a new one either, so the
    // rescans below would find nothing. Each scan reads /proc.
    if (entries.empty()) return ended;
    ended.reaped += reap_zombie_children(entries);
    std::vector<Target> targets = open_targets(entries);
    note_found(targets);
    signal_all(targets, SIGTERM);
    signal_all(targets, SIGCONT);
    wait_for_exit(targets, grace);
  }
  // Then SIGKILL whatever is left, rescanning for children forked meanwhile.
  for (int round = 0; round < k_max_kill_rounds; ++round) {
    PW_TRY(entries, scan());
    ended.reaped += reap_zombie_children(entries);
    std::vector<Target> targets = open_targets(entries);
    if (targets.empty()) break;
    note_found(targets);
    for (const auto& t : targets)
      killed.insert(t.pid);
    signal_all(targets, SIGKILL);
    wait_for_exit(targets, k_kill_wait);
  }
  ended.needed_kill = killed.size();
  return ended;
}

}  // namespace pipewright::os::detail
