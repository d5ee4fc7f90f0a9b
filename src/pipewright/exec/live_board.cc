#include "pipewright/exec/live_board.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace pipewright::exec {

namespace {

constexpr std::string_view k_spinner[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr auto k_frame = std::chrono::milliseconds(100);
// Scrolled text waiting for the next frame is written at once past this size (-v on a
// step that prints fast must not grow memory).
constexpr size_t k_pending_limit = 256 * 1024;
// One buffered output line keeps at most this much (a single huge line must not defeat
// the per-step bound).
constexpr size_t k_line_limit = 64 * 1024;

constexpr std::string_view k_red = "\x1b[31m";
constexpr std::string_view k_green = "\x1b[32m";
constexpr std::string_view k_yellow = "\x1b[33m";
constexpr std::string_view k_cyan = "\x1b[36m";
constexpr std::string_view k_bold = "\x1b[1m";
constexpr std::string_view k_dim = "\x1b[2m";
constexpr std::string_view k_reset = "\x1b[0m";
constexpr std::string_view k_hide_cursor = "\x1b[?25l";
constexpr std::string_view k_show_cursor = "\x1b[?25h";

std::string paint_if(bool colour, std::string_view code, std::string_view text) {
  if (!colour || text.empty()) return std::string(text);
  return std::string(code) + std::string(text) + std::string(k_reset);
}

// Elapsed time that reads steadily while it grows: "0.4s", "12.3s", "2m03s".
std::string elapsed(std::chrono::nanoseconds d) {
  auto ms =
      std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  char buf[32];
  if (ms < 60000)
    std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", ms / 60000, ms / 1000 % 60);
  return buf;
}

// A shell word for the "pipewright logs" hint: quoted when it is not plain.
std::string shell_word(std::string_view text) {
  bool plain = !text.empty() && std::ranges::all_of(text, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (plain) return std::string(text);
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string_view level_word(AnnotationLevel level) {
  static constexpr std::string_view k_words[] = {"notice", "warning", "error"};
  return k_words[static_cast<size_t>(level)];
}

}  // namespace

std::vector<std::string> render_board(const BoardView& view, TerminalSize size, bool colour) {
  size_t width = size.width > 1 ? static_cast<size_t>(size.width - 1) : 0;
  size_t max_lines = size.height > 2 ? static_cast<size_t>(size.height - 1) : 1;
  std::string status = std::to_string(view.running.size()) + " running · " +
                       std::to_string(view.queued) + " queued · " + std::to_string(view.finished) +
                       " done";
  if (view.failed > 0)
    status += " · " + paint_if(colour, k_red, std::to_string(view.failed) + " failed");

  std::vector<std::string> lines;
  size_t shown = view.running.size();
  if (shown + 1 > max_lines) shown = max_lines >= 3 ? max_lines - 2 : 0;
  std::string_view spin = k_spinner[view.tick % std::size(k_spinner)];
  for (size_t i = 0; i < shown; ++i) {
    const BoardJob& job = view.running[i];
    std::string text = paint_if(colour, k_cyan, spin) + " ";
    if (!job.workflow.empty()) text += paint_if(colour, k_dim, job.workflow + " / ");
    text += paint_if(colour, k_bold, job.job) + "  " +
            paint_if(colour, k_dim, elapsed(view.now - job.started));
    if (!job.step.empty()) text += "  › " + job.step;
    lines.push_back(truncate_to_width(text, width));
  }
  if (shown < view.running.size() && max_lines >= 3)
    lines.push_back(truncate_to_width(
        paint_if(colour, k_dim,
                 "… and " + std::to_string(view.running.size() - shown) + " more running"),
        width));
  lines.push_back(truncate_to_width(paint_if(colour, k_dim, status), width));
  return lines;
}

// ---- the sink of one run --------------------------------------------------

class LiveBoard::RunSink : public EventSink {
 public:
  RunSink(LiveBoard& board, size_t run) : m_board(board), m_run(run) {}

  void run_started(const RunStart& e) override { m_board.on_run_started(m_run, e); }
  void job_queued(const JobInfo& j) override { m_board.on_job_queued(m_run, j); }
  void job_started(const JobInfo& j) override { m_board.on_job_started(m_run, j); }
  void step_started(const JobInfo& j, int, std::string_view name) override {
    m_board.on_step_started(m_run, j, name);
  }
  void step_line(const JobInfo& j, int, std::string_view line) override {
    m_board.on_step_line(m_run, j, line);
  }
  void step_lines(const JobInfo& j, int, std::string_view lines) override {
    m_board.on_step_lines(m_run, j, lines);
  }
  void step_group(const JobInfo& j, int, std::string_view title) override {
    m_board.on_step_line(m_run, j, "▶ " + std::string(title));
  }
  void step_finished(const JobInfo& j, int index, std::string_view name,
                     const StepEnd& e) override {
    m_board.on_step_finished(m_run, j, index, name, e);
  }
  void annotation(const JobInfo& j, int, const Annotation& a) override {
    m_board.on_annotation(j, a);
  }
  void step_summary(const JobInfo& j, int, std::string_view markdown) override {
    m_board.on_step_summary(j, markdown);
  }
  void job_message(const JobInfo& j, std::string_view text) override {
    m_board.on_job_message(m_run, j, text);
  }
  void job_waiting(const JobInfo& j, std::string_view reason) override {
    m_board.on_job_waiting(m_run, j, reason);
  }
  void run_waiting(std::string_view workflow, std::string_view reason) override {
    m_board.on_run_waiting(workflow, reason);
  }
  void job_finished(const JobInfo& j, const JobEnd& e) override {
    m_board.on_job_finished(m_run, j, e);
  }

 private:
  LiveBoard& m_board;
  size_t m_run;
};

// ---- LiveBoard ------------------------------------------------------------

LiveBoard::LiveBoard(std::unique_ptr<Terminal> terminal, BoardOptions options)
    : m_terminal(std::move(terminal)), m_options(std::move(options)) {}

LiveBoard::~LiveBoard() {
  stop();
}

std::unique_ptr<EventSink> LiveBoard::run_sink(int64_t run_id, std::string_view workflow) {
  if (!workflow.empty()) m_summary.add_run(workflow);
  std::lock_guard lock(m_mutex);
  m_runs.push_back(run_id);
  return std::make_unique<RunSink>(*this, m_runs.size() - 1);
}

void LiveBoard::start() {
  std::lock_guard lock(m_mutex);
  if (m_started || m_stopped) return;
  m_started = true;
  m_terminal->write(k_hide_cursor);
  m_thread = std::thread([this] {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
      draw_locked(false);
      ++m_tick;
      m_wake.wait_for(lock, k_frame, [this] { return m_stopping; });
    }
  });
}

void LiveBoard::draw() {
  std::lock_guard lock(m_mutex);
  draw_locked(false);
}

void LiveBoard::stop() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopped) return;
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
  std::lock_guard lock(m_mutex);
  draw_locked(true);
  if (m_started) m_terminal->write(k_show_cursor);
  m_stopped = true;
}

