// The live side of runs in progress, for the API's Server-Sent Events stream: each
// running run keeps its recent events (already masked by the engine) in memory with a
// sequence number, so a client can follow it and resume after a dropped connection
// (Last-Event-ID). Finished runs are read from the store instead.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pipewright/exec/events.h"

namespace pipewright::server {

// One SSE event: `id`, `event` and one line of JSON `data`.
struct LiveEvent {
  int64_t id = 0;
  std::string event;  // "log", "job", "run"
  std::string data;
};

class LiveRun {
 public:
  // Keeps at most this many bytes of events; older ones are dropped (a client that
  // resumes before them starts at the oldest kept, told by a "reset" event).
  static constexpr size_t k_max_bytes = 16 * 1024 * 1024;

  void publish(std::string event, std::string data);
  void finish();
  // Events after `after`, waiting up to `wait` for one when there is none yet. `reset`
  // is set when events after `after` were dropped. Empty with finished() when done.
  std::vector<LiveEvent> events_after(int64_t after, std::chrono::milliseconds wait, bool* reset);
  bool finished() const;

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<LiveEvent> m_events;
  size_t m_bytes = 0;
  int64_t m_next_id = 1;
  bool m_finished = false;
};

// The event sink that feeds a LiveRun.
class LiveSink : public exec::EventSink {
 public:
  explicit LiveSink(std::shared_ptr<LiveRun> run) : m_run(std::move(run)) {}
  void job_queued(const exec::JobInfo& job) override;
  void job_started(const exec::JobInfo& job) override;
  void step_started(const exec::JobInfo& job, int index, std::string_view name) override;
  void step_line(const exec::JobInfo& job, int index, std::string_view line) override;
  void step_finished(const exec::JobInfo& job, int index, std::string_view name,
                     const exec::StepEnd& end) override;
  void job_finished(const exec::JobInfo& job, const exec::JobEnd& end) override;
  void run_finished(const exec::RunEnd& end) override;

 private:
  std::shared_ptr<LiveRun> m_run;
};

// The runs in progress, by run id.
class LiveRuns {
 public:
  std::shared_ptr<LiveRun> open(int64_t run);
  std::shared_ptr<LiveRun> find(int64_t run) const;
  void close(int64_t run);

 private:
  mutable std::mutex m_mutex;
  std::map<int64_t, std::shared_ptr<LiveRun>> m_runs;
};

}  // namespace pipewright::server
