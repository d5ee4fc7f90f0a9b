// The end-of-run summary: table grouped by workflow, the count line, annotations with
// file:line and step summaries.
#include "pipewright/exec/console.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipewright/util/utf8.h"

namespace pipewright::exec {
namespace {

using namespace std::chrono_literals;

JobInfo job_info(std::string workflow, std::string name) {
  JobInfo j;
  j.workflow_name = std::move(workflow);
  j.job_id = name;
  j.name = std::move(name);
  return j;
}

TEST(CountLine, SaysWhatHappened) {
  EXPECT_EQ(count_line({}), "no jobs ran");
  std::vector<SummaryRow> rows = {
      {"CI", "a", Result::success, 1s, "", false}, {"CI", "b", Result::failure, 1s, "", false},
      {"CI", "c", Result::failure, 1s, "", true},  {"CI", "d", Result::skipped, 0s, "why", false},
      {"CI", "e", Result::success, 1s, "", false}, {"CI", "f", Result::cancelled, 1s, "", false},
  };
  EXPECT_EQ(count_line(rows),
            "2 succeeded, 2 failed (1 allowed by continue-on-error), 1 cancelled, 1 skipped");
}

TEST(RunSummary, GroupsJobsByWorkflowInRunOrder) {
  RunSummary summary;
  summary.add_run("CI");
  summary.add_run("Docs");
  summary.add_job(job_info("Docs", "site"), JobEnd{Result::success, "", 2s, "", false});
  summary.add_job(job_info("CI", "test"), JobEnd{Result::failure, "", 61s, "", false});
  summary.add_job(job_info("CI", "windows"),
                  JobEnd{Result::skipped, "unsupported on this host", 0ms, "", false});
  EXPECT_EQ(summary.render(),
            "\n"
            "WORKFLOW  JOB      RESULT     DURATION  REASON\n"
            "CI        test     failure    1m01s\n"
            "CI        windows  skipped    -         unsupported on this host\n"
            "Docs      site     success    2.0s\n"
            "1 succeeded, 1 failed, 1 skipped\n");
}

TEST(RunSummary, AnnotationsAndStepSummaries) {
  RunSummary summary;
  JobInfo build = job_info("CI", "build");
  Annotation a;
  a.level = AnnotationLevel::error;
  a.message = "boom";
  a.title = "Lint";
  a.file = "src/x.cc";
  a.line = 3;
  a.column = 9;
  summary.add_annotation(build, a);
  summary.add_step_summary(build, "## Coverage\n93%");
  summary.add_job(build, JobEnd{Result::failure, "", 1s, "", true});
  std::string text = summary.render();
  EXPECT_NE(text.find("failure    1.0s      continue-on-error\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nAnnotations:\n  [CI/build] src/x.cc:3:9: error: Lint: boom\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n--- step summary [CI/build]\n## Coverage\n93%\n"), std::string::npos);
}

TEST(RunSummary, ColouredResultKeepsTheColumns) {
  RunSummary summary;
  summary.add_job(job_info("CI", "a"), JobEnd{Result::success, "", 1s, "", false});
  std::string text = summary.render(true);
  EXPECT_NE(text.find("CI        a    \x1b[32msuccess  \x1b[0m  1.0s\n"), std::string::npos)
      << text;
}

JobInfo leg_info(std::string job, std::string values, size_t instance) {
  JobInfo j = job_info("CI", job + " (" + values + ")");
  j.job_id = std::move(job);
  j.matrix_json = "{}";
  j.instance = instance;
  return j;
}

// Legs of one job all skipped for one reason are one row; the count still counts legs.
TEST(RunSummary, FoldsLegsSkippedForOneReason) {
  RunSummary summary;
  summary.add_run("CI");
  for (size_t i = 0; i < 3; ++i)
    summary.add_job(
        leg_info("win", std::to_string(i), i),
        JobEnd{Result::skipped, "unsupported on this host: windows-latest", 0ms, "", false});
  summary.add_job(leg_info("mix", "a", 3), JobEnd{Result::skipped, "one reason", 0ms, "", false});
  summary.add_job(leg_info("mix", "b", 4), JobEnd{Result::skipped, "another", 0ms, "", false});
  summary.add_job(leg_info("part", "a", 5), JobEnd{Result::skipped, "same", 0ms, "", false});
  summary.add_job(leg_info("part", "b", 6), JobEnd{Result::skipped, "same", 0ms, "", false});
  summary.add_job(leg_info("part", "c", 7), JobEnd{Result::success, "", 1s, "", false});
  EXPECT_EQ(summary.render(),
            "\n"
            "WORKFLOW  JOB               RESULT     DURATION  REASON\n"
            "CI        win (all 3 legs)  skipped    -         unsupported on this host: "
            "windows-latest\n"
            "CI        mix (a)           skipped    -         one reason\n"
            "CI        mix (b)           skipped    -         another\n"
            "CI        part (a)          skipped    -         same\n"
            "CI        part (b)          skipped    -         same\n"
            "CI        part (c)          success    1.0s\n"
            "1 succeeded, 7 skipped\n");
}

// An error an ##[error] line said is not repeated by the step's or the job's line.
TEST(PlainConsole, OneLinePerError) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    PlainConsole console(out);
    JobInfo build = job_info("CI", "build");
    console.step_started(build, 0, "Run ./a");
    console.step_line(build, 0, "##[error]a/action.yml:1:1: missing required key 'runs'");
    console.step_finished(build, 0, "Run ./a",
                          StepEnd{Result::failure, Result::failure, 1s,
                                  "a/action.yml:1:1: missing required key 'runs'"});
    console.job_finished(
        build, JobEnd{Result::failure, "Run ./a: a/action.yml:1:1: missing required key 'runs'", 1s,
                      "", false});
    JobInfo test = job_info("CI", "test");
    console.step_line(test, 0, "##[error]Process completed with exit code 3.");
    console.step_finished(test, 0, "Run exit 3",
                          StepEnd{Result::failure, Result::failure, 1s, "exited with code 3"});
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(text,
            "[CI/build] > Run ./a\n"
            "[CI/build] | ##[error]a/action.yml:1:1: missing required key 'runs'\n"
            "[CI/build] ✗ Run ./a (1.0s)\n"
            "[CI/build] ✗ job failure in 1.0s\n"
            "[CI/test] | ##[error]Process completed with exit code 3.\n"
            "[CI/test] ✗ Run exit 3 (1.0s, exited with code 3)\n");
}

TEST(PlainConsole, PrintsLinesAndTheSummary) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    PlainConsole console(out);
    JobInfo build = job_info("CI", "build");
    console.run_started(RunStart{"ci.yml", "CI", "push", "refs/heads/main", "abc", {}});
    console.step_started(build, 0, "make");
    console.step_line(build, 0, "ok");
    console.job_finished(build, JobEnd{Result::success, "", 1s, "", false});
    console.print_summary();
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(text,
            "Running CI (ci.yml) on push refs/heads/main\n"
            "[CI/build] > make\n"
            "[CI/build] | ok\n"
            "[CI/build] ✓ job success in 1.0s\n"
            "\n"
            "WORKFLOW  JOB    RESULT     DURATION  REASON\n"
            "CI        build  success    1.0s\n"
            "1 succeeded\n");
}

