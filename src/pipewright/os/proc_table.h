// A snapshot of the process table from /proc, for finding leftover processes.
//
// Our own descendants are listed by walking /proc/<pid>/task/<tid>/children from our
// pid down (CONFIG_PROC_CHILDREN): that reads only our subtree, where scanning every
// /proc/<pid>/stat costs a read per process on the machine. Every thread's file is
// read, since a child belongs to the thread that forked it (an orphan reparented to
// us, to one of our threads). On kernels without these files the listings fall
// back to the full scan.
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
  long num_threads = 1;               // each thread has its own children file

  bool zombie() const { return state == 'Z' || state == 'X'; }
};

// /proc/<pid>/stat parsed; nullopt when the process is gone or the file is malformed.
std::optional<ProcEntry> read_proc_entry(pid_t pid);

// Every process in /proc (processes vanishing during the scan are skipped). Fails
// when /proc cannot be listed.
util::Expected<std::vector<ProcEntry>> list_processes();

// The pid of every process in /proc, read from the directory alone. Fails when
// /proc cannot be listed.
util::Expected<std::vector<pid_t>> list_pids();

// The value of `name` in the initial environment of `pid` (the first one, as getenv
// would). nullopt when absent or unreadable (gone, a zombie, another user's process).
std::optional<std::string> environment_variable(pid_t pid, std::string_view name);

// The name of `pid`'s program (/proc/<pid>/comm: at most 15 bytes, never its
// arguments, which may hold secrets); "" when it is gone.
std::string process_name(pid_t pid);

// Where the listings of our own processes below come from.
enum class ProcListing {
  children_files,  // /proc/<pid>/task/<tid>/children, from our pid down
  full_scan,       // list_processes() (kernels without CONFIG_PROC_CHILDREN)
};

// children_files when this kernel has them, else full_scan; decided once per process.
ProcListing proc_listing();

// Every process descending from this one (children, their children, ...), zombies
// included, not this one itself. Processes vanishing during the walk are skipped; when
// we are a subreaper, an orphan reparented to us while the walk runs is still found.
// Fails when /proc cannot be read.
util::Expected<std::vector<ProcEntry>> list_own_descendants();

// This process's children (zombies included). Fails when /proc cannot be read.
util::Expected<std::vector<ProcEntry>> list_own_children();

// The processes in `table` descending from `root` (children, their children, ...),
// not including `root`.
std::vector<ProcEntry> descendants_of(const std::vector<ProcEntry>& table, pid_t root);

namespace detail {
// Test-only: makes proc_listing() return `listing`; nullopt restores the kernel's.
void force_proc_listing(std::optional<ProcListing> listing);
}  // namespace detail

}  // namespace pipewright::os
