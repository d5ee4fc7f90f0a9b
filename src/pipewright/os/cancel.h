// Cancellation that a signal handler can trigger and any number of waits observe.
//
// A CancelToken has a level: none → graceful (the first request: interrupt, then
// escalate over grace periods) → immediate (a second request: kill at once). Each
// level has its own eventfd that is written once and never read, so it stays
// readable for ever: every ppoll() that includes it wakes up, however many waits
// share the token, and a wait that already saw "graceful" polls only the
// "immediate" fd to learn of the second request without spinning.
#pragma once

#include <atomic>

#include "pipewright/os/fd.h"
#include "pipewright/util/error.h"

namespace pipewright::os {

enum class CancelLevel { none = 0, graceful = 1, immediate = 2 };

class CancelToken {
 public:
  // Creates the two eventfds. Fails with the errno text.
  static util::Expected<CancelToken> create();

  CancelToken(CancelToken&& other) noexcept;
  CancelToken& operator=(CancelToken&&) = delete;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Raises the level by one (none → graceful → immediate; stays at immediate).
  // Thread-safe and async-signal-safe (a lock-free atomic and write(2)); preserves errno.
  void request_cancel() const;
  // Raises the level straight to immediate. Same guarantees as request_cancel().
  void request_kill() const;

  CancelLevel level() const { return static_cast<CancelLevel>(m_level.load()); }
  bool cancelled() const { return level() != CancelLevel::none; }

  // Readable once the level is at least `level` (graceful or immediate); never read
  // from it. Valid for the token's lifetime.
  int fd_for(CancelLevel level) const;

 private:
  CancelToken(Fd graceful, Fd immediate)
      : m_graceful(std::move(graceful)), m_immediate(std::move(immediate)) {}
  void raise_to(int level) const;

  static_assert(std::atomic<int>::is_always_lock_free);
  mutable std::atomic<int> m_level{0};
  Fd m_graceful;
  Fd m_immediate;
};

}  // namespace pipewright::os
