// The masker in front of every sink. The engine reports through a MaskingSink, so every
// text of every event (step and job names, group titles, every annotation property,
// job messages and reasons, step details, summaries) is masked before the console,
// `--json` or the run history sees it, whichever code made the text.
//
// Step output blocks (step_lines) are the exception: the step runner masks them as a
// stream (a secret split across reads is found there, and a block is not scanned
// twice on the hot path). JobInfo is masked where it is made (masked_job_info).
#pragma once

#include "pipewright/exec/events.h"
#include "pipewright/exec/masker.h"
#include "pipewright/expr/value.h"

namespace pipewright::exec {

// Every text of `a` masked: message, title, file (line and column are numbers).
Annotation mask_annotation(const Masker& masker, Annotation a);

// `value` with every string, object key and number whose text holds a secret masked
// (such a number becomes the string "***"), for values shown as JSON (a matrix leg).
expr::Value mask_value(const Masker& masker, const expr::Value& value);

// Forwards every event to `target` with its texts masked. Thread-safe when the target
// is; the masker and the target must outlive it.
class MaskingSink : public EventSink {
 public:
  MaskingSink(EventSink& target, const Masker& masker) : m_target(target), m_masker(masker) {}

  void run_started(const RunStart& e) override;
  void job_queued(const JobInfo& j) override { m_target.job_queued(j); }
  void job_waiting(const JobInfo& j, std::string_view reason) override {
    m_target.job_waiting(j, mask(reason));
  }
  void run_waiting(std::string_view workflow_name, std::string_view reason) override {
    m_target.run_waiting(mask(workflow_name), mask(reason));
  }
  void job_started(const JobInfo& j) override { m_target.job_started(j); }
  void step_started(const JobInfo& j, int index, std::string_view name) override;
  void step_line(const JobInfo& j, int index, std::string_view line) override;
  void step_lines(const JobInfo& j, int index, std::string_view lines) override {
    m_target.step_lines(j, index, lines);  // masked by the step's stream
  }
  void step_group(const JobInfo& j, int index, std::string_view title) override;
  void step_finished(const JobInfo& j, int index, std::string_view name, const StepEnd& e) override;
  void annotation(const JobInfo& j, int step, const Annotation& a) override;
  void step_summary(const JobInfo& j, int step, std::string_view markdown) override;
  void job_message(const JobInfo& j, std::string_view text) override;
  void job_finished(const JobInfo& j, const JobEnd& e) override;
  void run_finished(const RunEnd& e) override;
  void flush() override { m_target.flush(); }

 private:
  std::string mask(std::string_view text) const { return m_masker.mask(text); }

  EventSink& m_target;
  const Masker& m_masker;
};

}  // namespace pipewright::exec