TEST(JsonConsole, RunSinkTagsRunStartAndEnd) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    JsonConsole console(out);
    auto docs = console.run_sink(12, "Docs");
    docs->run_started(RunStart{"docs.yml", "Docs", "push", "refs/heads/main", "abc", {}});
    docs->job_started(job_info("Docs", "site"));
    docs->run_finished(RunEnd{Result::success, 5ms});
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(text,
            "{\"event\":\"run.started\",\"workflow\":\"Docs\",\"file\":\"docs.yml\","
            "\"trigger\":\"push\",\"ref\":\"refs/heads/main\",\"sha\":\"abc\",\"run_id\":12}\n"
            "{\"event\":\"job.started\",\"workflow\":\"Docs\",\"job\":\"site\",\"name\":"
            "\"site\",\"instance\":0}\n"
            "{\"event\":\"run.finished\",\"result\":\"success\",\"duration_ms\":5,"
            "\"workflow\":\"Docs\",\"run_id\":12}\n");
}

// Why a job or a run waits: one line each; a run that ended for a reason no job gives
// (a concurrency group) says it; a carried-over job has no duration.
TEST(PlainConsole, SaysWhyAJobOrARunWaits) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    PlainConsole console(out);
    console.run_waiting("Deploy", "waiting for concurrency group 'prod', held by run 3 (Deploy)");
    console.job_waiting(job_info("CI", "test"),
                        "waiting for a free job slot (all 2 in use, -p); position 1 of 1 in this "
                        "run's queue");
    JobEnd carried{Result::success, "carried over from an earlier attempt", 0ms, "", false};
    carried.carried_over = true;
    console.job_finished(job_info("CI", "build"), carried);
    console.run_finished(RunEnd{Result::success, 1s});  // nothing to add
    console.run_finished(
        RunEnd{Result::cancelled, 1s,
               "Canceling since a higher priority waiting request for 'prod' exists", "Deploy"});
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(text,
            "[Deploy] . waiting for concurrency group 'prod', held by run 3 (Deploy)\n"
            "[CI/test] . waiting for a free job slot (all 2 in use, -p); position 1 of 1 in this "
            "run's queue\n"
            "[CI/build] ✓ job success: carried over from an earlier attempt\n"
            "[Deploy] ⊘ run cancelled: Canceling since a higher priority waiting request for "
            "'prod' exists\n");
}

