// The live board drawn on a fake terminal: frames as strings, no timing (a fixed
// clock, frames drawn by hand with draw()).
#include "pipewright/exec/live_board.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipewright/exec/job_slots.h"

namespace pipewright::exec {
namespace {

using namespace std::chrono_literals;

class FakeTerminal : public Terminal {
 public:
  FakeTerminal(std::string* out, TerminalSize size) : m_out(out), m_size(size) {}
  void write(std::string_view bytes) override { m_out->append(bytes); }
  TerminalSize size() override { return m_size; }

 private:
  std::string* m_out;
  TerminalSize m_size;
};

size_t count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// The board lines of the last frame: what follows the last erase sequence (or all
// output), split into lines.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

JobInfo job_info(size_t instance, std::string name, std::string workflow = "CI") {
  JobInfo j;
  j.instance = instance;
  j.workflow_name = std::move(workflow);
  j.job_id = name;
  j.name = std::move(name);
  return j;
}

struct Fixture {
  std::string out;
  BoardClock::time_point now = BoardClock::time_point() + 1000s;
  std::unique_ptr<LiveBoard> board;

  explicit Fixture(TerminalSize size = {80, 24}, bool verbose = false) {
    BoardOptions options;
    options.verbose = verbose;
    options.colour = false;
    options.now = [this] { return now; };
    board = std::make_unique<LiveBoard>(std::make_unique<FakeTerminal>(&out, size), options);
  }
  // The output since the last call.
  std::string take() {
    std::string text = std::move(out);
    out.clear();
    return text;
  }
};

TEST(RenderBoard, OneLinePerRunningJobThenStatus) {
  BoardView view;
  view.now = BoardClock::time_point() + 20s;
  view.running.push_back({"", "build", "Run make", BoardClock::time_point() + 8s});
  view.running.push_back({"", "test (3.11)", "", BoardClock::time_point() + 19500ms});
  view.queued = 2;
  view.finished = 1;
  auto lines = render_board(view, {80, 24}, false);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "⠋ build  12.0s  › Run make");
  EXPECT_EQ(lines[1], "⠋ test (3.11)  0.5s");
  EXPECT_EQ(lines[2], "2 running · 2 queued · 1 done");
}

TEST(RenderBoard, SpinnerAdvancesWithTheTick) {
  BoardView view;
  view.running.push_back({"", "build", "", view.now});
  view.tick = 1;
  EXPECT_TRUE(render_board(view, {80, 24}, false)[0].starts_with("⠙ "));
}

TEST(RenderBoard, WorkflowShownWhenSeveralRun) {
  BoardView view;
  view.running.push_back({"Docs", "build", "", view.now});
  EXPECT_EQ(render_board(view, {80, 24}, false)[0], "⠋ Docs / build  0.0s");
}

TEST(RenderBoard, LinesAreCutToTheWidth) {
  BoardView view;
  view.running.push_back({"", "build", std::string(200, 'x'), view.now});
  auto lines = render_board(view, {40, 24}, false);
  EXPECT_EQ(display_width(lines[0]), 39u);
  EXPECT_TRUE(lines[0].ends_with("…"));
  for (const std::string& line : render_board(view, {40, 24}, true))
    EXPECT_LE(display_width(line), 39u);
}

TEST(RenderBoard, NeverTallerThanTheTerminal) {
  BoardView view;
  for (int i = 0; i < 30; ++i)
    view.running.push_back({"", "job" + std::to_string(i), "", view.now});
  auto lines = render_board(view, {80, 10}, false);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[6], "⠋ job6  0.0s");
  EXPECT_EQ(lines[7], "… and 23 more running");
  EXPECT_EQ(lines[8], "30 running · 0 queued · 0 done");
  // A tiny terminal gets the status line only.
  EXPECT_EQ(render_board(view, {80, 2}, false).size(), 1u);
}

TEST(RenderBoard, FailedCountInRedWithColour) {
  BoardView view;
  view.failed = 1;
  auto lines = render_board(view, {80, 24}, true);
  EXPECT_NE(lines.back().find("\x1b[31m1 failed\x1b[0m"), std::string::npos);
}

