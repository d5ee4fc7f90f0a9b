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

}  // namespace pipewright::exec
