#include "pipewright/exec/job_slots.h"

namespace pipewright::exec {

bool JobSlots::try_acquire() {
  std::lock_guard lock(m_mutex);
  if (m_used >= m_limit) return false;
  ++m_used;
  return true;
}

void JobSlots::release() {
  std::lock_guard lock(m_mutex);
  if (m_used > 0) --m_used;
}

size_t JobSlots::in_use() const {
  std::lock_guard lock(m_mutex);
  return m_used;
}

}  // namespace pipewright::exec