TEST(JsonConsole, WaitingEventsCarriedJobsAndTheRunsReason) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    JsonConsole console(out);
    auto deploy = console.run_sink(7, "Deploy");
    deploy->run_waiting("Deploy", "waiting for concurrency group 'prod', held by run 6 (Deploy)");
    deploy->job_waiting(job_info("Deploy", "ship"), "waiting: max-parallel");
    JobEnd carried{Result::failure, "carried over from an earlier attempt", 0ms, "", false};
    carried.carried_over = true;
    deploy->job_finished(job_info("Deploy", "build"), carried);
    deploy->run_finished(RunEnd{Result::cancelled, 5ms, "Canceling since …", "Deploy"});
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(text,
            "{\"event\":\"run.waiting\",\"workflow\":\"Deploy\",\"reason\":\"waiting for "
            "concurrency group 'prod', held by run 6 (Deploy)\",\"run_id\":7}\n"
            "{\"event\":\"job.waiting\",\"workflow\":\"Deploy\",\"job\":\"ship\",\"name\":"
            "\"ship\",\"instance\":0,\"reason\":\"waiting: max-parallel\"}\n"
            "{\"event\":\"job.finished\",\"workflow\":\"Deploy\",\"job\":\"build\",\"name\":"
            "\"build\",\"instance\":0,\"result\":\"failure\",\"reason\":\"carried over from "
            "an earlier attempt\",\"duration_ms\":0,\"carried_over\":true}\n"
            "{\"event\":\"run.finished\",\"result\":\"cancelled\",\"duration_ms\":5,"
            "\"reason\":\"Canceling since …\",\"workflow\":\"Deploy\",\"run_id\":7}\n");
}

// Whatever bytes a step prints (an overlong NUL, a code point past U+10FFFF, a stray
// continuation byte), every --json event is valid UTF-8 JSON: the bad bytes are U+FFFD.
TEST(JsonConsole, InvalidUtf8BecomesTheReplacementCharacter) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    JsonConsole console(out);
    JobInfo job = job_info("CI", "b\xC0\x80uild");
    job.matrix_json = "{\"v\": \"\xF4\x90\x80\x80\"}";
    console.job_started(job);
    console.step_line(job, 0, "x\xC0\x80y\xF4\x90\x80\x80z\x80\xE2\x82\xAC");
  }
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(util::find_invalid_utf8(text), std::nullopt) << text;
  size_t lines = 0;
  for_each_line(text, [&](std::string_view line) {
    ++lines;
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  });
  EXPECT_EQ(lines, 2u);
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_NE(text.find("\"line\":\"x" + fffd + fffd + "y" + fffd + fffd + fffd + fffd + "z" + fffd +
                      "\xE2\x82\xAC\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\"matrix\":{\"v\": \"" + fffd + fffd + fffd + fffd + "\"}"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace pipewright::exec