TEST(LiveBoard, FramesEraseThePreviousBoard) {
  Fixture f;
  auto sink = f.board->run_sink(7);
  JobInfo build = job_info(0, "build");
  sink->job_queued(build);
  sink->job_started(build);
  sink->step_started(build, 0, "Run make");
  f.now += 3s;
  f.board->draw();
  std::string first = f.take();
  EXPECT_EQ(first, "⠋ build  3.0s  › Run make\n1 running · 0 queued · 0 done\n");
  f.board->draw();
  std::string second = f.take();
  // Up over the two rows drawn, clear to the end of the screen, draw again.
  EXPECT_TRUE(second.starts_with("\r\x1b[2A\x1b[J")) << second;
}

TEST(LiveBoard, FinishedJobsScrollAboveWithMarks) {
  Fixture f;
  auto sink = f.board->run_sink(7);
  JobInfo build = job_info(0, "build"), win = job_info(1, "windows"), test = job_info(2, "test");
  for (const JobInfo& j : {build, win, test})
    sink->job_queued(j);
  sink->job_started(build);
  sink->job_started(test);
  JobEnd ok;
  ok.duration = 1500ms;
  sink->job_finished(build, ok);
  JobEnd skipped;
  skipped.result = Result::skipped;
  skipped.reason = "unsupported on this host: windows-latest";
  sink->job_finished(win, skipped);
  f.board->draw();
  auto lines = lines_of(f.take());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "✓ build  1.5s");
  EXPECT_EQ(lines[1], "⊘ windows  skipped: unsupported on this host: windows-latest");
  EXPECT_EQ(lines[2], "⠋ test  0.0s");
  EXPECT_EQ(lines[3], "1 running · 0 queued · 2 done");
}

// A job or a run that cannot start says why, above the board.
TEST(LiveBoard, WaitingReasonsScrollAbove) {
  Fixture f;
  auto sink = f.board->run_sink(7);
  JobInfo deploy = job_info(0, "deploy");
  sink->run_waiting("CD", "waiting for concurrency group 'prod', held by run 6 (CD)");
  sink->job_queued(deploy);
  sink->job_waiting(deploy,
                    "waiting for concurrency group 'db', held by job 'migrate' of run 5 (CI)");
  f.board->draw();
  auto lines = lines_of(f.take());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "· CD  waiting for concurrency group 'prod', held by run 6 (CD)");
  EXPECT_EQ(lines[1],
            "· deploy  waiting for concurrency group 'db', held by job 'migrate' of run 5 (CI)");
  EXPECT_EQ(lines[2], "0 running · 1 queued · 0 done");
}

TEST(LiveBoard, FailedStepPrintsItsWholeLog) {
  Fixture f;
  auto sink = f.board->run_sink(7);
  JobInfo test = job_info(0, "test");
  sink->job_queued(test);
  sink->job_started(test);
  sink->step_started(test, 0, "setup");
  sink->step_line(test, 0, "setup output is not shown");
  sink->step_finished(test, 0, "setup", StepEnd{});
  sink->step_started(test, 1, "pytest");
  sink->step_lines(test, 1, "collected 3 items\n\x1b[31mFAILED\x1b[0m test_x.py::test_a\r\n");
  StepEnd failed{Result::failure, Result::failure, 2s, "exited with code 1"};
  sink->step_finished(test, 1, "pytest", failed);
  JobEnd end{Result::failure, "", 2500ms, "", false};
  sink->job_finished(test, end);
  f.board->draw();
  std::string text = f.take();
  EXPECT_EQ(text.find("setup output"), std::string::npos);
  auto lines = lines_of(text);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "✗ test › pytest failed (exited with code 1, 2.0s)");
  EXPECT_EQ(lines[1], "  │ collected 3 items");
  EXPECT_EQ(lines[2], "  │ FAILED test_x.py::test_a");  // no colour: escapes dropped, \r too
  EXPECT_EQ(lines[3], "✗ test  2.5s  failed");
}

