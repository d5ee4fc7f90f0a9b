// spawn() and the Process handle. The child is started the way glibc's posix_spawn
// does it, by hand: clone(CLONE_VM | CLONE_VFORK) onto a small stack, so nothing is
// copied and we resume once it has exec'd, with its exec or setup error (if any)
// left in memory we share. Doing it ourselves makes a start about 15 % cheaper
// (145 → 125 µs here): posix_spawn resets all 64 signals one by one and maps a fresh
// stack each time; we reset the 29 standard ones (the only ones Pipewright and its
// libraries handle or ignore) and use a buffer on our own stack. CLONE_PIDFD gives the
// pidfd at once.
#include "pipewright/os/process.h"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/os/children.h"
#include "pipewright/os/pidfd.h"
#include "pipewright/os/subreaper.h"

namespace pipewright::os {

namespace {

std::unexpected<util::Error> errno_failure(std::string what, int error = errno) {
  return util::fail(fmt::format("{}: {}", what, std::strerror(error)));
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string_view env_value(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& entry : env) {
    if (entry.size() > key.size() && entry.starts_with(key) && entry[key.size()] == '=')
      return std::string_view(entry).substr(key.size() + 1);
  }
  return {};
}

// A path relative to the child's working directory, seen from ours.
std::string from_child_cwd(const std::string& cwd, const std::string& path) {
  if (cwd.empty() || path.starts_with('/')) return path;
  return cwd + "/" + path;
}

// The path to execute for argv[0], resolved the way execvp would in the child:
// a name without '/' is looked up in the PATH of the child's environment.
util::Expected<std::string> resolve_program(const SpawnOptions& options) {
  const std::string& program = options.argv[0];
  if (program.empty()) return util::fail("cannot run a process: the program name is empty");
  // A path is the child's to open (relative to its working directory); execve says
  // what is wrong with it.
  if (program.find('/') != std::string::npos) return program;
  std::string_view path = env_value(options.env, "PATH");
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find(':', start);
    if (end == std::string_view::npos) end = path.size();
    std::string dir(path.substr(start, end - start));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (is_executable_file(from_child_cwd(options.cwd, candidate))) return candidate;
    start = end + 1;
  }
  return util::fail(fmt::format("cannot run '{}': program not found in PATH", program), {},
                    path.empty() ? "the environment given to the process has no PATH"
                                 : fmt::format("PATH is {}", path));
}

// Everything the child needs, prepared by the parent: the child must not allocate.
struct ChildSetup {
  const char* path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* cwd = nullptr;  // nullptr: ours
  int output_fd = -1;         // >= 3
  int cgroup_fd = -1;         // cgroup.procs to move into (subreaper.h), or -1
  // Set by the child when it cannot exec (memory we share): errno, and what failed.
  int error = 0;
  enum class Stage { setup, chdir, exec } failed = Stage::setup;
};

#define PW_CHILD_CODE __attribute__((no_sanitize("address", "undefined")))

// Leaves the reason for the parent and ends the child.
[[noreturn]] PW_CHILD_CODE void child_fail(ChildSetup* setup,
                                           ChildSetup::Stage stage = ChildSetup::Stage::setup) {
  setup->error = errno;
  setup->failed = stage;
  for (;;)
    ::syscall(SYS_exit_group, 127);
}

// The child of clone(CLONE_VM | CLONE_VFORK): our memory, its own stack, and every
// signal blocked until just before execve. Raw system calls only (no allocation, no
// libc state, no sanitizer interceptors): it runs inside our address space.
PW_CHILD_CODE int child_main(void* arg) {
  auto* setup = static_cast<ChildSetup*>(arg);
  // Into the job's cgroup first, so that all it starts is there too. Best effort: a
  // host that refuses leaves the other ways of finding leftovers.
  if (setup->cgroup_fd >= 0) ::syscall(SYS_write, setup->cgroup_fd, "0", 1);
  // Our handlers must not run here (they would run on our memory), and what we ignore
  // (SIGPIPE) or inherited as ignored must not be inherited by the step. Dispositions
  // of real-time signals are kept: neither Pipewright nor its libraries touch them.
  struct KernelSigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    unsigned long mask;
  } dfl{SIG_DFL, 0, nullptr, 0};
  for (int sig = 1; sig < 32; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof dfl.mask) != 0) child_fail(setup);
  }
  if (::syscall(SYS_setpgid, 0, 0) != 0) child_fail(setup);
  // stdin on /dev/null; stdout and stderr on the pipe (dup2 clears close-on-exec).
  int null_fd = static_cast<int>(::syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY));
  if (null_fd < 0) child_fail(setup);
  if (null_fd != 0) {
    if (::syscall(SYS_dup2, null_fd, 0) < 0) child_fail(setup);
    ::syscall(SYS_close, null_fd);
  }
  if (::syscall(SYS_dup2, setup->output_fd, 1) < 0) child_fail(setup);
  if (::syscall(SYS_dup2, setup->output_fd, 2) < 0) child_fail(setup);
  if (setup->cwd && ::syscall(SYS_chdir, setup->cwd) != 0)
    child_fail(setup, ChildSetup::Stage::chdir);
  // Descriptors some library opened without O_CLOEXEC must not leak either.
  if (::syscall(SYS_close_range, 3, ~0U, 0) != 0) {  // before Linux 5.9
    rlimit limit{};
    ::syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, nullptr, &limit);
    rlim_t end =
        limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > (1 << 20) ? (1 << 20) : limit.rlim_cur;
    for (rlim_t fd = 3; fd < end; ++fd)
      ::syscall(SYS_close, fd);
  }
  unsigned long none = 0;
  if (::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, sizeof none) != 0)
    child_fail(setup);
  ::syscall(SYS_execve, setup->path, setup->argv, setup->envp);
  child_fail(setup, ChildSetup::Stage::exec);
}
#undef PW_CHILD_CODE

