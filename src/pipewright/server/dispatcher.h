// The dispatcher: claims queued runs, oldest first, and runs each on its own thread
// with the engine (jobs share one set of `--parallel` slots and one set of concurrency
// groups). Cancels, re-runs and the drain on SIGTERM go through it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "pipewright/os/cancel.h"
#include "pipewright/server/run_bridge.h"
#include "pipewright/store/record.h"
#include "pipewright/util/error.h"

namespace pipewright::exec {
class ConcurrencyGroups;
class JobSlots;
}  // namespace pipewright::exec

namespace pipewright::server {

struct Core;

class Dispatcher {
 public:
  explicit Dispatcher(Core& core);
  ~Dispatcher();
  void start();
  void wake();
  // Cancels a queued or running run; false when it is already completed. Fails when the
  // run is unknown.
  util::Expected<bool> cancel(store::RunId run);
  // Queues the run's next attempt: every job, the failed ones (and what needs them), or
  // job `job_id` (and what needs it). Returns the attempt number. Fails (with GitHub's
  // words) when the run is not completed, not a server run, or has had 50 attempts.
  util::Expected<int> rerun(store::RunId run, CarryMode mode, std::string_view job_id = {});
  // Requeues the runs a crash left interrupted (--requeue-interrupted), each as a new
  // attempt that re-runs its unfinished jobs.
  void requeue_interrupted();
  // Stops claiming; waits up to `grace` for running runs, then cancels them and waits
  // for them to end.
  void drain(std::chrono::seconds grace);

 private:
  struct Active {
    store::RunId run = 0;
    std::unique_ptr<os::CancelToken> cancel;
    std::thread thread;
    bool done = false;
  };
  void loop();
  void claim_queued();
  void run(Active& active, store::RunRecord record);
  void reap_finished();

  Core& m_core;
  std::unique_ptr<exec::ConcurrencyGroups> m_concurrency;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::list<Active> m_active;
  bool m_wake = false;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace pipewright::server
