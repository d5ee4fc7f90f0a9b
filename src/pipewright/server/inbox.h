// The inbox: turns accepted deliveries (webhooks, dispatches, schedules, polls, finished
// runs) into queued runs, oldest first, on its own thread. A delivery is settled only
// after its runs are queued, and a run is queued at most once per delivery and
// workflow, so a crash at any point loses nothing and duplicates nothing.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "pipewright/server/server_store.h"

namespace pipewright::server {

struct Core;

class Inbox {
 public:
  // `queued` is called after runs were queued (the dispatcher's wake-up).
  Inbox(Core& core, std::function<void()> queued);
  ~Inbox();
  void start();
  void wake();
  void stop();
  // Processes one delivery now (tests, and the thread's loop).
  void process(const StoredDelivery& delivery);

 private:
  void loop();
  util::Expected<std::string> process_or_fail(const StoredDelivery& delivery, DeliveryState* state);

  Core& m_core;
  std::function<void()> m_queued;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_pending = false;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace pipewright::server
