// spawn() and the Process handle. Why posix_spawn and not fork/exec: glibc's
// posix_spawn uses clone(CLONE_VFORK), reports exec and file-action failures as
// its return value, and since 2.34 has addclosefrom_np and addchdir_np, which is
// everything this needs; the pidfd comes from pidfd_open right after the spawn.
// That is race-free because the child cannot be reaped before we open it: only its
// owner reaps registered children (children.h), and an unreaped pid is not reused.
#include "pipewright/os/process.h"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/os/children.h"
#include "pipewright/os/pidfd.h"
#include "pipewright/os/subreaper.h"

namespace pipewright::os {

namespace {

constexpr int k_pipe_size = 1024 * 1024;

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
  if (program.find('/') != std::string::npos) {
    if (is_executable_file(from_child_cwd(options.cwd, program))) return program;
    return util::fail(fmt::format("cannot run '{}': no such executable file", program));
  }
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

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnAttributes {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnAttributes() {
    ::posix_spawnattr_init(&attr);
    ::posix_spawn_file_actions_init(&actions);
  }
  ~SpawnAttributes() {
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
  }
};

// Returns an errno value (0 on success), like the posix_spawn functions.
int prepare(SpawnAttributes& spawn, const SpawnOptions& options, int output_fd) {
  sigset_t empty;
  sigset_t all;
  sigemptyset(&empty);
  sigfillset(&all);
  // New group led by the child; no signal blocked; every signal at its default, so an
  // ignored SIGPIPE (signals.h) or a blocked SIGINT (run_process) is not inherited.
  short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (int rc = ::posix_spawnattr_setflags(&spawn.attr, flags)) return rc;
  if (int rc = ::posix_spawnattr_setpgroup(&spawn.attr, 0)) return rc;
  if (int rc = ::posix_spawnattr_setsigmask(&spawn.attr, &empty)) return rc;
  if (int rc = ::posix_spawnattr_setsigdefault(&spawn.attr, &all)) return rc;
  auto* actions = &spawn.actions;
  if (int rc = ::posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0)) return rc;
  if (int rc = ::posix_spawn_file_actions_adddup2(actions, output_fd, 1)) return rc;
  if (int rc = ::posix_spawn_file_actions_adddup2(actions, output_fd, 2)) return rc;
  if (!options.cwd.empty()) {
    if (int rc = ::posix_spawn_file_actions_addchdir_np(actions, options.cwd.c_str())) return rc;
  }
  // Descriptors some library opened without O_CLOEXEC must not leak either.
  return ::posix_spawn_file_actions_addclosefrom_np(actions, 3);
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

util::Expected<Process> spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return util::fail("cannot run a process: the command line is empty");
  const std::string& program = options.argv[0];
  PW_TRY(path, resolve_program(options));
  if (!options.cwd.empty()) {
    struct stat st {};
    if (::stat(options.cwd.c_str(), &st) != 0)
      return errno_failure(fmt::format("cannot run '{}' in {}", program, options.cwd));
    if (!S_ISDIR(st.st_mode))
      return util::fail(
          fmt::format("cannot run '{}' in {}: not a directory", program, options.cwd));
  }

  std::vector<std::string> env = options.env;
  if (options.scope) {
    std::erase_if(env, [](const std::string& e) {
      return e.starts_with(ProcessScope::k_tracking_variable) &&
             e.size() > ProcessScope::k_tracking_variable.size() &&
             e[ProcessScope::k_tracking_variable.size()] == '=';
    });
    env.push_back(options.scope->environment_entry());
  }
  std::vector<std::string> argv = options.argv;
  std::vector<char*> argv_c = c_strings(argv);
  std::vector<char*> env_c = c_strings(env);

  PW_TRY(pipe, make_pipe(ReadEnd::nonblocking));
  // A larger pipe (best effort; the default is 64 KiB) lets a chatty child write on
  // while we process what it wrote: fewer context switches per megabyte.
  (void)::fcntl(pipe.read.get(), F_SETPIPE_SZ, k_pipe_size);
  SpawnAttributes attributes;
  if (int rc = prepare(attributes, options, pipe.write.get()))
    return errno_failure(fmt::format("cannot run '{}'", program), rc);

  pid_t pid = -1;
  {
    auto& registry = detail::ChildRegistry::instance();
    auto lock = registry.lock();
    int rc = ::posix_spawn(&pid, path.c_str(), &attributes.actions, &attributes.attr, argv_c.data(),
                           env_c.data());
    if (rc != 0) return errno_failure(fmt::format("cannot run '{}'", program), rc);
    registry.add(pid);
  }
  pipe.write.reset();  // only the child writes; EOF when it and its heirs are done

  Fd pidfd(detail::open_pidfd(pid));
  if (!pidfd) {
    int error = errno;
    ::kill(pid, SIGKILL);
    auto& registry = detail::ChildRegistry::instance();
    auto lock = registry.lock();
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    registry.remove(pid);
    return errno_failure("pidfd_open failed (Pipewright needs Linux 5.3 or later)", error);
  }
  if (options.scope) options.scope->add_group(pid);
  return Process(pid, std::move(pidfd), std::move(pipe.read));
}

Process::Process(Process&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)),
      m_pidfd(std::move(other.m_pidfd)),
      m_output(std::move(other.m_output)),
      m_status(std::move(other.m_status)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    m_pid = std::exchange(other.m_pid, -1);
    m_pidfd = std::move(other.m_pidfd);
    m_output = std::move(other.m_output);
    m_status = std::move(other.m_status);
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