void LiveBoard::print_above(std::string_view text) {
  std::lock_guard lock(m_mutex);
  scroll(std::string(text));
}

void LiveBoard::draw_locked(bool final_frame) {
  TerminalSize size = m_terminal->size();
  size_t width = static_cast<size_t>(std::max(1, size.width));
  std::string out;
  size_t rows = 0;
  for (size_t w : m_drawn)
    rows += w == 0 ? 1 : (w + width - 1) / width;  // a narrowed terminal wrapped them
  if (rows > 0) out += "\r\x1b[" + std::to_string(rows) + "A\x1b[J";
  out += m_pending;
  m_pending.clear();
  m_drawn.clear();
  if (!final_frame) {
    BoardView view;
    view.queued = m_queued;
    view.finished = m_finished;
    view.failed = m_failed;
    view.tick = m_tick;
    view.now = m_options.now();
    for (const Key& key : m_order)
      view.running.push_back(m_jobs.at(key).shown);
    for (const std::string& line : render_board(view, size, m_options.colour)) {
      out += line + "\n";
      m_drawn.push_back(display_width(line));
    }
  }
  m_terminal->write(out);
}

void LiveBoard::scroll(std::string text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  m_pending += text;
  if (m_pending.size() > k_pending_limit) draw_locked(false);
}

std::string LiveBoard::paint(std::string_view colour, std::string_view text) const {
  return paint_if(m_options.colour, colour, text);
}

