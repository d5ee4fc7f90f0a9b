// Polling helpers shared by the os tests that watch processes come and go.
#pragma once

#include <chrono>
#include <thread>

#include <sys/types.h>

#include "pipewright/os/proc_table.h"

namespace pipewright::os::test_support {

// Whether `pid` runs (a zombie counts as ended).
inline bool alive(pid_t pid) {
  auto entry = read_proc_entry(pid);
  return entry && !entry->zombie();
}

// Polls `condition` until it holds or a generous safety net (30 s) expires.
template <class F>
bool eventually(F condition) {
  using namespace std::chrono_literals;
  auto give_up = std::chrono::steady_clock::now() + 30s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace pipewright::os::test_support
