// Keeping the engine's thread off the CPU a child it just started runs on.
//
// The kernel wakes a vfork parent on the CPU of the child that released it (and a
// pipe reader on its writer's), so right after spawn() the job thread and the new
// step share one CPU while another idles: the step's start then waits for the
// bookkeeping the thread does meanwhile. On a 2-CPU VM, 96 % of spawns came back on
// the child's CPU, and stepping aside made 200 trivial steps 6 % faster
// (docs/performance.md).
#pragma once

#include <sched.h>

namespace pipewright::os {

// While it lives, the calling thread may run on every CPU it could before except the
// one it was on when this was made; then it may run anywhere it could again. Does
// nothing when that CPU was the only one allowed.
class CpuStepAside {
 public:
  CpuStepAside();
  ~CpuStepAside();
  CpuStepAside(const CpuStepAside&) = delete;
  CpuStepAside& operator=(const CpuStepAside&) = delete;

 private:
  cpu_set_t m_allowed;
  bool m_moved = false;
};

}  // namespace pipewright::os