LiveBoard::Job& LiveBoard::job(size_t run, const JobInfo& j) {
  Job& found = m_jobs[Key{run, j.instance}];
  if (found.shown.job.empty()) {
    found.run_id = m_runs[run];
    found.shown.job = sanitize_line(j.name, false);
    if (m_runs.size() > 1) found.shown.workflow = sanitize_line(j.workflow_name, false);
  }
  return found;
}

std::string LiveBoard::label(size_t run, const JobInfo& j) const {
  std::string name = sanitize_line(j.name, false);
  if (m_runs.size() <= 1 || run >= m_runs.size()) return name;
  return sanitize_line(j.workflow_name, false) + " / " + name;
}

void LiveBoard::on_run_started(size_t, const RunStart& e) {
  m_summary.add_run(e.workflow_name);
  std::lock_guard lock(m_mutex);
  scroll(paint(k_dim, "Running " + sanitize_line(e.workflow_name, false) + " (" +
                          sanitize_line(e.workflow_file, false) + ") on " + e.event + " " + e.ref));
}

void LiveBoard::on_job_queued(size_t run, const JobInfo& j) {
  std::lock_guard lock(m_mutex);
  job(run, j);
  ++m_queued;
}

void LiveBoard::on_job_started(size_t run, const JobInfo& j) {
  std::lock_guard lock(m_mutex);
  Job& found = job(run, j);
  if (found.running) return;
  found.running = true;
  found.shown.started = m_options.now();
  if (m_queued > 0) --m_queued;
  m_order.push_back(Key{run, j.instance});
}

void LiveBoard::on_step_started(size_t run, const JobInfo& j, std::string_view name) {
  std::lock_guard lock(m_mutex);
  Job& found = job(run, j);
  found.shown.step = sanitize_line(name, false);
  found.log = StepLog{};
}

void LiveBoard::on_step_lines(size_t run, const JobInfo& j, std::string_view lines) {
  std::lock_guard lock(m_mutex);
  while (!lines.empty()) {
    size_t end = lines.find('\n');
    add_line_locked(run, j, lines.substr(0, end));
    if (end == std::string_view::npos) break;
    lines.remove_prefix(end + 1);
  }
}

void LiveBoard::on_step_line(size_t run, const JobInfo& j, std::string_view line) {
  std::lock_guard lock(m_mutex);
  add_line_locked(run, j, line);
}

void LiveBoard::add_line_locked(size_t run, const JobInfo& j, std::string_view line) {
  std::string clean = sanitize_line(line, m_options.colour);
  if (m_options.verbose) {
    scroll(paint(k_dim, label(run, j) + " │ ") + clean);
    return;
  }
  if (clean.size() > k_line_limit) {
    clean.resize(k_line_limit);
    clean = sanitize_line(clean, false) + "…";  // no cut escape or character left behind
  }
  StepLog& log = job(run, j).log;
  log.bytes += clean.size();
  log.lines.push_back(std::move(clean));
  while (log.lines.size() > k_step_log_lines ||
         (log.bytes > k_step_log_bytes && log.lines.size() > 1)) {
    log.bytes -= log.lines.front().size();
    log.lines.pop_front();
    ++log.dropped;
  }
}

void LiveBoard::on_step_finished(size_t run, const JobInfo& j, int index, std::string_view name,
                                 const StepEnd& e) {
  std::lock_guard lock(m_mutex);
  Job& found = job(run, j);
  std::string head = label(run, j) + " › " + sanitize_line(name, false);
  std::string detail = sanitize_line(e.detail, false);
  if (e.outcome == Result::failure) {
    // One line per error: a detail the step's last ##[error] line says is not repeated.
    constexpr std::string_view k_error = "##[error]";
    bool said = !detail.empty() && !found.log.lines.empty() &&
                found.log.lines.back().starts_with(k_error) &&
                found.log.lines.back().ends_with(detail);
    if (e.conclusion == Result::failure) found.failure_shown = true;
    std::string text = paint(k_red, "✗ " + head + " failed") + " (" + (said ? "" : detail + ", ");
    if (e.conclusion == Result::success) text += "continue-on-error, ";
    text += format_duration(e.duration) + ")\n";
    if (!m_options.verbose) {
      if (found.log.dropped > 0)
        text +=
            paint(k_dim, "  … " + std::to_string(found.log.dropped) +
                             " earlier lines in `pipewright logs " + std::to_string(found.run_id) +
                             " " + shell_word(j.name) + " " + std::to_string(index + 1) + "`") +
            "\n";
      for (const std::string& line : found.log.lines)
        text += paint(k_dim, "  │ ") + line + "\n";
    }
    scroll(std::move(text));
  } else if (m_options.verbose) {
    std::string mark = e.outcome == Result::success   ? paint(k_green, "✓")
                       : e.outcome == Result::skipped ? paint(k_yellow, "⊘")
                                                      : paint(k_yellow, "–");
    std::string text = mark + " " + head + " ";
    text += e.outcome == Result::skipped
                ? paint(k_dim, "skipped: " + detail)
                : paint(k_dim, "(" + format_duration(e.duration) +
                                   (e.outcome == Result::success ? "" : ", " + detail) + ")");
    scroll(std::move(text));
  }
  found.log = StepLog{};
}

