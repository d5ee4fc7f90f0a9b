#include "pipewright/os/subreaper.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/os/children.h"
#include "pipewright/os/end_processes.h"
#include "pipewright/os/engine_leftovers.h"
#include "pipewright/os/job_cgroup.h"
#include "pipewright/os/proc_table.h"

namespace pipewright::os {

namespace {

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
  std::vector<pid_t> in_cgroup = scope.cgroup_pids();
  auto is_member = [&](const ProcEntry& e) {
    if (auto it = known.find(e.pid); it != known.end() && it->second == e.start_time) return true;
    if (std::find(in_cgroup.begin(), in_cgroup.end(), e.pid) != in_cgroup.end()) return true;
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
  // The cgroup's processes that are not our descendants (orphans, when we are no
  // subreaper): theirs by the kernel's word.
  for (pid_t pid : in_cgroup) {
    if (selected.contains(pid)) continue;
    if (auto e = read_proc_entry(pid)) {
      known[e->pid] = e->start_time;
      members.push_back(*e);
    }
  }
  return members;
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
  // Best effort: the engine and the counter already make the id unique.
  [[maybe_unused]] ssize_t n = ::getrandom(&random, sizeof random, GRND_NONBLOCK);
  m_id = make_tracking_id(fmt::format("{}_{:016x}", counter++, random));
  if (auto cgroup = JobCgroup::create()) m_cgroup = std::make_unique<JobCgroup>(std::move(*cgroup));
}

ProcessScope::~ProcessScope() = default;

int ProcessScope::cgroup_procs_fd() const {
  return m_cgroup ? m_cgroup->procs_fd() : -1;
}

std::vector<pid_t> ProcessScope::cgroup_pids() const {
  return m_cgroup ? m_cgroup->pids() : std::vector<pid_t>{};
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
  Known known;
  PW_TRY(ended, detail::end_processes([&] { return scope_members(scope, known); }, options.grace));
  return LeftoverReport{std::move(ended.found), ended.needed_kill, ended.reaped};
}

util::Expected<size_t> reap_orphans() {
  // No exited child at all (the common case): nothing to reap, no need to read /proc.
  siginfo_t info{};
  if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return 0;
  PW_TRY(children, list_own_children());
  size_t reaped = 0;
  for (const auto& e : children) {
    if (e.zombie() && detail::reap_if_orphan(e.pid)) ++reaped;
  }
  return reaped;
}

}  // namespace pipewright::os
