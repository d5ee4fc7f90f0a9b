// Which children of this process os::spawn started and their owners will reap.
//
// Internal to os/. Reaping an arbitrary zombie child (waitpid(-1)) would steal the
// exit status of a step another thread waits for with waitid(P_PIDFD). So spawn()
// registers each child under the registry lock, together with posix_spawn itself,
// and the owner reaps and unregisters it under the same lock; reap_orphans() and
// kill_leftover_descendants() reap only zombie children that are NOT registered,
// i.e. processes reparented to us (we are a child subreaper), while holding it.
#pragma once

#include <mutex>
#include <unordered_set>

#include <sys/types.h>

namespace pipewright::os::detail {

class ChildRegistry {
 public:
  // The process-wide registry.
  static ChildRegistry& instance();

  // The lock every spawn, reap and registry query holds.
  std::unique_lock<std::mutex> lock() { return std::unique_lock(m_mutex); }

  // These require the lock to be held by the caller.
  void add(pid_t pid);
  void remove(pid_t pid);
  bool contains(pid_t pid) const;

 private:
  std::mutex m_mutex;
  std::unordered_set<pid_t> m_pids;
};

}  // namespace pipewright::os::detail