// Starts the child (registered with the child registry by the caller, under its lock).
// Returns its pid and pidfd, or an errno value: the child's when it could not exec.
struct Started {
  pid_t pid = -1;
  int pidfd = -1;
  int error = 0;
};
Started start_child(ChildSetup& setup) {
  // The child runs on this buffer while we wait: vfork semantics keep us off it.
  alignas(64) char stack[16 * 1024];
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  Started started;
  started.pid = ::clone(child_main, stack + sizeof stack,
                        CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &setup, &started.pidfd);
  int clone_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (started.pid < 0) {
    started.error = clone_error;
    return started;
  }
  if (setup.error != 0) {  // it exited with 127 before exec: reap it, report why
    started.error = setup.error;
    while (::waitpid(started.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    ::close(started.pidfd);
    started.pid = -1;
    started.pidfd = -1;
  }
  return started;
}

// argv-style: pointers into `strings`, then nullptr. execve does not write through them.
std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings)
    out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

util::Expected<Process> spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return util::fail("cannot run a process: the command line is empty");
  const std::string& program = options.argv[0];
  PW_TRY(path, resolve_program(options));

  // The child's argv and environment point into `options` (execve copies them).
  std::vector<char*> argv_c = c_strings(options.argv);
  std::vector<char*> env_c;
  env_c.reserve(options.env.size() + 2);
  std::string tracking;
  for (const std::string& entry : options.env) {
    bool is_tracking = entry.starts_with(ProcessScope::k_tracking_variable) &&
                       entry.size() > ProcessScope::k_tracking_variable.size() &&
                       entry[ProcessScope::k_tracking_variable.size()] == '=';
    if (!(options.scope && is_tracking)) env_c.push_back(const_cast<char*>(entry.c_str()));
  }
  if (options.scope) {
    tracking = options.scope->environment_entry();
    env_c.push_back(tracking.data());
  }
  env_c.push_back(nullptr);

  PW_TRY(pipe, make_pipe(ReadEnd::nonblocking));
  // With our stdin or stdout closed the pipe could sit on 0-2, where the child's
  // dup2 calls would clobber it.
  if (pipe.write.get() <= 2) {
    Fd moved(::fcntl(pipe.write.get(), F_DUPFD_CLOEXEC, 3));
    if (!moved) return errno_failure(fmt::format("cannot run '{}'", program));
    pipe.write = std::move(moved);
  }

  ChildSetup setup;
  setup.path = path.c_str();
  setup.argv = argv_c.data();
  setup.envp = env_c.data();
  setup.cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  setup.output_fd = pipe.write.get();
  if (options.scope) setup.cgroup_fd = options.scope->cgroup_procs_fd();
  Started started;
  {
    // Registered before anyone could reap it: only its owner reaps it (children.h).
    auto& registry = detail::ChildRegistry::instance();
    auto lock = registry.lock();
    started = start_child(setup);
    if (started.pid > 0) registry.add(started.pid);
  }
  if (started.pid < 0) {
    if (started.error == ENOSYS || started.error == EINVAL)
      return errno_failure("cannot start a process (Pipewright needs Linux 5.3 or later)",
                           started.error);
    if (setup.failed == ChildSetup::Stage::chdir)
      return errno_failure(fmt::format("cannot run '{}' in {}", program, options.cwd),
                           started.error);
    return errno_failure(fmt::format("cannot run '{}'", program), started.error);
  }
  pipe.write.reset();  // only the child writes; EOF when it and its heirs are done

  if (options.scope) options.scope->add_group(started.pid);
  return Process(started.pid, Fd(started.pidfd), std::move(pipe.read));
}

