// Job cgroups, where the host allows them: cgroup v2, else cgroup v1's pids hierarchy.
//
// The environment-based search for leftovers (subreaper.h, engine_leftovers.h) misses
// a process that cleared its environment, left its step's process group and was
// orphaned. The kernel does not: a process leaves a cgroup only by writing to another
// cgroup's cgroup.procs. So where we may create cgroups (our own cgroup writable:
// root, or a subtree delegated to us) and moving processes is cheap (job_cgroups()),
// each job's steps run in a cgroup of their own,
//   <mount><our cgroup>/pipewright/<engine key>/job-<n>
// (under our own cgroup, so that whoever contains us, a systemd unit, a session or
// an outer engine's job, still contains our steps). spawn() has the child move
// itself in before it executes (one write to cgroup.procs); the cgroup's processes
// count as the job's leftovers; the cgroup is emptied when its scope goes and kept
// for the engine's next job (making one costs more than the rest of a job's setup);
// all are removed when the engine exits; a dead engine's are found by the engine key
// in their path, emptied and removed at the next start (engine_leftovers.h). Only
// directories under our "pipewright" directory are ever written to or removed. On
// cgroup v1, emptying a cgroup sets pids.max to 0 (no more forks) and kills each
// process, v1 having no cgroup.kill. Without job cgroups the environment-based
// search works alone.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

#include "pipewright/os/engine_leftovers.h"
#include "pipewright/os/fd.h"

namespace pipewright::os {

// <mount><our cgroup>/pipewright in the hierarchy used ("" when the host does not let
// us create cgroups), created when job cgroups are made. Decided once per process.
const std::string& cgroup_base();

// Whether jobs get cgroups: the hierarchy is mounted with favordynmods (without it,
// moving a process into a cgroup waits for an RCU grace period: 8.6 ms a step here),
// or PIPEWRIGHT_CGROUPS=1 (or v1, for the v1 pids hierarchy) asks for them anyway;
// never with PIPEWRIGHT_CGROUPS=0.
bool job_cgroups();

class JobCgroup {
 public:
  // A new, empty cgroup for one job of `engine` (this one, unless a test says
  // otherwise); nullopt when cgroup_base() is "" or it cannot be created.
  static std::optional<JobCgroup> create(const EngineIdentity& engine = this_engine());

  JobCgroup(JobCgroup&& other) noexcept
      : m_path(std::exchange(other.m_path, {})), m_procs(std::move(other.m_procs)) {}
  JobCgroup& operator=(JobCgroup&& other) noexcept;
  ~JobCgroup();

  const std::string& path() const { return m_path; }
  // Its cgroup.procs, open for writing: a process writing "0" moves itself in.
  int procs_fd() const { return m_procs.get(); }
  // The processes in it and in the cgroups below it (a nested engine's) now.
  std::vector<pid_t> pids() const;

 private:
  JobCgroup(std::string path, Fd procs) : m_path(std::move(path)), m_procs(std::move(procs)) {}
  void remove();

  std::string m_path;
  Fd m_procs;
};

// The processes in cgroup `dir` and in every cgroup below it.
std::vector<pid_t> cgroup_tree_pids(const std::string& dir);

// Kills every process in cgroup `dir` and below (cgroup.kill; SIGKILL to each on
// cgroup v1 and kernels before 5.14), waits a bounded time for them to exit, then removes the
// directories, deepest first. Best effort: what cannot be removed stays.
void remove_cgroup_tree(const std::string& dir);

// The directories of engines' cgroups under cgroup_base() whose engine `running`
// says is gone (engine_leftovers.h).
struct EngineCgroups {
  EngineIdentity engine;
  std::string dir;
};
std::vector<EngineCgroups> dead_engine_cgroups(
    const std::function<bool(const EngineIdentity&)>& running);

}  // namespace pipewright::os
