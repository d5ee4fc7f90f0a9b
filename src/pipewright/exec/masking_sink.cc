#include "pipewright/exec/masking_sink.h"

namespace pipewright::exec {

Annotation mask_annotation(const Masker& masker, Annotation a) {
  a.message = masker.mask(a.message);
  if (a.title) a.title = masker.mask(*a.title);
  if (a.file) a.file = masker.mask(*a.file);
  return a;
}

expr::Value mask_value(const Masker& masker, const expr::Value& value) {
  switch (value.kind()) {
    case expr::Kind::null:
    case expr::Kind::boolean:
      return value;
    case expr::Kind::number: {
      std::string text = value.to_display_string();
      std::string masked = masker.mask(text);
      return masked == text ? value : expr::Value(std::move(masked));
    }
    case expr::Kind::string:
      return expr::Value(masker.mask(value.as_string()));
    case expr::Kind::array: {
      expr::Array items;
      items.reserve(value.as_array().size());
      for (const expr::Value& item : value.as_array())
        items.push_back(mask_value(masker, item));
      return expr::Value(std::move(items));
    }
    case expr::Kind::object: {
      expr::Object members;
      for (const auto& [key, member] : value.as_object())
        members.set(masker.mask(key), mask_value(masker, member));
      return expr::Value(std::move(members));
    }
  }
  return value;
}

void MaskingSink::run_started(const RunStart& e) {
  RunStart masked = e;
  masked.workflow_file = mask(e.workflow_file);
  masked.workflow_name = mask(e.workflow_name);
  masked.ref = mask(e.ref);
  m_target.run_started(masked);
}

void MaskingSink::step_started(const JobInfo& j, int index, std::string_view name) {
  m_target.step_started(j, index, mask(name));
}

void MaskingSink::step_line(const JobInfo& j, int index, std::string_view line) {
  m_target.step_line(j, index, mask(line));
}

void MaskingSink::step_group(const JobInfo& j, int index, std::string_view title) {
  m_target.step_group(j, index, mask(title));
}

void MaskingSink::step_finished(const JobInfo& j, int index, std::string_view name,
                                const StepEnd& e) {
  StepEnd masked = e;
  masked.detail = mask(e.detail);
  m_target.step_finished(j, index, mask(name), masked);
}

void MaskingSink::annotation(const JobInfo& j, int step, const Annotation& a) {
  m_target.annotation(j, step, mask_annotation(m_masker, a));
}

void MaskingSink::step_summary(const JobInfo& j, int step, std::string_view markdown) {
  m_target.step_summary(j, step, mask(markdown));
}

void MaskingSink::job_message(const JobInfo& j, std::string_view text) {
  m_target.job_message(j, mask(text));
}

void MaskingSink::job_finished(const JobInfo& j, const JobEnd& e) {
  JobEnd masked = e;
  masked.reason = mask(e.reason);
  masked.kept_workspace = mask(e.kept_workspace);
  masked.outputs_json = mask(e.outputs_json);
  m_target.job_finished(j, masked);
}

void MaskingSink::run_finished(const RunEnd& e) {
  RunEnd masked = e;
  masked.reason = mask(e.reason);
  masked.workflow_name = mask(e.workflow_name);
  m_target.run_finished(masked);
}

}  // namespace pipewright::exec
