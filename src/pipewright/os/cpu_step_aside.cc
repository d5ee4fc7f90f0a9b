#include "pipewright/os/cpu_step_aside.h"

namespace pipewright::os {

CpuStepAside::CpuStepAside() {
  int here = ::sched_getcpu();
  if (here < 0 || here >= CPU_SETSIZE) return;
  if (::sched_getaffinity(0, sizeof m_allowed, &m_allowed) != 0) return;
  if (!CPU_ISSET(here, &m_allowed)) return;
  cpu_set_t elsewhere = m_allowed;
  CPU_CLR(here, &elsewhere);
  if (CPU_COUNT(&elsewhere) == 0) return;
  m_moved = ::sched_setaffinity(0, sizeof elsewhere, &elsewhere) == 0;
}

CpuStepAside::~CpuStepAside() {
  if (m_moved) ::sched_setaffinity(0, sizeof m_allowed, &m_allowed);
}

}  // namespace pipewright::os
