#include "pipewright/exec/console.h"

#include <algorithm>
#include <cstdint>

#include "pipewright/util/utf8.h"

namespace pipewright::exec {

namespace {

std::string_view level_name(AnnotationLevel level) {
  static constexpr std::string_view k_names[] = {"notice", "warning", "error"};
  return k_names[static_cast<size_t>(level)];
}

std::string job_label(const JobInfo& j) {
  return "[" + j.workflow_name + "/" + j.name + "]";
}

std::string_view result_mark(Result result) {
  static constexpr std::string_view k_marks[] = {"✓", "✗", "⊘", "-"};
  return k_marks[static_cast<size_t>(result)];
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    size_t n = util::utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + "\"";
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  char buf[32];
  if (ms < 1000)
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  else if (ms < 60000)
    std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60000),
                  static_cast<long long>(ms / 1000 % 60));
  return buf;
}

// ---- RunSummary -----------------------------------------------------------

std::string annotation_text(const Annotation& a) {
  std::string where = a.file.value_or("");
  if (a.line) where += ":" + std::to_string(*a.line);
  if (a.column) where += ":" + std::to_string(*a.column);
  std::string text = std::string(level_name(a.level)) + ": ";
  if (a.title) text += *a.title + ": ";
  text += a.message;
  return where.empty() ? text : where + ": " + text;
}

