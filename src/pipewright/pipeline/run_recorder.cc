#include "pipewright/pipeline/run_recorder.h"

#include <chrono>

namespace pipewright::pipeline {

namespace {

store::TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(store::Clock::now());
}

store::Result to_store(exec::Result result) {
  static constexpr store::Result k_map[] = {store::Result::success, store::Result::failure,
                                            store::Result::cancelled, store::Result::skipped};
  return k_map[static_cast<size_t>(result)];
}

store::Severity to_store(exec::AnnotationLevel level) {
  static constexpr store::Severity k_map[] = {store::Severity::notice, store::Severity::warning,
                                              store::Severity::error};
  return k_map[static_cast<size_t>(level)];
}

}  // namespace

RunRecorder::~RunRecorder() {
  // Steps that never finished: destroying their writers puts their output in files
  // (close() would hand it back, with no finish_step to store it).
  for (auto& [key, step] : m_steps)
    step.log.reset();
}

void RunRecorder::note(const util::Error& error) {
  if (m_error.empty()) m_error = error.message;
}

std::string RunRecorder::error() const {
  std::lock_guard lock(m_mutex);
  return m_error;
}

RunRecorder::OpenStep* RunRecorder::find_step(size_t instance, int index) {
  auto it = m_steps.find({instance, index});
  return it == m_steps.end() ? nullptr : &it->second;
}

void RunRecorder::job_queued(const exec::JobInfo& j) {
  std::lock_guard lock(m_mutex);
  if (m_run_waiting) {  // a job exists: the run no longer waits for its group
    m_run_waiting = false;
    if (auto r = m_store.set_run_waiting(m_run, ""); !r) note(r.error());
  }
  auto id = m_store.add_job(m_run, store::NewJob{j.job_id, j.name, j.matrix_json});
  if (!id) return note(id.error());
  m_jobs[j.instance] = *id;
}

void RunRecorder::job_started(const exec::JobInfo& j) {
  std::lock_guard lock(m_mutex);
  if (!m_jobs.contains(j.instance)) return;
  if (auto r = m_store.start_job(m_jobs[j.instance], now()); !r) note(r.error());
}

void RunRecorder::step_started(const exec::JobInfo& j, int index, std::string_view name) {
  std::lock_guard lock(m_mutex);
  start_step_locked(j, index, name, store::StepLog::open);
}

void RunRecorder::start_step_locked(const exec::JobInfo& j, int index, std::string_view name,
                                    store::StepLog log) {
  if (!m_jobs.contains(j.instance)) return;
  auto start = m_store.start_step(m_jobs[j.instance], index, name, now(), log);
  if (!start) return note(start.error());
  if (start->log_error) note(*start->log_error);
  m_steps[{j.instance, index}] = OpenStep{start->id, std::move(start->log)};
}

void RunRecorder::step_line(const exec::JobInfo& j, int index, std::string_view line) {
  std::lock_guard lock(m_mutex);
  OpenStep* step = find_step(j.instance, index);
  if (!step || !step->log) return;
  std::string whole(line);
  whole += '\n';
  if (auto r = step->log->append(whole); !r) note(r.error());
}

void RunRecorder::step_lines(const exec::JobInfo& j, int index, std::string_view lines) {
  std::lock_guard lock(m_mutex);
  OpenStep* step = find_step(j.instance, index);
  if (!step || !step->log) return;
  if (auto r = step->log->append(lines); !r) note(r.error());
}

void RunRecorder::step_group(const exec::JobInfo& j, int index, std::string_view title) {
  step_line(j, index, "##[group]" + std::string(title));
}

void RunRecorder::step_finished(const exec::JobInfo& j, int index, std::string_view name,
                                const exec::StepEnd& e) {
  std::lock_guard lock(m_mutex);
  // A skipped step never started: it is recorded now, without a log (it has no output).
  if (e.outcome == exec::Result::skipped && !find_step(j.instance, index))
    start_step_locked(j, index, name, store::StepLog::none);
  OpenStep* step = find_step(j.instance, index);
  if (!step) return;
  store::StepEnd end;
  end.outcome = to_store(e.outcome);
  end.conclusion = to_store(e.conclusion);
  end.finished_at = now();
  if (step->log) {
    auto closed = step->log->close();  // a short log comes back whole, for finish_step
    if (closed)
      end.log = std::move(*closed);
    else
      note(closed.error());
    step->log.reset();
  }
  if (auto r = m_store.finish_step(step->id, end); !r) note(r.error());
}

void RunRecorder::annotation(const exec::JobInfo& j, int step_index, const exec::Annotation& a) {
  std::lock_guard lock(m_mutex);
  store::Annotation record;
  record.severity = to_store(a.level);
  record.file = a.file.value_or("");
  record.line = a.line.value_or(0);
  record.column = a.column.value_or(0);
  record.title = a.title.value_or("");
  record.message = a.message;
  if (m_jobs.contains(j.instance)) record.job = m_jobs[j.instance];
  if (OpenStep* step = find_step(j.instance, step_index)) record.step = step->id;
  if (auto r = m_store.add_annotation(m_run, record); !r) note(r.error());
}

void RunRecorder::step_summary(const exec::JobInfo& j, int step_index, std::string_view markdown) {
  std::lock_guard lock(m_mutex);
  OpenStep* step = find_step(j.instance, step_index);
  if (!step) return;
  if (auto r = m_store.add_step_summary(step->id, markdown); !r) note(r.error());
}

void RunRecorder::job_finished(const exec::JobInfo& j, const exec::JobEnd& e) {
  std::lock_guard lock(m_mutex);
  if (!m_jobs.contains(j.instance)) return;
  if (auto r = m_store.finish_job(m_jobs[j.instance], to_store(e.result), e.reason, now(),
                                  e.outputs_json);
      !r)
    note(r.error());
}

// Why a job or the run waits, for the API (`waiting_reason`); the store clears a job's
// when it starts.
void RunRecorder::job_waiting(const exec::JobInfo& j, std::string_view reason) {
  std::lock_guard lock(m_mutex);
  if (!m_jobs.contains(j.instance)) return;
  if (auto r = m_store.set_job_waiting(m_jobs[j.instance], reason); !r) note(r.error());
}

void RunRecorder::run_waiting(std::string_view, std::string_view reason) {
  std::lock_guard lock(m_mutex);
  m_run_waiting = !reason.empty();
  if (auto r = m_store.set_run_waiting(m_run, reason); !r) note(r.error());
}

}  // namespace pipewright::pipeline
