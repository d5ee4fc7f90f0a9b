// Running one program the ninja way (STYLE.md rule 6).
//
// spawn() starts a program (clone + execve, see process.cc) into a new process group:
// stdin on /dev/null, stdout and stderr on ONE pipe (a single stream in the order the
// child wrote it), an explicit argv and environment, a working directory, every other
// descriptor closed, signals at their defaults, and a pidfd for waiting. run_process() is the wait
// loop: it streams output to a callback as it arrives, enforces a timeout, reacts to a CancelToken
// by interrupting the group (SIGINT, then SIGTERM, then SIGKILL after grace periods) and reaps the
// child with waitid(P_PIDFD), so it never races with other threads waiting for their own children.
//
// Output after the child exits: the pipe may still be held open by background
// processes it left behind (`sleep 1000 &`). We do not wait for EOF (ninja does);
// once the child is reaped we read what is already in the pipe and stop. Leftovers
// are ended by kill_leftover_descendants() (subreaper.h).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <sys/types.h>

#include "pipewright/os/cancel.h"
#include "pipewright/os/fd.h"
#include "pipewright/util/error.h"

namespace pipewright::os {

class ProcessScope;

struct SpawnOptions {
  // argv[0] is the program: a path containing '/' (relative to `cwd`), or a name
  // looked up in the PATH of `env` (not ours). Must not be empty.
  std::vector<std::string> argv;
  // The child's whole environment, KEY=VALUE. Nothing is inherited implicitly.
  std::vector<std::string> env;
  // The child's working directory; empty means ours.
  std::string cwd;
  // When set, the child carries the scope's tracking variable and its process group
  // is recorded, so that kill_leftover_descendants(scope) finds what it leaves behind.
  ProcessScope* scope = nullptr;
};

struct Exited {
  int code;
  friend bool operator==(const Exited&, const Exited&) = default;
};
struct Signaled {
  int signal;
  friend bool operator==(const Signaled&, const Signaled&) = default;
};
// How a process ended: an exit code or the signal that killed it.
using ExitStatus = std::variant<Exited, Signaled>;

// A started child process and the read end of its output pipe. Move-only. If it is
// destroyed before being reaped, its process group is killed (SIGKILL) and it is
// reaped, so no zombie outlives its owner.
class Process {
 public:
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const { return m_pid; }
  // The child leads its own group, so this equals pid().
  pid_t pgid() const { return m_pid; }
  // Readable once the child has exited.
  int pidfd() const { return m_pidfd.get(); }
  // Non-blocking read end of the child's stdout+stderr; -1 after close_output().
  int output_fd() const { return m_output.get(); }
  void close_output() { m_output.reset(); }
  // Whether the output pipe has been enlarged (run_process does it once it fills up).
  bool large_pipe() const { return m_large_pipe; }
  void set_large_pipe() { m_large_pipe = true; }
  // The exit status once reaped.
  const std::optional<ExitStatus>& status() const { return m_status; }

  // Sends `signal` to the child's process group (to the child alone when it left
  // its group). No effect once reaped. Fails with the errno text.
  util::Expected<void> signal_group(int signal) const;
  // Reaps the child if it has exited, without blocking: the status, or nullopt while
  // it runs. Fails when the status cannot be collected.
  util::Expected<std::optional<ExitStatus>> try_reap();
  // Blocks until the child exits and reaps it.
  util::Expected<ExitStatus> wait();

 private:
  friend util::Expected<Process> spawn(const SpawnOptions& options);
  Process(pid_t pid, Fd pidfd, Fd output)
      : m_pid(pid), m_pidfd(std::move(pidfd)), m_output(std::move(output)) {}
  void kill_and_reap() noexcept;

  pid_t m_pid = -1;
  Fd m_pidfd;
  Fd m_output;
  std::optional<ExitStatus> m_status;
  bool m_large_pipe = false;
};

// Starts a process as described above. Fails, naming the program, when it cannot be
// found or executed, when `cwd` is not a directory, or when a system call fails.
util::Expected<Process> spawn(const SpawnOptions& options);

enum class TerminationReason {
  exited,     // ended by itself with an exit code
  signaled,   // killed by a signal nobody here sent
  timed_out,  // RunOptions::timeout expired and we ended it
  cancelled,  // the CancelToken was triggered and we ended it (or it exited meanwhile)
};

struct ProcessResult {
  ExitStatus status;
  TerminationReason reason;

  std::optional<int> exit_code() const;
  std::optional<int> signal() const;
};

// "exited with code 2", "killed by SIGKILL (cancelled)", ...
std::string describe(const ProcessResult& result);

// How long a process gets after SIGINT before SIGTERM, and after SIGTERM before SIGKILL.
struct GracePeriods {
  std::chrono::milliseconds after_interrupt{7500};
  std::chrono::milliseconds after_terminate{2500};
};

// Receives the child's output in chunks as they arrive (at most 64 KiB each).
using OutputCallback = std::function<void(std::string_view chunk)>;

struct RunOptions {
  OutputCallback on_output;                          // empty: output is read and dropped
  std::optional<std::chrono::milliseconds> timeout;  // steady clock; nullopt: none
  const CancelToken* cancel = nullptr;               // nullptr: not cancellable
  GracePeriods grace;
};

// Waits for `process` to end while streaming its output, enforcing the timeout and
// honouring cancellation as described at the top of this file; reaps it. SIGINT,
// SIGTERM and SIGHUP are blocked in the calling thread except inside ppoll. Fails
// only when a system call fails (the process is then killed and reaped by ~Process).
util::Expected<ProcessResult> run_process(Process& process, const RunOptions& options);

// spawn() then run_process().
util::Expected<ProcessResult> run(const SpawnOptions& spawn_options, const RunOptions& run_options);

}  // namespace pipewright::os