std::string count_line(const std::vector<SummaryRow>& rows) {
  if (rows.empty()) return "no jobs ran";
  size_t counts[4] = {};
  size_t allowed = 0;
  for (const SummaryRow& row : rows) {
    ++counts[static_cast<size_t>(row.result)];
    allowed += row.result == Result::failure && row.continue_on_error;
  }
  static constexpr std::string_view k_words[] = {"succeeded", "failed", "cancelled", "skipped"};
  std::string out;
  for (size_t i = 0; i < 4; ++i) {
    if (counts[i] == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(counts[i]) + " " + std::string(k_words[i]);
    if (i == static_cast<size_t>(Result::failure) && allowed > 0)
      out += " (" + std::to_string(allowed) + " allowed by continue-on-error)";
  }
  return out;
}

void RunSummary::add_run(std::string_view workflow) {
  std::lock_guard lock(m_mutex);
  if (std::ranges::find(m_workflows, workflow) == m_workflows.end())
    m_workflows.emplace_back(workflow);
}

void RunSummary::add_job(const JobInfo& j, const JobEnd& e) {
  std::lock_guard lock(m_mutex);
  m_rows.push_back(SummaryRow{j.workflow_name, j.name, e.result, e.duration, e.reason,
                              e.continue_on_error, j.instance, j.job_id, !j.matrix_json.empty()});
}

void RunSummary::add_annotation(const JobInfo& j, const Annotation& a) {
  std::lock_guard lock(m_mutex);
  m_annotations.push_back(job_label(j) + " " + annotation_text(a));
}

void RunSummary::add_step_summary(const JobInfo& j, std::string_view markdown) {
  std::lock_guard lock(m_mutex);
  m_summaries.push_back("--- step summary " + job_label(j) + "\n" + std::string(markdown));
}

std::vector<SummaryRow> RunSummary::rows() const {
  std::lock_guard lock(m_mutex);
  auto rank = [&](const SummaryRow& row) {
    auto found = std::ranges::find(m_workflows, row.workflow);
    return static_cast<size_t>(found - m_workflows.begin());
  };
  std::vector<SummaryRow> rows = m_rows;
  // Finishing order varies from run to run; queue order does not.
  std::ranges::stable_sort(rows, [&](const SummaryRow& a, const SummaryRow& b) {
    return std::pair(rank(a), a.instance) < std::pair(rank(b), b.instance);
  });
  return rows;
}

namespace {

// The job name its matrix legs share: "test (a, 1)" → "test"; the job id when the
// names do not follow that form.
std::string legs_base_name(const std::vector<SummaryRow>& legs) {
  std::string base;
  for (const SummaryRow& leg : legs) {
    size_t open = leg.job.rfind(" (");
    if (open == std::string::npos || !leg.job.ends_with(')')) return leg.job_id;
    std::string name = leg.job.substr(0, open);
    if (!base.empty() && name != base) return leg.job_id;
    base = std::move(name);
  }
  return base;
}

// Matrix legs of one job that were all skipped for the same reason read as one row.
std::vector<SummaryRow> fold_skipped_legs(const std::vector<SummaryRow>& rows) {
  std::vector<SummaryRow> out;
  for (size_t i = 0; i < rows.size();) {
    const SummaryRow& first = rows[i];
    size_t end = i + 1;
    if (first.matrix_leg && first.result == Result::skipped) {
      while (end < rows.size() && rows[end].matrix_leg && rows[end].workflow == first.workflow &&
             rows[end].job_id == first.job_id && rows[end].result == Result::skipped &&
             rows[end].reason == first.reason)
        ++end;
    }
    bool whole_job = std::ranges::none_of(rows, [&](const SummaryRow& row) {
      return row.workflow == first.workflow && row.job_id == first.job_id &&
             (row.result != Result::skipped || row.reason != first.reason);
    });
    if (end - i > 1 && whole_job) {
      SummaryRow folded = first;
      std::vector<SummaryRow> legs(rows.begin() + static_cast<std::ptrdiff_t>(i),
                                   rows.begin() + static_cast<std::ptrdiff_t>(end));
      folded.job = legs_base_name(legs) + " (all " + std::to_string(end - i) + " legs)";
      out.push_back(std::move(folded));
    } else {
      out.insert(out.end(), rows.begin() + static_cast<std::ptrdiff_t>(i),
                 rows.begin() + static_cast<std::ptrdiff_t>(end));
    }
    i = end;
  }
  return out;
}

}  // namespace

std::string RunSummary::render(bool colour) const {
  std::vector<SummaryRow> all = rows();
  std::vector<SummaryRow> sorted = fold_skipped_legs(all);
  std::lock_guard lock(m_mutex);
  std::string out = "\n";
  size_t wf = 8, job = 3;
  for (const SummaryRow& row : sorted) {
    wf = std::max(wf, row.workflow.size());
    job = std::max(job, row.job.size());
  }
  auto pad = [](std::string text, size_t width) {
    text.resize(std::max(text.size(), width), ' ');
    return text;
  };
  // Colours of the result column, by Result.
  static constexpr std::string_view k_colours[] = {"\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[2m"};
  out += pad("WORKFLOW", wf) + "  " + pad("JOB", job) + "  " + pad("RESULT", 9) + "  " +
         pad("DURATION", 8) + "  REASON\n";
  for (const SummaryRow& row : sorted) {
    std::string duration = row.result == Result::skipped ? "-" : format_duration(row.duration);
    std::string result = pad(std::string(result_name(row.result)), 9);
    if (colour)
      result = std::string(k_colours[static_cast<size_t>(row.result)]) + result + "\x1b[0m";
    std::string reason = row.reason;
    if (row.result == Result::failure && row.continue_on_error)
      reason += reason.empty() ? "continue-on-error" : " (continue-on-error)";
    std::string text = pad(row.workflow, wf) + "  " + pad(row.job, job) + "  " + result + "  " +
                       pad(duration, 8) + "  " + reason;
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    out += text + "\n";
  }
  out += count_line(all) + "\n";
  if (!m_annotations.empty()) {
    out += "\nAnnotations:\n";
    for (const std::string& a : m_annotations) {
      // Continuation lines of a multi-line message are indented under the first.
      std::string indented = "  " + a;
      for (size_t at = indented.find('\n'); at != std::string::npos;
           at = indented.find('\n', at + 1))
        indented.insert(at + 1, "    ");
      out += indented + "\n";
    }
  }
  for (const std::string& s : m_summaries) {
    out += "\n" + s;
    if (!s.ends_with('\n')) out += "\n";
  }
  return out;
}

// ---- PlainConsole ---------------------------------------------------------

namespace {
constexpr std::string_view k_error_prefix = "##[error]";
}  // namespace

PlainConsole::PlainConsole(std::FILE* out, ConsoleOptions options)
    : m_out(out), m_options(options) {}

void PlainConsole::line(const JobInfo& j, std::string_view marker, std::string_view text,
                        bool step_output) {
  // Every line of a multi-line text carries the prefix, so lines stay attributable.
  std::string prefix = job_label(j) + " " + std::string(marker) + " ";
  std::string whole;
  for (size_t start = 0;;) {
    size_t nl = text.find('\n', start);
    whole += prefix;
    whole += text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    whole += '\n';
    if (nl == std::string_view::npos || nl + 1 == text.size()) break;
    start = nl + 1;
  }
  std::lock_guard lock(m_mutex);
  std::fwrite(whole.data(), 1, whole.size(), m_out);
  if (!step_output) std::fflush(m_out);
}

void PlainConsole::flush() {
  std::lock_guard lock(m_mutex);
  std::fflush(m_out);
}

void PlainConsole::run_started(const RunStart& e) {
  m_summary.add_run(e.workflow_name);
  std::string whole = "Running " + e.workflow_name + " (" + e.workflow_file + ") on " + e.event +
                      " " + e.ref + "\n";
  std::lock_guard lock(m_mutex);
  std::fwrite(whole.data(), 1, whole.size(), m_out);
}

void PlainConsole::job_waiting(const JobInfo& j, std::string_view reason) {
  line(j, ".", reason);
}

void PlainConsole::run_waiting(std::string_view workflow_name, std::string_view reason) {
  std::string whole = "[" + std::string(workflow_name) + "] . " + std::string(reason) + "\n";
  std::lock_guard lock(m_mutex);
  std::fwrite(whole.data(), 1, whole.size(), m_out);
  std::fflush(m_out);
}

void PlainConsole::run_finished(const RunEnd& e) {
  if (e.reason.empty()) return;  // the jobs' lines and the summary said it
  std::string whole = "[" + e.workflow_name + "] " + std::string(result_mark(e.result)) + " run " +
                      std::string(result_name(e.result)) + ": " + e.reason + "\n";
  std::lock_guard lock(m_mutex);
  std::fwrite(whole.data(), 1, whole.size(), m_out);
  std::fflush(m_out);
}

void PlainConsole::step_started(const JobInfo& j, int, std::string_view name) {
  line(j, ">", name);
}

void PlainConsole::step_line(const JobInfo& j, int, std::string_view text) {
  if (text.starts_with(k_error_prefix)) {
    std::lock_guard lock(m_mutex);
    m_last_error[j.instance] = text.substr(k_error_prefix.size());
  }
  line(j, "|", text, true);
}

void PlainConsole::step_lines(const JobInfo& j, int, std::string_view lines) {
  // One buffer and one write per block; flushed by flush() after the chunk.
  std::string prefix = job_label(j) + " | ";
  std::string whole;
  whole.reserve(lines.size() + prefix.size() * 64);
  for_each_line(lines, [&](std::string_view text) {
    whole += prefix;
    whole += text;
    whole += '\n';
  });
  std::lock_guard lock(m_mutex);
  std::fwrite(whole.data(), 1, whole.size(), m_out);
}

void PlainConsole::step_group(const JobInfo& j, int, std::string_view title) {
  line(j, "|", "▶ " + std::string(title));
}

void PlainConsole::step_finished(const JobInfo& j, int, std::string_view name, const StepEnd& e) {
  std::string text(name);
  if (e.outcome == Result::skipped) {
    line(j, result_mark(Result::skipped), text + " (skipped: " + e.detail + ")");
    return;
  }
  text += " (" + format_duration(e.duration);
  // The detail's first line: a multi-line one is in the step's log above, and one an
  // ##[error] line just said is not said again.
  if (e.outcome != Result::success) {
    std::string_view detail = e.detail;
    size_t nl = detail.find('\n');
    std::string first(detail.substr(0, nl));
    bool said = false;
    {
      std::lock_guard lock(m_mutex);
      auto last = m_last_error.find(j.instance);
      said = !first.empty() && last != m_last_error.end() && last->second.ends_with(first);
      if (e.conclusion == Result::failure) m_failure_shown.insert(j.instance);
      m_last_error.erase(j.instance);
    }
    if (!said) text += ", " + first + (nl == std::string_view::npos ? "" : " …");
  }
  if (e.outcome == Result::failure && e.conclusion == Result::success)
    text += ", continue-on-error";
  line(j, result_mark(e.outcome), text + ")");
}

void PlainConsole::annotation(const JobInfo& j, int, const Annotation& a) {
  std::string text = std::string(level_name(a.level)) + ": " + a.message;
  if (a.title) text = std::string(level_name(a.level)) + ": " + *a.title + ": " + a.message;
  line(j, "|", text);
  m_summary.add_annotation(j, a);
}

void PlainConsole::step_summary(const JobInfo& j, int, std::string_view markdown) {
  m_summary.add_step_summary(j, markdown);
}

void PlainConsole::job_message(const JobInfo& j, std::string_view text) {
  line(j, "!", text);
}

void PlainConsole::job_finished(const JobInfo& j, const JobEnd& e) {
  std::string text = "job " + std::string(result_name(e.result));
  if (e.result != Result::skipped && !e.carried_over) text += " in " + format_duration(e.duration);
  bool step_said_it = false;  // the failed step's line above gave the reason
  {
    std::lock_guard lock(m_mutex);
    step_said_it = m_failure_shown.erase(j.instance) > 0 && e.result == Result::failure;
    m_last_error.erase(j.instance);
  }
  if (!e.reason.empty() && !step_said_it) text += ": " + e.reason;
  line(j, result_mark(e.result), text);
  if (!e.kept_workspace.empty()) line(j, "!", "workspace kept at " + e.kept_workspace);
  m_summary.add_job(j, e);
}

void PlainConsole::print_summary() {
  std::string out = m_summary.render();
  std::lock_guard lock(m_mutex);
  std::fwrite(out.data(), 1, out.size(), m_out);
  std::fflush(m_out);
}

// ---- JsonConsole ----------------------------------------------------------

namespace {

std::string job_fields(const JobInfo& j) {
  std::string out = ",\"workflow\":" + json_string(j.workflow_name) +
                    ",\"job\":" + json_string(j.job_id) + ",\"name\":" + json_string(j.name) +
                    ",\"instance\":" + std::to_string(j.instance);
  if (!j.matrix_json.empty()) out += ",\"matrix\":" + util::to_valid_utf8(j.matrix_json);
  return out;
}

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count());
}

}  // namespace

