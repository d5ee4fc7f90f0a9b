#include "pipewright/exec/events.h"

namespace pipewright::exec {

std::string_view result_name(Result result) {
  static constexpr std::string_view k_names[] = {"success", "failure", "cancelled", "skipped"};
  return k_names[static_cast<size_t>(result)];
}

void MultiSink::run_started(const RunStart& e) {
  for (auto* s : m_sinks)
    s->run_started(e);
}
void MultiSink::job_queued(const JobInfo& j) {
  for (auto* s : m_sinks)
    s->job_queued(j);
}
void MultiSink::job_waiting(const JobInfo& j, std::string_view reason) {
  for (auto* s : m_sinks)
    s->job_waiting(j, reason);
}
void MultiSink::run_waiting(std::string_view workflow_name, std::string_view reason) {
  for (auto* s : m_sinks)
    s->run_waiting(workflow_name, reason);
}
void MultiSink::job_started(const JobInfo& j) {
  for (auto* s : m_sinks)
    s->job_started(j);
}
void MultiSink::step_started(const JobInfo& j, int index, std::string_view name) {
  for (auto* s : m_sinks)
    s->step_started(j, index, name);
}
void MultiSink::step_line(const JobInfo& j, int index, std::string_view line) {
  for (auto* s : m_sinks)
    s->step_line(j, index, line);
}
void EventSink::step_lines(const JobInfo& j, int index, std::string_view lines) {
  for_each_line(lines, [&](std::string_view line) { step_line(j, index, line); });
}
void MultiSink::step_lines(const JobInfo& j, int index, std::string_view lines) {
  for (auto* s : m_sinks)
    s->step_lines(j, index, lines);
}
void MultiSink::step_group(const JobInfo& j, int index, std::string_view title) {
  for (auto* s : m_sinks)
    s->step_group(j, index, title);
}
void MultiSink::step_finished(const JobInfo& j, int index, std::string_view name,
                              const StepEnd& e) {
  for (auto* s : m_sinks)
    s->step_finished(j, index, name, e);
}
void MultiSink::annotation(const JobInfo& j, int step, const Annotation& a) {
  for (auto* s : m_sinks)
    s->annotation(j, step, a);
}
void MultiSink::step_summary(const JobInfo& j, int step, std::string_view markdown) {
  for (auto* s : m_sinks)
    s->step_summary(j, step, markdown);
}
void MultiSink::job_message(const JobInfo& j, std::string_view text) {
  for (auto* s : m_sinks)
    s->job_message(j, text);
}
void MultiSink::job_finished(const JobInfo& j, const JobEnd& e) {
  for (auto* s : m_sinks)
    s->job_finished(j, e);
}
void MultiSink::flush() {
  for (auto* s : m_sinks)
    s->flush();
}
void MultiSink::run_finished(const RunEnd& e) {
  for (auto* s : m_sinks)
    s->run_finished(e);
}

void DeferredSink::release() {
  m_deferring = false;
  for (auto& event : m_held)
    event(m_target);
  m_held.clear();
}

// Each event goes to the target now, or is held as a copy of its arguments.
void DeferredSink::job_started(const JobInfo& j) {
  if (!m_deferring) return m_target.job_started(j);
  m_held.emplace_back([&j](EventSink& s) { s.job_started(j); });
}
void DeferredSink::step_started(const JobInfo& j, int index, std::string_view name) {
  if (!m_deferring) return m_target.step_started(j, index, name);
  m_held.emplace_back(
      [&j, index, name = std::string(name)](EventSink& s) { s.step_started(j, index, name); });
}
void DeferredSink::step_line(const JobInfo& j, int index, std::string_view line) {
  if (!m_deferring) return m_target.step_line(j, index, line);
  m_held.emplace_back(
      [&j, index, line = std::string(line)](EventSink& s) { s.step_line(j, index, line); });
}
void DeferredSink::step_lines(const JobInfo& j, int index, std::string_view lines) {
  if (!m_deferring) return m_target.step_lines(j, index, lines);
  m_held.emplace_back(
      [&j, index, lines = std::string(lines)](EventSink& s) { s.step_lines(j, index, lines); });
}
void DeferredSink::step_group(const JobInfo& j, int index, std::string_view title) {
  if (!m_deferring) return m_target.step_group(j, index, title);
  m_held.emplace_back(
      [&j, index, title = std::string(title)](EventSink& s) { s.step_group(j, index, title); });
}
void DeferredSink::step_finished(const JobInfo& j, int index, std::string_view name,
                                 const StepEnd& e) {
  if (!m_deferring) return m_target.step_finished(j, index, name, e);
  m_held.emplace_back([&j, index, name = std::string(name), e](EventSink& s) {
    s.step_finished(j, index, name, e);
  });
}
void DeferredSink::annotation(const JobInfo& j, int step, const Annotation& a) {
  if (!m_deferring) return m_target.annotation(j, step, a);
  m_held.emplace_back([&j, step, a](EventSink& s) { s.annotation(j, step, a); });
}
void DeferredSink::step_summary(const JobInfo& j, int step, std::string_view markdown) {
  if (!m_deferring) return m_target.step_summary(j, step, markdown);
  m_held.emplace_back([&j, step, markdown = std::string(markdown)](EventSink& s) {
    s.step_summary(j, step, markdown);
  });
}
void DeferredSink::job_message(const JobInfo& j, std::string_view text) {
  if (!m_deferring) return m_target.job_message(j, text);
  m_held.emplace_back([&j, text = std::string(text)](EventSink& s) { s.job_message(j, text); });
}
void DeferredSink::job_finished(const JobInfo& j, const JobEnd& e) {
  if (!m_deferring) return m_target.job_finished(j, e);
  m_held.emplace_back([&j, e](EventSink& s) { s.job_finished(j, e); });
}
void DeferredSink::flush() {
  if (!m_deferring) return m_target.flush();
  m_held.emplace_back([](EventSink& s) { s.flush(); });
}

}  // namespace pipewright::exec
