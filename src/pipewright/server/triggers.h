// The server's own triggers: `schedule:` crons of each repository's default branch
// (on the minute, UTC; a missed schedule fires once at start, coalesced) and `--poll`
// (new commits of repositories that cannot send webhooks); and, hourly, retention. Each firing is
// stored as a delivery with a key that names its minute or commit, so a restart never fires twice.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace pipewright::server {

struct Core;

class Triggers {
 public:
  explicit Triggers(Core& core) : m_core(core) {}
  ~Triggers();
  void start();
  void stop();
  // SIGHUP: reread repositories and schedules at the next tick (now).
  void reload();
  // One pass of both (tests, and the thread's loop): schedules due by now, and polls due.
  void tick();

 private:
  void loop();
  void schedules();
  void polls();
  void retention();

  Core& m_core;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  bool m_reload = false;
  std::thread m_thread;
  std::chrono::steady_clock::time_point m_last_retention{};
};

}  // namespace pipewright::server
