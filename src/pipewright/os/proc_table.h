// A snapshot of the process table from /proc, for finding leftover processes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "pipewright/util/error.h"

namespace pipewright::os {

// One process (thread-group leader) as /proc/<pid>/stat describes it.
struct ProcEntry {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  pid_t sid = 0;
  char state = '?';                   // 'R', 'S', 'Z', ...
  unsigned long long start_time = 0;  // clock ticks after boot: tells reused pids apart

  bool zombie() const { return state == 'Z' || state == 'X'; }
};

// /proc/<pid>/stat parsed; nullopt when the process is gone or the file is malformed.
std::optional<ProcEntry> read_proc_entry(pid_t pid);

// Every process in /proc (processes vanishing during the scan are skipped). Fails
// when /proc cannot be listed.
util::Expected<std::vector<ProcEntry>> list_processes();

// The value of `name` in the initial environment of `pid` (the first one, as getenv
// would). nullopt when absent or unreadable (gone, a zombie, another user's process).
std::optional<std::string> environment_variable(pid_t pid, std::string_view name);

// The processes in `table` descending from `root` (children, their children, ...),
// not including `root`.
std::vector<ProcEntry> descendants_of(const std::vector<ProcEntry>& table, pid_t root);

}  // namespace pipewright::os