void JsonConsole::emit(const std::string& object, bool step_output) {
  std::string whole = object + "\n";
  std::lock_guard lock(m_mutex);
  std::fwrite(whole.data(), 1, whole.size(), m_out);
  if (!step_output) std::fflush(m_out);
}

void JsonConsole::flush() {
  std::lock_guard lock(m_mutex);
  std::fflush(m_out);
}

// Forwards one run's events to the console, its run.started/run.finished tagged.
class JsonConsole::RunSink : public MultiSink {
 public:
  RunSink(JsonConsole& console, int64_t run_id, std::string workflow)
      : m_console(console),
        m_started_tag(",\"run_id\":" + std::to_string(run_id)),
        m_finished_tag(",\"workflow\":" + json_string(workflow) + m_started_tag) {
    add(&console);
  }
  void run_started(const RunStart& e) override { m_console.run_started_tagged(e, m_started_tag); }
  void run_finished(const RunEnd& e) override { m_console.run_finished_tagged(e, m_finished_tag); }
  void run_waiting(std::string_view workflow_name, std::string_view reason) override {
    m_console.run_waiting_tagged(workflow_name, reason, m_started_tag);
  }

 private:
  JsonConsole& m_console;
  std::string m_started_tag, m_finished_tag;
};

std::unique_ptr<EventSink> JsonConsole::run_sink(int64_t run_id, std::string workflow) {
  return std::make_unique<RunSink>(*this, run_id, std::move(workflow));
}

