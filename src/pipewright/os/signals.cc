#include "pipewright/os/signals.h"

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pipewright::os {

namespace {

// The token the handler triggers; null when no handlers are installed.
std::atomic<const CancelToken*> g_token{nullptr};
static_assert(std::atomic<const CancelToken*>::is_always_lock_free);

// Async-signal-safe: an atomic load and CancelToken::request_cancel().
extern "C" void on_cancel_signal(int) {
  if (const CancelToken* token = g_token.load()) token->request_cancel();
}

util::Expected<void> set_action(int signal, void (*handler)(int), struct sigaction* previous) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(signal, &action, previous) != 0)
    return util::fail(fmt::format("cannot install a handler for {}: {}", ::sigabbrev_np(signal),
                                  std::strerror(errno)));
  return {};
}

}  // namespace

util::Expected<CancelSignalHandlers> CancelSignalHandlers::install(const CancelToken& token) {
  const CancelToken* expected = nullptr;
  if (!g_token.compare_exchange_strong(expected, &token))
    return util::fail("signal handlers for cancellation are already installed");
  CancelSignalHandlers handlers;
  handlers.m_active = true;  // from here on, the destructor restores what was set
  struct sigaction child {};
  if (::sigaction(SIGCHLD, nullptr, &child) == 0 && child.sa_handler == SIG_IGN)
    ::signal(SIGCHLD, SIG_DFL);
  PW_TRY_VOID(set_action(SIGPIPE, SIG_IGN, &handlers.m_previous_pipe));
  PW_TRY_VOID(set_action(SIGINT, on_cancel_signal, &handlers.m_previous_int));
  PW_TRY_VOID(set_action(SIGTERM, on_cancel_signal, &handlers.m_previous_term));
  return handlers;
}

CancelSignalHandlers::CancelSignalHandlers(CancelSignalHandlers&& other) noexcept
    : m_active(std::exchange(other.m_active, false)),
      m_previous_int(other.m_previous_int),
      m_previous_term(other.m_previous_term),
      m_previous_pipe(other.m_previous_pipe) {}

CancelSignalHandlers::~CancelSignalHandlers() {
  restore();
}

void CancelSignalHandlers::restore() noexcept {
  if (!m_active) return;
  m_active = false;
  ::sigaction(SIGINT, &m_previous_int, nullptr);
  ::sigaction(SIGTERM, &m_previous_term, nullptr);
  ::sigaction(SIGPIPE, &m_previous_pipe, nullptr);
  g_token.store(nullptr);
}

}  // namespace pipewright::os