Process::Process(Process&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)),
      m_pidfd(std::move(other.m_pidfd)),
      m_output(std::move(other.m_output)),
      m_status(std::move(other.m_status)),
      m_large_pipe(other.m_large_pipe) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    m_pid = std::exchange(other.m_pid, -1);
    m_pidfd = std::move(other.m_pidfd);
    m_output = std::move(other.m_output);
    m_status = std::move(other.m_status);
    m_large_pipe = other.m_large_pipe;
  }
  return *this;
}

Process::~Process() {
  kill_and_reap();
}

void Process::kill_and_reap() noexcept {
  if (m_pid <= 0 || m_status) return;
  (void)signal_group(SIGKILL);
  (void)wait();
}

util::Expected<void> Process::signal_group(int signal) const {
  if (m_pid <= 0 || m_status) return {};
  if (::kill(-m_pid, signal) == 0) return {};
  // ESRCH: the group is empty because the child moved to another group or session;
  // signal the child itself (through the pidfd, which cannot name another process).
  if (errno == ESRCH && detail::send_signal(m_pidfd.get(), signal) == 0) return {};
  if (errno == ESRCH) return {};  // already gone
  return errno_failure(fmt::format("cannot signal process group {}", m_pid));
}

util::Expected<std::optional<ExitStatus>> Process::try_reap() {
  if (m_status) return m_status;
  if (m_pid <= 0) return util::fail("no process to reap");
  auto& registry = detail::ChildRegistry::instance();
  auto lock = registry.lock();
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(m_pidfd.get()), &info,
                  WEXITED | WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return errno_failure(fmt::format("cannot reap process {}", m_pid));
  if (info.si_pid == 0) return std::optional<ExitStatus>();
  registry.remove(m_pid);
  if (info.si_code == CLD_EXITED)
    m_status = Exited{info.si_status};
  else
    m_status = Signaled{info.si_status};
  return m_status;
}

util::Expected<ExitStatus> Process::wait() {
  for (;;) {
    PW_TRY(status, try_reap());
    if (status) return *status;
    pollfd pfd{m_pidfd.get(), POLLIN, 0};
    if (::poll(&pfd, 1, -1) < 0 && errno != EINTR)
      return errno_failure(fmt::format("cannot wait for process {}", m_pid));
  }
}

std::optional<int> ProcessResult::exit_code() const {
  if (auto* exited = std::get_if<Exited>(&status)) return exited->code;
  return std::nullopt;
}

std::optional<int> ProcessResult::signal() const {
  if (auto* signaled = std::get_if<Signaled>(&status)) return signaled->signal;
  return std::nullopt;
}

std::string describe(const ProcessResult& result) {
  static constexpr const char* k_reasons[] = {"", "", " (timed out)", " (cancelled)"};
  const char* reason = k_reasons[static_cast<int>(result.reason)];
  if (auto code = result.exit_code()) return fmt::format("exited with code {}{}", *code, reason);
  int signal = *result.signal();
  const char* name = ::sigabbrev_np(signal);
  return name ? fmt::format("killed by SIG{}{}", name, reason)
              : fmt::format("killed by signal {}{}", signal, reason);
}

util::Expected<ProcessResult> run(const SpawnOptions& spawn_options,
                                  const RunOptions& run_options) {
  PW_TRY(process, spawn(spawn_options));
  return run_process(process, run_options);
}

}  // namespace pipewright::os
