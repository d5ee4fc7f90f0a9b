// The global `-p` limit shared by several runs: when workflows run in parallel, each
// has its own scheduler, and every scheduler takes a slot here before it starts a job
// instance and gives it back when the job ends, so that all of them together never
// run more than the limit at once.
#pragma once

#include <cstddef>
#include <mutex>

namespace pipewright::exec {

class JobSlots {
 public:
  // At most `limit` slots taken at once (a limit of 0 counts as 1).
  explicit JobSlots(size_t limit) : m_limit(limit > 0 ? limit : 1) {}

  // Takes a slot when one is free; false (nothing taken) otherwise.
  bool try_acquire();
  // Gives back a slot taken by try_acquire().
  void release();
  // Slots taken now.
  size_t in_use() const;
  size_t limit() const { return m_limit; }

 private:
  const size_t m_limit;
  mutable std::mutex m_mutex;
  size_t m_used = 0;
};

}  // namespace pipewright::exec
