// Process-wide signal dispositions for the engine: SIGINT and SIGTERM cancel through
// a CancelToken (the first gracefully, the second at once), SIGPIPE is ignored (a
// closed pipe is an EPIPE error where it happens, not a dead engine), and SIGCHLD
// is at its default so that children stay waitable even when the engine was started
// with it ignored.
#pragma once

#include <csignal>

#include "pipewright/os/cancel.h"
#include "pipewright/util/error.h"

namespace pipewright::os {

// Installed handlers; restores the previous dispositions when destroyed. At most one
// instance exists at a time. Move-only.
class CancelSignalHandlers {
 public:
  // Installs the handlers described above; each SIGINT or SIGTERM calls
  // token.request_cancel(). `token` must outlive the returned object. Fails when
  // handlers are already installed or sigaction fails.
  static util::Expected<CancelSignalHandlers> install(const CancelToken& token);

  CancelSignalHandlers(CancelSignalHandlers&& other) noexcept;
  CancelSignalHandlers& operator=(CancelSignalHandlers&&) = delete;
  CancelSignalHandlers(const CancelSignalHandlers&) = delete;
  CancelSignalHandlers& operator=(const CancelSignalHandlers&) = delete;
  ~CancelSignalHandlers();

 private:
  CancelSignalHandlers() = default;
  void restore() noexcept;

  bool m_active = false;
  struct sigaction m_previous_int {};
  struct sigaction m_previous_term {};
  struct sigaction m_previous_pipe {};
};

}  // namespace pipewright::os
