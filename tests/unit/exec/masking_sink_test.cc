// The masker in front of every sink: every text of every event is masked, whichever
// code made it; step output blocks (masked as a stream by the step runner) pass as is.
#include "pipewright/exec/masking_sink.h"

#include <gtest/gtest.h>

#include "pipewright/exec/console.h"
#include "pipewright/expr/json.h"

namespace pipewright::exec {
namespace {

// Writes every event as a line of text.
class TextSink : public EventSink {
 public:
  std::string text;
  void run_started(const RunStart& e) override {
    text += "run " + e.workflow_name + " " + e.workflow_file + " " + e.ref + "\n";
  }
  void step_started(const JobInfo&, int, std::string_view name) override {
    text += "step " + std::string(name) + "\n";
  }
  void step_line(const JobInfo&, int, std::string_view line) override {
    text += "line " + std::string(line) + "\n";
  }
  void step_lines(const JobInfo&, int, std::string_view lines) override {
    text += "lines " + std::string(lines);
  }
  void step_group(const JobInfo&, int, std::string_view title) override {
    text += "group " + std::string(title) + "\n";
  }
  void step_finished(const JobInfo&, int, std::string_view name, const StepEnd& e) override {
    text += "finished " + std::string(name) + ": " + e.detail + "\n";
  }
  void annotation(const JobInfo&, int, const Annotation& a) override {
    text += "annotation " + annotation_text(a) + "\n";
  }
  void step_summary(const JobInfo&, int, std::string_view markdown) override {
    text += "summary " + std::string(markdown) + "\n";
  }
  void job_message(const JobInfo&, std::string_view message) override {
    text += "message " + std::string(message) + "\n";
  }
  void job_finished(const JobInfo&, const JobEnd& e) override {
    text += "job " + e.reason + " " + e.kept_workspace + "\n";
  }
};

// Records the waiting events and the run's end.
class RecordingSink : public EventSink {
 public:
  std::string text;
  void job_waiting(const JobInfo&, std::string_view reason) override {
    text += "job " + std::string(reason) + "\n";
  }
  void run_waiting(std::string_view workflow, std::string_view reason) override {
    text += "run " + std::string(workflow) + " " + std::string(reason) + "\n";
  }
  void run_finished(const RunEnd& e) override {
    text += "end " + e.workflow_name + " " + e.reason + "\n";
  }
};

TEST(MaskingSink, MasksEveryTextOfEveryEvent) {
  Masker masker;
  masker.add_secret("s3cr3t-value");
  TextSink out;
  MaskingSink sink(out, masker);
  JobInfo job;
  sink.run_started(
      RunStart{"w-s3cr3t-value.yml", "W s3cr3t-value", "push", "refs/s3cr3t-value", "abc", {}});
  sink.step_started(job, 0, "step s3cr3t-value");
  sink.step_line(job, 0, "line s3cr3t-value");
  sink.step_group(job, 0, "group s3cr3t-value");
  Annotation a{AnnotationLevel::notice, "m s3cr3t-value"};
  a.file = "s3cr3t-value.txt";
  a.title = "t s3cr3t-value";
  a.line = 1;
  sink.annotation(job, 0, a);
  sink.step_summary(job, 0, "# s3cr3t-value");
  sink.step_finished(job, 0, "step s3cr3t-value", StepEnd{{}, {}, {}, "d s3cr3t-value"});
  sink.job_message(job, "msg s3cr3t-value");
  sink.job_finished(job, JobEnd{{}, "r s3cr3t-value", {}, "/ws/s3cr3t-value", false});
  EXPECT_EQ(out.text,
            "run W *** w-***.yml refs/***\n"
            "step step ***\n"
            "line line ***\n"
            "group group ***\n"
            "annotation ***.txt:1: notice: t ***: m ***\n"
            "summary # ***\n"
            "finished step ***: d ***\n"
            "message msg ***\n"
            "job r *** /ws/***\n");
}

// A group name or a run's reason may come from an input that holds a secret.
TEST(MaskingSink, MasksWaitingReasonsAndTheRunsReason) {
  Masker masker;
  masker.add_secret("s3cr3t-value");
  RecordingSink out;
  MaskingSink sink(out, masker);
  sink.job_waiting(JobInfo{}, "waiting for concurrency group 's3cr3t-value'");
  sink.run_waiting("W s3cr3t-value", "held by s3cr3t-value");
  sink.run_finished(RunEnd{Result::cancelled, {}, "for 's3cr3t-value'", "W s3cr3t-value"});
  EXPECT_EQ(out.text,
            "job waiting for concurrency group '***'\n"
            "run W *** held by ***\n"
            "end W *** for '***'\n");
}

// Blocks of plain output are masked by the step's stream before they get here.
TEST(MaskingSink, PassesStepOutputBlocksAsTheyAre) {
  Masker masker;
  masker.add_secret("s3cr3t-value");
  TextSink out;
  MaskingSink sink(out, masker);
  sink.step_lines(JobInfo{}, 0, "a ***\nb\n");
  EXPECT_EQ(out.text, "lines a ***\nb\n");
}

// Matrix values shown as JSON: strings, keys and numbers holding a secret are masked,
// and the JSON stays valid.
TEST(MaskValue, MasksStringsKeysAndNumbers) {
  Masker masker;
  masker.add_secret("s3cr3t\"value");
  masker.add_secret("424242");
  auto leg = expr::parse_json(
      R"({"v": "x s3cr3t\"value", "s3cr3t\"value": 1, "n": 424242, "list": [true, null, 424242.5]})");
  ASSERT_TRUE(leg);
  EXPECT_EQ(expr::to_json(mask_value(masker, *leg)),
            "{\n  \"v\": \"x ***\",\n  \"***\": 1,\n  \"n\": \"***\",\n  \"list\": [\n    true,\n"
            "    null,\n    \"***.5\"\n  ]\n}");
}

}  // namespace
}  // namespace pipewright::exec
