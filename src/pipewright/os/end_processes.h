// Ending a changing set of processes, race-aware: the shared loop behind
// kill_leftover_descendants() (a job's leftovers) and end_dead_engine_leftovers()
// (what crashed engines left running). Each target is opened with pidfd_open and its
// start time re-checked (a recycled pid is skipped), signals go through the pidfd,
// and the scan repeats until it finds nothing alive (a process that forks while we
// kill it leaves children that the next round finds).
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "pipewright/os/proc_table.h"
#include "pipewright/util/error.h"

namespace pipewright::os::detail {

// Lists the processes to end as they are now (zombies included).
using ProcessScan = std::function<util::Expected<std::vector<ProcEntry>>()>;

struct Ended {
  std::vector<pid_t> found;  // every live process a scan returned, in the order found
  size_t needed_kill = 0;    // how many of them ignored SIGTERM and got SIGKILL
  size_t reaped = 0;         // zombies among them that were our unowned children, reaped
};

// Reaps `pid` if it is a zombie child of ours that no Process owns; whether it did.
bool reap_if_orphan(pid_t pid);

// SIGTERM (and SIGCONT) to what `scan` lists, up to `grace` for it to exit, then
// SIGKILL rounds, rescanning each time, until a scan lists nothing alive. Zombies
// listed that are our children and that no Process owns are reaped (children.h).
// Returns at once when the first scan lists nothing. Fails when a scan fails.
util::Expected<Ended> end_processes(const ProcessScan& scan, std::chrono::milliseconds grace);

}  // namespace pipewright::os::detail
