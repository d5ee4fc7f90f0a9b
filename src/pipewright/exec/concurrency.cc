#include "pipewright/exec/concurrency.h"

#include <algorithm>
#include <chrono>

#include "pipewright/expr/casefold.h"

namespace pipewright::exec {

ConcurrencyTicket& ConcurrencyTicket::operator=(ConcurrencyTicket&& other) noexcept {
  if (this == &other) return *this;
  release();
  m_groups = std::exchange(other.m_groups, nullptr);
  m_id = std::exchange(other.m_id, 0);
  return *this;
}

TicketStatus ConcurrencyTicket::status() const {
  if (!m_groups) return TicketStatus{TicketState::running, false, "", 0};
  return m_groups->status(m_id);
}

TicketStatus ConcurrencyTicket::wait(
    const std::function<bool()>& stop,
    const std::function<void(const TicketStatus&)>& changed) const {
  if (!m_groups) return status();
  return m_groups->wait(m_id, stop, changed);
}

void ConcurrencyTicket::release() {
  if (!m_groups) return;
  std::exchange(m_groups, nullptr)->leave(m_id);
}

std::string superseded_message(std::string_view group) {
  return "Canceling since a higher priority waiting request for '" + std::string(group) +
         "' exists";
}

namespace {

std::string queue_full_message(std::string_view group) {
  return "Canceling since the concurrency group '" + std::string(group) + "' already has " +
         std::to_string(k_max_pending_per_group) + " pending requests (queue: max)";
}

}  // namespace

ConcurrencyTicket ConcurrencyGroups::enter(const ConcurrencyRequest& request) {
  std::lock_guard lock(m_mutex);
  uint64_t id = m_next++;
  Entry& entry = m_entries[id];
  entry.key = expr::to_upper(request.group);
  entry.group = request.group;
  entry.holder = request.holder;
  Group& group = m_groups[entry.key];
  if (group.running == 0 && group.pending.empty()) {
    entry.state = TicketState::running;
    group.running = id;
  } else {
    if (request.cancel_in_progress && group.running != 0) {
      Entry& running = m_entries.at(group.running);
      running.cancel_requested = true;
      running.reason = superseded_message(running.group);
    }
    if (request.queue == QueueMode::single) {
      for (uint64_t older : group.pending) {
        Entry& replaced = m_entries.at(older);
        replaced.state = TicketState::cancelled;
        replaced.reason = superseded_message(replaced.group);
      }
      group.pending.clear();
    }
    if (group.pending.size() >= k_max_pending_per_group) {
      entry.state = TicketState::cancelled;
      entry.reason = queue_full_message(request.group);
    } else {
      group.pending.push_back(id);
    }
  }
  m_cv.notify_all();
  return ConcurrencyTicket(this, id);
}

size_t ConcurrencyGroups::pending(std::string_view group) const {
  std::lock_guard lock(m_mutex);
  auto found = m_groups.find(expr::to_upper(group));
  return found == m_groups.end() ? 0 : found->second.pending.size();
}

TicketStatus ConcurrencyGroups::status(uint64_t id) const {
  std::lock_guard lock(m_mutex);
  return status_locked(id);
}

TicketStatus ConcurrencyGroups::status_locked(uint64_t id) const {
  TicketStatus status;
  auto found = m_entries.find(id);
  if (found == m_entries.end()) return status;  // left: nothing to run any more
  const Entry& entry = found->second;
  status.state = entry.state;
  status.cancel_requested = entry.cancel_requested;
  status.reason = entry.reason;
  if (entry.state != TicketState::pending) return status;
  const Group& group = m_groups.at(entry.key);
  auto at = std::ranges::find(group.pending, id);
  status.position = static_cast<size_t>(at - group.pending.begin()) + 1;
  std::string holder =
      group.running != 0 ? m_entries.at(group.running).holder : std::string("another request");
  status.reason = "waiting for concurrency group '" + entry.group + "', held by " + holder;
  if (group.pending.size() > 1)
    status.reason += " (position " + std::to_string(status.position) + " of " +
                     std::to_string(group.pending.size()) + " in its queue)";
  return status;
}

TicketStatus ConcurrencyGroups::wait(
    uint64_t id, const std::function<bool()>& stop,
    const std::function<void(const TicketStatus&)>& changed) const {
  std::unique_lock lock(m_mutex);
  std::string reported;
  while (true) {
    TicketStatus status = status_locked(id);
    if (status.state != TicketState::pending) return status;
    if (status.reason != reported && changed) {
      reported = status.reason;
      lock.unlock();
      changed(status);
      lock.lock();
      continue;
    }
    if (stop && stop()) return status;
    // The timeout polls `stop` (Ctrl-C); group changes wake it at once.
    m_cv.wait_for(lock, std::chrono::milliseconds(50));
  }
}

void ConcurrencyGroups::leave(uint64_t id) {
  std::lock_guard lock(m_mutex);
  auto found = m_entries.find(id);
  if (found == m_entries.end()) return;
  std::string key = found->second.key;
  m_entries.erase(found);
  auto group_it = m_groups.find(key);
  if (group_it == m_groups.end()) return;
  Group& group = group_it->second;
  std::erase(group.pending, id);
  if (group.running == id) {
    group.running = 0;
    if (!group.pending.empty()) {
      group.running = group.pending.front();
      group.pending.pop_front();
      m_entries.at(group.running).state = TicketState::running;
    }
  }
  if (group.running == 0 && group.pending.empty()) m_groups.erase(group_it);
  m_cv.notify_all();
}

util::Expected<std::optional<ConcurrencyRequest>> evaluate_concurrency(
    const workflow::Concurrency& concurrency, const expr::EvalContext& ctx, std::string holder) {
  if (!concurrency.present()) return std::nullopt;
  ConcurrencyRequest request;
  request.holder = std::move(holder);
  const workflow::Text& group = concurrency.group;
  if (group.tmpl) {
    auto value = group.tmpl->evaluate(ctx);
    if (!value) return util::fail("concurrency.group: " + value.error().message, group.location);
    request.group = value->to_display_string();
  } else {
    request.group = group.value;
  }
  if (request.group.empty()) return std::nullopt;
  const workflow::Bool& cancel = concurrency.cancel_in_progress;
  if (cancel.value) {
    request.cancel_in_progress = *cancel.value;
  } else if (cancel.text.tmpl) {
    auto value = cancel.text.tmpl->evaluate(ctx);
    if (!value)
      return util::fail("concurrency.cancel-in-progress: " + value.error().message,
                        cancel.text.location);
    request.cancel_in_progress = value->truthy();
  }
  if (concurrency.queue.value == "max") {
    request.queue = QueueMode::max;
    if (request.cancel_in_progress)
      return util::fail("concurrency: 'queue: max' cannot be combined with cancel-in-progress",
                        cancel.text.location,
                        "make cancel-in-progress false, or use the default 'queue: single'");
  }
  return request;
}

}  // namespace pipewright::exec
