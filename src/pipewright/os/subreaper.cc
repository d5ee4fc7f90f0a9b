#include "pipewright/os/subreaper.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/os/children.h"
#include "pipewright/os/fd.h"
#include "pipewright/os/pidfd.h"
#include "pipewright/os/proc_table.h"

namespace pipewright::os {

namespace {

using Clock = std::chrono::steady_clock;

// Rounds of "scan, SIGKILL, wait" before giving up on a scope that keeps forking.
constexpr int k_max_kill_rounds = 20;
// How long one SIGKILL round waits for its targets to die (they cannot refuse).
constexpr std::chrono::milliseconds k_kill_wait{5000};

// A process of the scope, opened by pidfd so that signals cannot reach a recycled pid.
struct Target {
  pid_t pid;
  Fd pidfd;
};

// pid → start time of every process ever attributed to the scope, so that a member
// stays one after it becomes a zombie (its environment is then unreadable).
using Known = std::unordered_map<pid_t, unsigned long long>;

// The scope's processes among our descendants (see the top of subreaper.h).
util::Expected<std::vector<ProcEntry>> scope_members(const ProcessScope& scope, Known& known) {
  PW_TRY(below, list_own_descendants());
  std::vector<pid_t> groups = scope.groups();
  // A member carries the scope's id, or is in one of its groups without carrying
  // another scope's id (a recorded group id may since have been reused by a step of
  // another scope, which leads a group of the same number).
  auto is_member = [&](const ProcEntry& e) {
    if (auto it = known.find(e.pid); it != known.end() && it->second == e.start_time) return true;
    bool in_group = std::find(groups.begin(), groups.end(), e.pgid) != groups.end();
    if (e.zombie()) return in_group;
    auto id = environment_variable(e.pid, ProcessScope::k_tracking_variable);
    if (id) return *id == scope.tracking_id();
    return in_group;
  };
  std::unordered_set<pid_t> selected;
  for (const auto& e : below) {
    if (selected.contains(e.pid) || !is_member(e)) continue;
    selected.insert(e.pid);
    for (const auto& d : descendants_of(below, e.pid))
      selected.insert(d.pid);
  }
  std::vector<ProcEntry> members;
  for (const auto& e : below) {
    if (!selected.contains(e.pid)) continue;
    known[e.pid] = e.start_time;
    members.push_back(e);
  }
  return members;
}

// Opens the live members; skips those gone or whose pid now names another process.
std::vector<Target> open_targets(const std::vector<ProcEntry>& members) {
  std::vector<Target> targets;
  for (const auto& e : members) {
    if (e.zombie()) continue;
    Fd pidfd(detail::open_pidfd(e.pid));
    if (!pidfd) continue;
    auto now = read_proc_entry(e.pid);
    if (!now || now->start_time != e.start_time || now->zombie()) continue;
    targets.push_back(Target{e.pid, std::move(pidfd)});
  }
  return targets;
}

void signal_all(const std::vector<Target>& targets, int signal) {
  for (const auto& t : targets)
    detail::send_signal(t.pidfd.get(), signal);
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

// Reaps `pid` if it is a zombie child of ours that no Process owns.
bool reap_if_orphan(pid_t pid) {
  auto& registry = detail::ChildRegistry::instance();
  auto lock = registry.lock();
  if (registry.contains(pid)) return false;
  int status = 0;
  pid_t rc;
  do {
    rc = ::waitpid(pid, &status, WNOHANG);
  } while (rc < 0 && errno == EINTR);
  return rc == pid;
}

size_t reap_members(const std::vector<ProcEntry>& members) {
  size_t reaped = 0;
  const pid_t self = ::getpid();
  for (const auto& e : members) {
    if (e.zombie() && e.ppid == self && reap_if_orphan(e.pid)) ++reaped;
  }
  return reaped;
}

}  // namespace

util::Expected<void> become_child_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    return util::fail(fmt::format("cannot become a child subreaper: {}", std::strerror(errno)));
  return {};
}

bool is_child_subreaper() {
  int value = 0;
  return ::prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0) == 0 && value != 0;
}

ProcessScope::ProcessScope() {
  static std::atomic<unsigned long> counter{0};
  unsigned long long random = 0;
  // Best effort: pid and counter already make the id unique among live engines.
  [[maybe_unused]] ssize_t n = ::getrandom(&random, sizeof random, GRND_NONBLOCK);
  m_id = fmt::format("pipewright_{}_{}_{:016x}", ::getpid(), counter++, random);
}

std::string ProcessScope::environment_entry() const {
  return fmt::format("{}={}", k_tracking_variable, m_id);
}

void ProcessScope::add_group(pid_t pgid) {
  std::lock_guard lock(m_mutex);
  if (std::find(m_groups.begin(), m_groups.end(), pgid) == m_groups.end()) m_groups.push_back(pgid);
}

std::vector<pid_t> ProcessScope::groups() const {
  std::lock_guard lock(m_mutex);
  return m_groups;
}

util::Expected<LeftoverReport> kill_leftover_descendants(const ProcessScope& scope,
                                                         const LeftoverOptions& options) {
  LeftoverReport report;
  Known known;
  std::unordered_set<pid_t> found;
  std::unordered_set<pid_t> killed;
  auto note_found = [&](const std::vector<Target>& targets) {
    for (const auto& t : targets) {
      if (found.insert(t.pid).second) report.found.push_back(t.pid);
    }
  };

  // Politely first: SIGTERM (and SIGCONT, so that stopped processes can act on it).
  {
    PW_TRY(members, scope_members(scope, known));
    // Nothing of the scope left (the common case): nothing can fork a new member,
    // so the rescans below would find nothing either. Each scan walks our subtree.
    if (members.empty()) return report;
    report.reaped += reap_members(members);
    std::vector<Target> targets = open_targets(members);
    note_found(targets);
    signal_all(targets, SIGTERM);
    signal_all(targets, SIGCONT);
    wait_for_exit(targets, options.grace);
  }
  // Then SIGKILL whatever is left, rescanning for children forked meanwhile.
  for (int round = 0; round < k_max_kill_rounds; ++round) {
    PW_TRY(members, scope_members(scope, known));
    report.reaped += reap_members(members);
    std::vector<Target> targets = open_targets(members);
    if (targets.empty()) break;
    note_found(targets);
    for (const auto& t : targets)
      killed.insert(t.pid);
    signal_all(targets, SIGKILL);
    wait_for_exit(targets, k_kill_wait);
  }
  report.needed_kill = killed.size();
  return report;
}

util::Expected<size_t> reap_orphans() {
  // No exited child at all (the common case): nothing to reap, no need to read /proc.
  siginfo_t info{};
  if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return 0;
  PW_TRY(children, list_own_children());
  size_t reaped = 0;
  for (const auto& e : children) {
    if (e.zombie() && reap_if_orphan(e.pid)) ++reaped;
  }
  return reaped;
}

}  // namespace pipewright::os
