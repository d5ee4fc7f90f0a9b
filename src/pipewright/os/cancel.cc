#include "pipewright/os/cancel.h"

#include <cerrno>
#include <cstdint>

#include <unistd.h>

namespace pipewright::os {

namespace {
// Async-signal-safe: only write(2), errno saved and restored.
void signal_fd(int fd) {
  int saved_errno = errno;
  uint64_t one = 1;
  // Writing 1 to an eventfd fails only when the counter would overflow; each fd gets
  // at most two writes.
  [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof one);
  errno = saved_errno;
}
}  // namespace

util::Expected<CancelToken> CancelToken::create() {
  PW_TRY(graceful, make_eventfd());
  PW_TRY(immediate, make_eventfd());
  return CancelToken(std::move(graceful), std::move(immediate));
}

CancelToken::CancelToken(CancelToken&& other) noexcept
    : m_level(other.m_level.load()),
      m_graceful(std::move(other.m_graceful)),
      m_immediate(std::move(other.m_immediate)) {}

void CancelToken::request_cancel() const {
  int current = m_level.load();
  while (current < 2 && !m_level.compare_exchange_weak(current, current + 1)) {
  }
  if (current < 2) raise_to(current + 1);
}

void CancelToken::request_kill() const {
  int previous = m_level.exchange(2);
  if (previous < 2) raise_to(2);
}

void CancelToken::raise_to(int level) const {
  // "immediate" implies "graceful": waits that have not yet seen the first request
  // poll only the graceful fd.
  signal_fd(m_graceful.get());
  if (level >= 2) signal_fd(m_immediate.get());
}

int CancelToken::fd_for(CancelLevel level) const {
  return level == CancelLevel::immediate ? m_immediate.get() : m_graceful.get();
}

}  // namespace pipewright::os
