// The live board of `pipewright run` on a terminal (issue 3 §7): one line per running
// job (spinner, current step, elapsed), redrawn in place about ten times a second by
// its own thread; finished jobs scroll above it with ✓/✗/⊘ and their duration, and so
// do annotations, engine messages and the full log of a failed step (the last
// k_step_log_lines lines / k_step_log_bytes bytes of it; the rest is in the store).
// With `verbose` every output line scrolls above it too.
//
// Drawing: each frame erases the previous board (cursor up over the rows it took, then
// clear to the end of the screen), writes what scrolled since, then the new board;
// every board line is cut to the terminal width so that it takes one row, and the
// board never takes more rows than the terminal has ("… and N more running"). The
// cursor is hidden while the board runs and shown again by stop().
//
// Several runs (workflows running in parallel) share one board: each reports through
// its own sink from run_sink(), so jobs of two runs never mix even when the workflows
// have the same name.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pipewright/exec/console.h"
#include "pipewright/exec/events.h"
#include "pipewright/exec/terminal.h"

namespace pipewright::exec {

constexpr size_t k_step_log_lines = 1000;
constexpr size_t k_step_log_bytes = 1024 * 1024;

using BoardClock = std::chrono::steady_clock;

struct BoardOptions {
  bool verbose = false;
  bool colour = true;
  // Time source (tests pass a fixed one).
  std::function<BoardClock::time_point()> now = [] { return BoardClock::now(); };
};

// What the board shows about one running job.
struct BoardJob {
  std::string workflow;  // '' when only one workflow runs
  std::string job;
  std::string step;  // current step ('' before the first)
  BoardClock::time_point started;
};

// The state a frame is drawn from.
struct BoardView {
  std::vector<BoardJob> running;  // in start order
  size_t queued = 0, finished = 0, failed = 0;
  size_t tick = 0;  // spinner phase
  BoardClock::time_point now;
};

// The board's lines for a terminal of `size`: one per running job, each at most
// size.width - 1 columns, then a status line; at most size.height - 1 lines in all
// (the jobs that do not fit are collapsed into "… and N more running").
std::vector<std::string> render_board(const BoardView& view, TerminalSize size, bool colour);

class LiveBoard {
 public:
  LiveBoard(std::unique_ptr<Terminal> terminal, BoardOptions options = {});
  // Stops the board (see stop()).
  ~LiveBoard();
  LiveBoard(const LiveBoard&) = delete;
  LiveBoard& operator=(const LiveBoard&) = delete;

  // The sink for the events of one run of `workflow` (`run_id` names it in
  // "pipewright logs" hints; the summary lists runs in the order of these calls). Call
  // before the run starts; the board must outlive the sink.
  std::unique_ptr<EventSink> run_sink(int64_t run_id, std::string_view workflow = "");

  // Hides the cursor and starts the drawing thread (10 Hz).
  void start();
  // Draws one frame now: erase the board, write what scrolled, draw the board again.
  // The drawing thread calls it; tests call it directly.
  void draw();
  // Stops the thread, writes what is left to scroll, erases the board and shows the
  // cursor. Idempotent; the terminal is left as a plain terminal.
  void stop();
  // Writes `text` (whole lines) above the board at the next frame.
  void print_above(std::string_view text);

  const RunSummary& summary() const { return m_summary; }

 private:
  class RunSink;
  friend class RunSink;

  struct StepLog {
    std::deque<std::string> lines;
    size_t bytes = 0;
    size_t dropped = 0;
  };
  struct Job {
    BoardJob shown;
    int64_t run_id = 0;
    StepLog log;
    bool running = false;
    bool failure_shown = false;  // a failed step's lines gave why the job failed
  };
  using Key = std::pair<size_t, size_t>;  // (run, job instance)

  // Event handlers; `run` is the index of the run in m_runs.
  void on_run_started(size_t run, const RunStart& e);
  void on_job_queued(size_t run, const JobInfo& j);
  void on_job_started(size_t run, const JobInfo& j);
  void on_step_started(size_t run, const JobInfo& j, std::string_view name);
  void on_step_line(size_t run, const JobInfo& j, std::string_view line);
  // Whole lines, each ending in '\n'.
  void on_step_lines(size_t run, const JobInfo& j, std::string_view lines);
  void on_step_finished(size_t run, const JobInfo& j, int index, std::string_view name,
                        const StepEnd& e);
  void on_annotation(const JobInfo& j, const Annotation& a);
  void on_step_summary(const JobInfo& j, std::string_view markdown);
  void on_job_message(size_t run, const JobInfo& j, std::string_view text);
  // Why a job or a run waits: a line scrolled above the board.
  void on_job_waiting(size_t run, const JobInfo& j, std::string_view reason);
  void on_run_waiting(std::string_view workflow, std::string_view reason);
  void on_job_finished(size_t run, const JobInfo& j, const JobEnd& e);

  // Caller holds m_mutex.
  Job& job(size_t run, const JobInfo& j);
  std::string label(size_t run, const JobInfo& j) const;
  void add_line_locked(size_t run, const JobInfo& j, std::string_view line);
  std::string paint(std::string_view colour, std::string_view text) const;
  void scroll(std::string text);
  void draw_locked(bool final_frame);

  std::unique_ptr<Terminal> m_terminal;
  BoardOptions m_options;
  RunSummary m_summary;

  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<int64_t> m_runs;  // run ids, by run index
  std::map<Key, Job> m_jobs;
  std::vector<Key> m_order;  // running jobs in start order
  size_t m_queued = 0, m_finished = 0, m_failed = 0, m_tick = 0;
  std::string m_pending;        // to scroll above the board at the next frame
  std::vector<size_t> m_drawn;  // display widths of the board lines on screen
  bool m_started = false, m_stopping = false, m_stopped = false;
  std::thread m_thread;
};

}  // namespace pipewright::exec
