// Ending what a job's steps leave behind.
//
// The problem: a step may start background processes (`sleep 1000 &`) or daemons
// that double-fork and setsid() to escape its process group. GitHub ends them when
// the job ends; so must we, without touching anything else the engine runs at the
// same time (other jobs' steps and their leftovers, services).
//
// The approach, in three parts:
// 1. The engine is a child subreaper (become_child_subreaper()). An orphaned process
//    is then reparented to us instead of init, so EVERY process a step ever started
//    stays among our descendants for as long as it lives: the search space is the
//    subtree below our pid, never the whole machine. We walk it down from our pid
//    through /proc/<pid>/task/<tid>/children (list_own_descendants(); a kernel
//    without those files falls back to reading every /proc/<pid>/stat), reading
//    only our descendants' entries.
// 2. Each job owns a ProcessScope. spawn() with a scope (a) records the step's
//    process group and (b) puts RUNNER_TRACKING_ID=<unique id> into the step's
//    environment (the variable GitHub's runner uses for the same purpose), which
//    every descendant inherits, through forks, setsid() and reparenting alike.
//    Where the host allows it, the scope also has a cgroup of its own (job_cgroup.h)
//    that spawn() moves the step into: whatever is in it belongs to the scope too.
//    A process belongs to the scope when it is our descendant AND either its
//    environment carries the scope's id, or its process group is one the scope
//    recorded and it carries no other scope's id (a recorded group number may have
//    been reused since by another scope's step; zombies, whose environment cannot
//    be read, go by group alone). Everything below a member belongs too (a nested
//    engine's steps). Another job's processes carry another id and lead other
//    groups, so they are never selected; nothing outside our subtree is looked at.
// 3. Killing and reaping are race-aware: each target is opened with pidfd_open and
//    its start time re-checked (a recycled pid is skipped), signals go through the
//    pidfd, and the scan repeats until nothing of the scope is left (a process that
//    forks while we kill it leaves children that the next round finds). Zombies are
//    reaped with waitpid(pid) on their exact pid, and only when they are not
//    children that spawn() started and whose owner reaps them with waitid(P_PIDFD)
//    (see children.h): nobody ever calls waitpid(-1), so no other thread's exit
//    status is stolen and no SIGCHLD handler is needed.
// An engine that crashes never reaches its jobs' ends: the next engine's start ends
// what it left (engine_leftovers.h).
// Known limits (without a job cgroup): a process that clears its environment AND
// leaves the step's process group AND was orphaned (so no member is its ancestor any
// more) cannot be attributed to a job; reap_orphans() still reaps it when it exits. Every process
// the engine starts should get a scope: an unscoped child whose pid reuses a
// recorded group number would be taken for a member. A process that changes its user id cannot have
// its environment read; it is still found through its group or ancestry.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "pipewright/util/error.h"

namespace pipewright::os {

class JobCgroup;

// Makes this process a child subreaper (prctl PR_SET_CHILD_SUBREAPER): orphaned
// descendants are reparented to it. Process-wide. Fails with the errno text.
util::Expected<void> become_child_subreaper();

// Whether this process is a child subreaper.
bool is_child_subreaper();

// The processes one job (or any unit of work) started. Thread-safe; not movable,
// since spawned processes refer to it.
class ProcessScope {
 public:
  static constexpr std::string_view k_tracking_variable = "RUNNER_TRACKING_ID";

  // A scope with an id unique on this host, naming this engine (engine_leftovers.h),
  // so that what it leaves behind can be ended after it crashed.
  ProcessScope();
  ProcessScope(const ProcessScope&) = delete;
  ProcessScope& operator=(const ProcessScope&) = delete;
  // Ends whatever is still in its cgroup and gives the cgroup back (job_cgroup.h).
  ~ProcessScope();

  const std::string& tracking_id() const { return m_id; }
  // "RUNNER_TRACKING_ID=<id>", as spawn() adds it to the environment.
  std::string environment_entry() const;

  // Records a process group that belongs to the scope (spawn() does this).
  void add_group(pid_t pgid);
  std::vector<pid_t> groups() const;

  // The cgroup.procs of the scope's own cgroup where the host allows one
  // (job_cgroup.h): spawn() moves the child into it. -1 without one.
  int cgroup_procs_fd() const;
  // The processes in the scope's cgroup now (none without one).
  std::vector<pid_t> cgroup_pids() const;

 private:
  std::string m_id;
  std::unique_ptr<JobCgroup> m_cgroup;
  mutable std::mutex m_mutex;
  std::vector<pid_t> m_groups;
};

struct LeftoverOptions {
  // How long the leftovers get between SIGTERM and SIGKILL.
  std::chrono::milliseconds grace{1000};
};

// What kill_leftover_descendants() found and did.
struct LeftoverReport {
  std::vector<pid_t> found;  // every process of the scope that was still running
  size_t needed_kill = 0;    // how many of them ignored SIGTERM and got SIGKILL
  size_t reaped = 0;         // zombies reaped (our children, reparented orphans)
};

// Ends every process of `scope` still running among our descendants: SIGTERM (and
// SIGCONT), up to `grace` for them to exit, then SIGKILL; then reaps those that are
// our children. Children that spawn() started and whose Process still owns them are
// signalled like the rest but left to their owner to reap. Call it after the scope's
// steps have finished. Works without being a subreaper, but then it cannot find
// processes orphaned before the call (they are reparented to init). Fails only when
// /proc cannot be read.
util::Expected<LeftoverReport> kill_leftover_descendants(const ProcessScope& scope,
                                                         const LeftoverOptions& options = {});

// Reaps every zombie child of ours that spawn() did not start (orphans reparented to
// us), without blocking. Safe while other threads wait for their own children.
// Returns how many were reaped; fails only when /proc cannot be read.
util::Expected<size_t> reap_orphans();

}  // namespace pipewright::os