// One line per error: the step's ##[error] line says it, so neither the step's line nor
// the job's repeats it.
TEST(LiveBoard, ErrorSaidOnce) {
  Fixture f;
  auto sink = f.board->run_sink(7);
  JobInfo test = job_info(0, "test");
  sink->job_queued(test);
  sink->job_started(test);
  sink->step_started(test, 0, "Run ./a");
  sink->step_line(test, 0, "##[error]a/action.yml:1:1: missing required key 'runs'");
  sink->step_finished(test, 0, "Run ./a",
                      StepEnd{Result::failure, Result::failure, 2s,
                              "a/action.yml:1:1: missing required key 'runs'"});
  sink->job_finished(
      test, JobEnd{Result::failure, "Run ./a: a/action.yml:1:1: missing required key 'runs'",
                   2500ms, "", false});
  f.board->draw();
  auto lines = lines_of(f.take());
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "✗ test › Run ./a failed (2.0s)");
  EXPECT_EQ(lines[1], "  │ ##[error]a/action.yml:1:1: missing required key 'runs'");
  EXPECT_EQ(lines[2], "✗ test  2.5s  failed");
}

TEST(LiveBoard, StepLogBufferIsBounded) {
  Fixture f;
  auto sink = f.board->run_sink(42);
  JobInfo test = job_info(0, "test (3.11)");
  sink->job_started(test);
  sink->step_started(test, 2, "loud");
  for (size_t i = 0; i < k_step_log_lines + 5; ++i)
    sink->step_line(test, 2, "line " + std::to_string(i));
  sink->step_finished(test, 2, "loud", StepEnd{Result::failure, Result::failure, 1s, "exited"});
  f.board->draw();
  std::string text = f.take();
  EXPECT_NE(text.find("  … 5 earlier lines in `pipewright logs 42 'test (3.11)' 3`\n"),
            std::string::npos)
      << text.substr(0, 300);
  EXPECT_EQ(text.find("│ line 4\n"), std::string::npos);
  EXPECT_NE(text.find("│ line 5\n"), std::string::npos);
  EXPECT_EQ(count(text, "│ line "), k_step_log_lines);
}

TEST(LiveBoard, VerboseShowsEveryLine) {
  Fixture f({80, 24}, true);
  auto sink = f.board->run_sink(1);
  JobInfo build = job_info(0, "build");
  sink->job_started(build);
  sink->step_started(build, 0, "echo");
  sink->step_line(build, 0, "hello");
  sink->step_finished(build, 0, "echo", StepEnd{Result::success, Result::success, 10ms, ""});
  f.board->draw();
  auto lines = lines_of(f.take());
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "build │ hello");
  EXPECT_EQ(lines[1], "✓ build › echo (10ms)");
}

TEST(LiveBoard, AnnotationsScrollAndReachTheSummary) {
  Fixture f;
  auto sink = f.board->run_sink(1);
  JobInfo build = job_info(0, "build");
  sink->job_started(build);
  Annotation a;
  a.level = AnnotationLevel::warning;
  a.message = "deprecated";
  a.file = "src/app.py";
  a.line = 7;
  sink->annotation(build, 0, a);
  f.board->draw();
  EXPECT_EQ(lines_of(f.take())[0], "  build: src/app.py:7: warning: deprecated");
  sink->job_finished(build, JobEnd{});
  std::string summary = f.board->summary().render();
  EXPECT_NE(summary.find("[CI/build] src/app.py:7: warning: deprecated"), std::string::npos);
  EXPECT_NE(summary.find("1 succeeded\n"), std::string::npos);
}

TEST(LiveBoard, TwoRunsKeepTheirJobsApart) {
  Fixture f;
  auto ci = f.board->run_sink(1);
  auto docs = f.board->run_sink(2);
  // Same workflow name and instance number in both runs.
  JobInfo a = job_info(0, "build", "CI"), b = job_info(0, "build", "CI");
  ci->job_started(a);
  docs->job_started(b);
  ci->step_started(a, 0, "compile");
  docs->step_started(b, 0, "render");
  f.board->draw();
  auto lines = lines_of(f.take());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "⠋ CI / build  0.0s  › compile");
  EXPECT_EQ(lines[1], "⠋ CI / build  0.0s  › render");
  ci->job_finished(a, JobEnd{});
  f.board->draw();
  auto after = lines_of(f.take());
  EXPECT_EQ(after.back(), "1 running · 0 queued · 1 done");
}

