// `concurrency:` groups, as GitHub runs them (gha-spec.md §12): per group at most one
// holder running and one request pending; a newer request cancels and replaces the
// pending one; with `cancel-in-progress` the running holder is asked to cancel too;
// `queue: max` keeps up to 100 pending requests in arrival order and cancels any
// further ones. Group names compare ignoring case (expr's casefold).
//
// One ConcurrencyGroups per process, shared by every run in it (the workflows of one
// `pipewright run`, every run of the server); each scheduler also keeps one for its
// jobs when none is shared. Requests are tickets polled by their owner (the scheduler
// loop polls anyway), so no callback ever runs under the groups' lock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "pipewright/expr/evaluator.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/model.h"

namespace pipewright::exec {

enum class QueueMode { single, max };

// GitHub's limit of pending requests per group with `queue: max`.
inline constexpr size_t k_max_pending_per_group = 100;

struct ConcurrencyRequest {
  std::string group;  // evaluated; its case is kept for messages
  bool cancel_in_progress = false;
  QueueMode queue = QueueMode::single;
  // How others waiting on the group name this holder: "run 12 (CI)", "job 'deploy' of run 12".
  std::string holder;
};

enum class TicketState { pending, running, cancelled };

struct TicketStatus {
  TicketState state = TicketState::cancelled;
  // Running, and a newer request with cancel-in-progress wants it to end.
  bool cancel_requested = false;
  // Pending: why it waits, naming the holder. Cancelled or cancel_requested: GitHub's
  // message ("Canceling since a higher priority waiting request for 'g' exists").
  std::string reason;
  size_t position = 0;  // pending: 1 = next to run
};

class ConcurrencyGroups;

// A request in a group, left when destroyed (move-only). An empty ticket (no group)
// is always running.
class ConcurrencyTicket {
 public:
  ConcurrencyTicket() = default;
  ConcurrencyTicket(ConcurrencyTicket&& other) noexcept { *this = std::move(other); }
  ConcurrencyTicket& operator=(ConcurrencyTicket&& other) noexcept;
  ConcurrencyTicket(const ConcurrencyTicket&) = delete;
  ConcurrencyTicket& operator=(const ConcurrencyTicket&) = delete;
  ~ConcurrencyTicket() { release(); }

  bool empty() const { return m_groups == nullptr; }
  TicketStatus status() const;
  // Blocks until the ticket runs or is cancelled, or `stop()` (polled) says to give
  // up; `changed` sees every new pending reason. Returns the last status.
  TicketStatus wait(const std::function<bool()>& stop,
                    const std::function<void(const TicketStatus&)>& changed) const;
  // Leaves the group (the next pending request may run). Idempotent.
  void release();

 private:
  friend class ConcurrencyGroups;
  ConcurrencyTicket(ConcurrencyGroups* groups, uint64_t id) : m_groups(groups), m_id(id) {}
  ConcurrencyGroups* m_groups = nullptr;
  uint64_t m_id = 0;
};

class ConcurrencyGroups {
 public:
  // Adds `request` to its group: running at once when the group is free, else pending
  // (cancelling what GitHub cancels). Never fails; a refused request is a cancelled ticket.
  ConcurrencyTicket enter(const ConcurrencyRequest& request);

  // Requests pending now in `group` (ignoring case); for tests and the API.
  size_t pending(std::string_view group) const;

 private:
  friend class ConcurrencyTicket;
  struct Entry {
    std::string key;  // the upper-cased group
    std::string group;
    std::string holder;
    TicketState state = TicketState::pending;
    bool cancel_requested = false;
    std::string reason;
  };
  struct Group {
    uint64_t running = 0;  // 0 = none
    std::deque<uint64_t> pending;
  };

  TicketStatus status(uint64_t id) const;
  TicketStatus wait(uint64_t id, const std::function<bool()>& stop,
                    const std::function<void(const TicketStatus&)>& changed) const;
  void leave(uint64_t id);
  TicketStatus status_locked(uint64_t id) const;

  mutable std::mutex m_mutex;
  mutable std::condition_variable m_cv;
  std::map<uint64_t, Entry> m_entries;
  std::map<std::string, Group> m_groups;
  uint64_t m_next = 1;
};

// GitHub's message for a request cancelled by a newer one in `group`.
std::string superseded_message(std::string_view group);

// Evaluates `concurrency` (group and cancel-in-progress) in `ctx` into a request named
// `holder`. An empty group means no group (std::nullopt). Fails, at the key's location,
// when an expression fails or `queue: max` meets a true cancel-in-progress.
util::Expected<std::optional<ConcurrencyRequest>> evaluate_concurrency(
    const workflow::Concurrency& concurrency, const expr::EvalContext& ctx, std::string holder);

}  // namespace pipewright::exec