void LiveBoard::on_annotation(const JobInfo& j, const Annotation& a) {
  m_summary.add_annotation(j, a);
  static constexpr std::string_view k_colours[] = {k_cyan, k_yellow, k_red};
  std::lock_guard lock(m_mutex);
  std::string text = annotation_text(a);
  std::string word(level_word(a.level));
  // The level word in colour: "src/app.py:7: error: ..." → "error" painted.
  if (size_t at = text.find(word + ": "); at != std::string::npos)
    text = text.substr(0, at) + paint(k_colours[static_cast<size_t>(a.level)], word) +
           text.substr(at + word.size());
  scroll("  " + paint(k_dim, sanitize_line(j.name, false) + ": ") + sanitize_line(text, true));
}

void LiveBoard::on_step_summary(const JobInfo& j, std::string_view markdown) {
  m_summary.add_step_summary(j, markdown);
}

void LiveBoard::on_job_message(size_t run, const JobInfo& j, std::string_view text) {
  std::lock_guard lock(m_mutex);
  scroll(paint(k_yellow, "! ") + label(run, j) + ": " + sanitize_line(text, false));
}

void LiveBoard::on_job_waiting(size_t run, const JobInfo& j, std::string_view reason) {
  std::lock_guard lock(m_mutex);
  scroll(paint(k_dim, "· ") + label(run, j) + "  " + sanitize_line(reason, false));
}

void LiveBoard::on_run_waiting(std::string_view workflow, std::string_view reason) {
  std::lock_guard lock(m_mutex);
  scroll(paint(k_dim, "· ") + sanitize_line(workflow, false) + "  " + sanitize_line(reason, false));
}

void LiveBoard::on_job_finished(size_t run, const JobInfo& j, const JobEnd& e) {
  m_summary.add_job(j, e);
  std::lock_guard lock(m_mutex);
  Key key{run, j.instance};
  Job& found = job(run, j);
  if (!found.running && m_queued > 0) --m_queued;
  std::erase(m_order, key);
  ++m_finished;
  if (e.result == Result::failure && !e.continue_on_error) ++m_failed;

  std::string name = label(run, j);
  std::string reason = sanitize_line(e.reason, false);
  std::string duration = format_duration(e.duration);
  std::string text;
  switch (e.result) {
    case Result::success:
      text = paint(k_green, "✓") + " " + name + "  " + paint(k_dim, duration);
      break;
    case Result::failure:
      text = paint(k_red, "✗") + " " + name + "  " + paint(k_dim, duration) + "  " +
             paint(k_red, e.continue_on_error ? "failed (continue-on-error)" : "failed");
      if (!reason.empty() && !found.failure_shown) text += ": " + reason;
      break;
    case Result::skipped:
      text = paint(k_yellow, "⊘") + " " + name + "  " +
             paint(k_dim, reason.empty() ? "skipped" : "skipped: " + reason);
      break;
    case Result::cancelled:
      text = paint(k_yellow, "–") + " " + name + "  " + paint(k_dim, duration) + "  " +
             paint(k_yellow, "cancelled");
      if (!reason.empty()) text += ": " + reason;
      break;
  }
  if (!e.kept_workspace.empty())
    text += "\n  " + paint(k_dim, "workspace kept at " + sanitize_line(e.kept_workspace, false));
  scroll(std::move(text));
  m_jobs.erase(key);
}

}  // namespace pipewright::exec