TEST(LiveBoard, StopErasesTheBoardAndShowsTheCursor) {
  Fixture f;
  auto sink = f.board->run_sink(1);
  JobInfo build = job_info(0, "build");
  sink->job_started(build);
  f.board->draw();
  f.take();
  sink->job_finished(build, JobEnd{});
  f.board->stop();
  std::string last = f.take();
  EXPECT_TRUE(last.starts_with("\r\x1b[2A\x1b[J✓ build  0ms\n")) << last;
  // Never started: no cursor sequences at all.
  EXPECT_EQ(last.find("\x1b[?25"), std::string::npos);
  f.board->stop();  // idempotent
  EXPECT_TRUE(f.take().empty());
}

TEST(LiveBoard, StartedBoardHidesThenShowsTheCursor) {
  Fixture f;
  f.board->start();
  f.board->stop();
  std::string text = f.take();
  EXPECT_TRUE(text.starts_with("\x1b[?25l"));
  EXPECT_TRUE(text.ends_with("\x1b[?25h"));
}

TEST(LiveBoard, NarrowedTerminalErasesWrappedRows) {
  std::string out;
  struct Shrinking : Terminal {
    std::string* out;
    int width = 80;
    void write(std::string_view bytes) override { out->append(bytes); }
    TerminalSize size() override { return {width, 24}; }
  };
  auto terminal = std::make_unique<Shrinking>();
  terminal->out = &out;
  Shrinking* raw = terminal.get();
  BoardOptions options;
  options.colour = false;
  LiveBoard board(std::move(terminal), options);
  auto sink = board.run_sink(1);
  JobInfo j = job_info(0, "job");
  sink->job_started(j);
  sink->step_started(j, 0, std::string(100, 's'));
  board.draw();  // job line 79 columns, status line 29
  out.clear();
  raw->width = 40;  // the 79-column line now takes 2 rows
  board.draw();
  EXPECT_TRUE(out.starts_with("\r\x1b[3A\x1b[J")) << out.substr(0, 20);
}

TEST(Terminal, DisplayWidthSkipsEscapesAndCountsWideCharacters) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("\x1b[31mabc\x1b[0m"), 3u);
  EXPECT_EQ(display_width("✓ ok"), 4u);
  EXPECT_EQ(display_width("日本"), 4u);
  EXPECT_EQ(display_width("e\xCC\x81"), 1u);  // e + combining acute
}

TEST(Terminal, TruncateKeepsColourAndResets) {
  EXPECT_EQ(truncate_to_width("abcdef", 4), "abc…");
  EXPECT_EQ(truncate_to_width("abc", 4), "abc");
  EXPECT_EQ(truncate_to_width("\x1b[31mabcdef", 4), "\x1b[31mabc…\x1b[0m");
  EXPECT_EQ(truncate_to_width("日本語", 4), "日…");
}

TEST(Terminal, SanitizeDropsControlsAndCursorMovement) {
  EXPECT_EQ(sanitize_line("a\x1b[2Kb\x1b[1Ac\rd\te", false), "abcd e");
  EXPECT_EQ(sanitize_line("\x1b[32mok\x1b[0m", false), "ok");
  EXPECT_EQ(sanitize_line("\x1b[32mok\x1b[0m", true), "\x1b[32mok\x1b[0m\x1b[0m");
  EXPECT_EQ(sanitize_line("bad\xFF"
                          "byte",
                          false),
            "bad\xEF\xBF\xBD"
            "byte");
  EXPECT_EQ(sanitize_line("\x1b]0;title\a", false), "");
}

TEST(JobSlots, NeverMoreThanTheLimit) {
  JobSlots slots(2);
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_FALSE(slots.try_acquire());
  EXPECT_EQ(slots.in_use(), 2u);
  slots.release();
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_EQ(JobSlots(0).limit(), 1u);
}

}  // namespace
}  // namespace pipewright::exec
