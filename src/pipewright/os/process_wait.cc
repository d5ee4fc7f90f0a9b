// run_process(): the wait loop over the output pipe, the pidfd and the cancel token.
#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <limits>
#include <memory>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pipewright/os/process.h"

namespace pipewright::os {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t k_chunk_size = 64 * 1024;
// The pipe grows to this once a read finds it full (the default is 64 KiB): a chatty
// child then writes on while we process what it wrote, with fewer context switches
// per megabyte; a quiet one never pays for it.
constexpr int k_large_pipe_size = 1024 * 1024;
// Chunks read per wake-up before polling again, so that a flood of output cannot
// delay a timeout, a cancel request or the child's exit.
constexpr int k_chunks_per_wakeup = 16;

std::unexpected<util::Error> errno_failure(std::string what) {
  return util::fail(fmt::format("{}: {}", what, std::strerror(errno)));
}

// Blocks the termination signals in this thread for its lifetime; ppoll() runs with
// the previous mask, so a handler (signals.h) can only run inside ppoll and then
// interrupts it, instead of landing between a check and the wait.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t block;
    sigemptyset(&block);
    for (int signal : {SIGINT, SIGTERM, SIGHUP})
      sigaddset(&block, signal);
    pthread_sigmask(SIG_BLOCK, &block, &m_previous);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &m_previous, nullptr); }
  const sigset_t* previous() const { return &m_previous; }

 private:
  sigset_t m_previous;
};

// The escalation ladder after a timeout or a graceful cancel: one row per step.
enum class Stage { running, interrupted, terminated, killed };
struct Rung {
  Stage stage;
  int signal;
};
constexpr std::array<Rung, 3> k_ladder = {{
    {Stage::interrupted, SIGINT},
    {Stage::terminated, SIGTERM},
    {Stage::killed, SIGKILL},
}};

class Escalation {
 public:
  Escalation(Process& process, GracePeriods grace) : m_process(process), m_grace(grace) {}

  Stage stage() const { return m_stage; }
  // When the next signal is due; nullopt when none is scheduled.
  std::optional<Clock::time_point> next_at() const {
    if (m_stage == Stage::interrupted || m_stage == Stage::terminated) return m_next_at;
    return std::nullopt;
  }
  // Starts the ladder (SIGINT) unless it is already running.
  util::Expected<void> start() {
    return m_stage == Stage::running ? advance() : util::Expected<void>{};
  }
  // Skips to SIGKILL.
  util::Expected<void> kill_now() {
    while (m_stage != Stage::killed)
      PW_TRY_VOID(advance());
    return {};
  }
  // Sends the next signal if its time has come.
  util::Expected<void> on_tick(Clock::time_point now) {
    if (auto due = next_at(); due && now >= *due) return advance();
    return {};
  }

 private:
  util::Expected<void> advance() {
    const Rung& rung = k_ladder[static_cast<size_t>(m_stage)];
    m_stage = rung.stage;
    m_next_at = Clock::now() +
                (m_stage == Stage::interrupted ? m_grace.after_interrupt : m_grace.after_terminate);
    return m_process.signal_group(rung.signal);
  }

  Process& m_process;
  GracePeriods m_grace;
  Stage m_stage = Stage::running;
  Clock::time_point m_next_at;
};

// Reads up to `max_chunks` chunks (or, with max_bytes, at most that many bytes) and
// hands them to the callback. Returns false at EOF.
util::Expected<bool> pump(Process& process, const OutputCallback& on_output, char* buffer,
                          int max_chunks, size_t max_bytes = static_cast<size_t>(-1)) {
  for (int i = 0; i < max_chunks && max_bytes > 0; ++i) {
    ssize_t n = ::read(process.output_fd(), buffer, std::min(k_chunk_size, max_bytes));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return true;
      return errno_failure(fmt::format("cannot read the output of process {}", process.pid()));
    }
    if (n == 0) return false;
    if (static_cast<size_t>(n) == k_chunk_size && !process.large_pipe()) {
      (void)::fcntl(process.output_fd(), F_SETPIPE_SZ, k_large_pipe_size);  // best effort
      process.set_large_pipe();
    }
    max_bytes -= static_cast<size_t>(n);
    if (on_output) on_output(std::string_view(buffer, static_cast<size_t>(n)));
  }
  return true;
}

