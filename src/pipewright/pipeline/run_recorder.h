// The adapter from exec's EventSink to the run history (store/): every job, step,
// step log line (masked), annotation and step summary of one run is recorded.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "pipewright/exec/events.h"
#include "pipewright/store/store.h"

namespace pipewright::pipeline {

class RunRecorder : public exec::EventSink {
 public:
  // Records into run `run` of `store` (begun by the caller).
  RunRecorder(store::Store& store, store::RunId run) : m_store(store), m_run(run) {}
  ~RunRecorder() override;

  void job_queued(const exec::JobInfo& j) override;
  void job_started(const exec::JobInfo& j) override;
  void step_started(const exec::JobInfo& j, int index, std::string_view name) override;
  void step_line(const exec::JobInfo& j, int index, std::string_view line) override;
  // A block of whole lines goes to the step's log in one append.
  void step_lines(const exec::JobInfo& j, int index, std::string_view lines) override;
  void step_group(const exec::JobInfo& j, int index, std::string_view title) override;
  void step_finished(const exec::JobInfo& j, int index, std::string_view name,
                     const exec::StepEnd& e) override;
  void annotation(const exec::JobInfo& j, int step, const exec::Annotation& a) override;
  void step_summary(const exec::JobInfo& j, int step, std::string_view markdown) override;
  void job_finished(const exec::JobInfo& j, const exec::JobEnd& e) override;
  void job_waiting(const exec::JobInfo& j, std::string_view reason) override;
  void run_waiting(std::string_view workflow_name, std::string_view reason) override;

  // The first recording error, if any ('' when none).
  std::string error() const;

 private:
  struct OpenStep {
    store::StepId id = 0;
    std::unique_ptr<store::LogWriter> log;
  };
  // Records the step (and opens its log with StepLog::open). Called with m_mutex held.
  void start_step_locked(const exec::JobInfo& j, int index, std::string_view name,
                         store::StepLog log);
  void note(const util::Error& error);
  OpenStep* find_step(size_t instance, int index);

  store::Store& m_store;
  store::RunId m_run;
  bool m_run_waiting = false;  // a waiting reason is recorded for the run
  mutable std::mutex m_mutex;
  std::map<size_t, store::JobId> m_jobs;
  std::map<std::pair<size_t, int>, OpenStep> m_steps;
  std::string m_error;
};

}  // namespace pipewright::pipeline