void JsonConsole::run_started(const RunStart& e) {
  run_started_tagged(e, "");
}

void JsonConsole::run_started_tagged(const RunStart& e, const std::string& tag) {
  emit("{\"event\":\"run.started\",\"workflow\":" + json_string(e.workflow_name) +
       ",\"file\":" + json_string(e.workflow_file) + ",\"trigger\":" + json_string(e.event) +
       ",\"ref\":" + json_string(e.ref) + ",\"sha\":" + json_string(e.sha) + tag + "}");
}
void JsonConsole::job_queued(const JobInfo& j) {
  emit("{\"event\":\"job.queued\"" + job_fields(j) + "}");
}
void JsonConsole::job_waiting(const JobInfo& j, std::string_view reason) {
  emit("{\"event\":\"job.waiting\"" + job_fields(j) + ",\"reason\":" + json_string(reason) + "}");
}
void JsonConsole::run_waiting(std::string_view workflow_name, std::string_view reason) {
  run_waiting_tagged(workflow_name, reason, "");
}
void JsonConsole::run_waiting_tagged(std::string_view workflow_name, std::string_view reason,
                                     const std::string& tag) {
  emit("{\"event\":\"run.waiting\",\"workflow\":" + json_string(workflow_name) +
       ",\"reason\":" + json_string(reason) + tag + "}");
}
void JsonConsole::job_started(const JobInfo& j) {
  emit("{\"event\":\"job.started\"" + job_fields(j) + "}");
}
void JsonConsole::step_started(const JobInfo& j, int index, std::string_view name) {
  emit("{\"event\":\"step.started\"" + job_fields(j) + ",\"step\":" + std::to_string(index) +
       ",\"step_name\":" + json_string(name) + "}");
}
void JsonConsole::step_line(const JobInfo& j, int index, std::string_view line) {
  emit("{\"event\":\"step.log\"" + job_fields(j) + ",\"step\":" + std::to_string(index) +
           ",\"line\":" + json_string(line) + "}",
       true);
}
void JsonConsole::step_group(const JobInfo& j, int index, std::string_view title) {
  emit("{\"event\":\"step.group\"" + job_fields(j) + ",\"step\":" + std::to_string(index) +
       ",\"title\":" + json_string(title) + "}");
}
void JsonConsole::step_finished(const JobInfo& j, int index, std::string_view name,
                                const StepEnd& e) {
  emit("{\"event\":\"step.finished\"" + job_fields(j) + ",\"step\":" + std::to_string(index) +
       ",\"step_name\":" + json_string(name) +
       ",\"outcome\":" + json_string(result_name(e.outcome)) +
       ",\"conclusion\":" + json_string(result_name(e.conclusion)) +
       ",\"detail\":" + json_string(e.detail) + ",\"duration_ms\":" + ms(e.duration) + "}");
}
void JsonConsole::annotation(const JobInfo& j, int step, const Annotation& a) {
  std::string out =
      "{\"event\":\"annotation\"" + job_fields(j) + ",\"step\":" + std::to_string(step) +
      ",\"level\":" + json_string(level_name(a.level)) + ",\"message\":" + json_string(a.message);
  if (a.file) out += ",\"file\":" + json_string(*a.file);
  if (a.line) out += ",\"line\":" + std::to_string(*a.line);
  if (a.title) out += ",\"title\":" + json_string(*a.title);
  emit(out + "}");
}
void JsonConsole::step_summary(const JobInfo& j, int step, std::string_view markdown) {
  emit("{\"event\":\"step.summary\"" + job_fields(j) + ",\"step\":" + std::to_string(step) +
       ",\"markdown\":" + json_string(markdown) + "}");
}
void JsonConsole::job_message(const JobInfo& j, std::string_view text) {
  emit("{\"event\":\"job.message\"" + job_fields(j) + ",\"text\":" + json_string(text) + "}");
}
void JsonConsole::job_finished(const JobInfo& j, const JobEnd& e) {
  std::string out = "{\"event\":\"job.finished\"" + job_fields(j) +
                    ",\"result\":" + json_string(result_name(e.result)) +
                    ",\"reason\":" + json_string(e.reason) + ",\"duration_ms\":" + ms(e.duration);
  if (!e.kept_workspace.empty()) out += ",\"workspace\":" + json_string(e.kept_workspace);
  if (e.carried_over) out += ",\"carried_over\":true";
  emit(out + "}");
}
void JsonConsole::run_finished(const RunEnd& e) {
  run_finished_tagged(e, "");
}

void JsonConsole::run_finished_tagged(const RunEnd& e, const std::string& tag) {
  std::string reason = e.reason.empty() ? "" : ",\"reason\":" + json_string(e.reason);
  emit("{\"event\":\"run.finished\",\"result\":" + json_string(result_name(e.result)) +
       ",\"duration_ms\":" + ms(e.duration) + reason + tag + "}");
}

}  // namespace pipewright::exec