// After the child is reaped: what is in the pipe now was written before it exited (or
// by leftovers meanwhile). Read that much and no more, so that a background process
// that keeps writing cannot hold us here.
util::Expected<void> drain(Process& process, const OutputCallback& on_output, char* buffer) {
  if (process.output_fd() < 0) return {};
  int available = 0;
  if (::ioctl(process.output_fd(), FIONREAD, &available) != 0)
    return errno_failure("cannot query the output pipe");
  if (available > 0) {
    PW_TRY_VOID(pump(process, on_output, buffer, std::numeric_limits<int>::max(),
                     static_cast<size_t>(available)));
  }
  process.close_output();
  return {};
}

timespec to_timespec(Clock::duration d) {
  if (d < Clock::duration::zero()) d = Clock::duration::zero();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(d);
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(d - secs);
  return timespec{static_cast<time_t>(secs.count()), static_cast<long>(nanos.count())};
}

}  // namespace

util::Expected<ProcessResult> run_process(Process& process, const RunOptions& options) {
  SignalBlock block;
  const std::optional<Clock::time_point> deadline =
      options.timeout ? std::optional(Clock::now() + *options.timeout) : std::nullopt;
  Escalation escalation(process, options.grace);
  std::optional<TerminationReason> ended_by;  // set when we decide to end it
  CancelLevel seen = CancelLevel::none;
  std::unique_ptr<char[]> buffer(new char[k_chunk_size]);

  for (;;) {
    // Cancellation: the first request interrupts, a second one kills.
    if (options.cancel && options.cancel->level() > seen) {
      seen = options.cancel->level();
      if (!ended_by) ended_by = TerminationReason::cancelled;
      PW_TRY_VOID(seen == CancelLevel::immediate ? escalation.kill_now() : escalation.start());
    }
    // Timeout, then the ladder's own deadlines.
    Clock::time_point now = Clock::now();
    if (deadline && !ended_by && now >= *deadline) {
      ended_by = TerminationReason::timed_out;
      PW_TRY_VOID(escalation.start());
    }
    PW_TRY_VOID(escalation.on_tick(now));

    // Wait for output, exit, a cancel request or the next deadline.
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    fds[count++] = {process.pidfd(), POLLIN, 0};
    const nfds_t output_index = process.output_fd() >= 0 ? count : 3;
    if (process.output_fd() >= 0) fds[count++] = {process.output_fd(), POLLIN, 0};
    if (options.cancel && seen != CancelLevel::immediate) {
      auto next = seen == CancelLevel::none ? CancelLevel::graceful : CancelLevel::immediate;
      fds[count++] = {options.cancel->fd_for(next), POLLIN, 0};
    }
    std::optional<Clock::time_point> wake = escalation.next_at();
    if (deadline && !ended_by && (!wake || *deadline < *wake)) wake = deadline;
    timespec timeout{};
    if (wake) timeout = to_timespec(*wake - Clock::now());
    if (::ppoll(fds.data(), count, wake ? &timeout : nullptr, block.previous()) < 0) {
      if (errno == EINTR) continue;
      return errno_failure(fmt::format("cannot wait for process {}", process.pid()));
    }

    if (output_index < count && fds[output_index].revents != 0) {
      PW_TRY(open, pump(process, options.on_output, buffer.get(), k_chunks_per_wakeup));
      if (!open) process.close_output();
    }
    if (fds[0].revents != 0) {
      PW_TRY(status, process.try_reap());
      if (!status) continue;  // cannot happen once the pidfd is readable; poll again
      PW_TRY_VOID(drain(process, options.on_output, buffer.get()));
      bool by_signal = std::holds_alternative<Signaled>(*status);
      TerminationReason reason =
          ended_by.value_or(by_signal ? TerminationReason::signaled : TerminationReason::exited);
      return ProcessResult{*status, reason};
    }
  }
}

}  // namespace pipewright::os
