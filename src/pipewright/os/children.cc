#include "pipewright/os/children.h"

namespace pipewright::os::detail {

ChildRegistry& ChildRegistry::instance() {
  // Never destroyed: a Process in a static may be reaped after other statics are gone.
  static auto* registry = new ChildRegistry;
  return *registry;
}

void ChildRegistry::add(pid_t pid) {
  m_pids.insert(pid);
}
void ChildRegistry::remove(pid_t pid) {
  m_pids.erase(pid);
}
bool ChildRegistry::contains(pid_t pid) const {
  return m_pids.contains(pid);
}

}  // namespace pipewright::os::detail
