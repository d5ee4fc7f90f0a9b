#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipewright/exec/events.h"

namespace pipewright::exec {
namespace {

// Writes each event it receives as one line of text.
class TranscriptSink : public EventSink {
 public:
  std::vector<std::string> events;
  void step_started(const JobInfo& j, int index, std::string_view name) override {
    events.push_back(j.name + " started " + std::to_string(index) + " " + std::string(name));
  }
  void step_line(const JobInfo& j, int index, std::string_view line) override {
    events.push_back(j.name + " line " + std::to_string(index) + " " + std::string(line));
  }
  void step_finished(const JobInfo& j, int index, std::string_view name,
                     const StepEnd& e) override {
    events.push_back(j.name + " finished " + std::to_string(index) + " " + std::string(name) + " " +
                     std::string(result_name(e.conclusion)) + " " + e.detail);
  }
  void job_message(const JobInfo& j, std::string_view text) override {
    events.push_back(j.name + " message " + std::string(text));
  }
  void flush() override { events.push_back("flush"); }
};

JobInfo job_named(std::string name) {
  JobInfo job;
  job.name = std::move(name);
  return job;
}

TEST(DeferredSinkTest, ForwardsAtOnceWhenNotDeferring) {
  TranscriptSink target;
  DeferredSink sink(target);
  JobInfo job = job_named("build");
  sink.step_started(job, 0, "Run make");
  sink.step_line(job, 0, "ok");
  EXPECT_EQ(target.events,
            (std::vector<std::string>{"build started 0 Run make", "build line 0 ok"}));
}

TEST(DeferredSinkTest, HeldEventsArriveInOrderOnReleaseWithTheirOwnCopies) {
  TranscriptSink target;
  DeferredSink sink(target);
  JobInfo job = job_named("test");
  sink.defer();
  {
    std::string name = "Run pytest";
    std::string line = "3 passed";
    sink.step_finished(job, 1, name, StepEnd{Result::failure, Result::success, {}, "exit 1"});
    sink.job_message(job, line);
    sink.step_started(job, 2, name);
    sink.flush();
    name.assign("overwritten");  // the sink kept copies, not views
    line.assign("overwritten");
  }
  EXPECT_TRUE(target.events.empty());
  sink.release();
  EXPECT_EQ(target.events, (std::vector<std::string>{"test finished 1 Run pytest success exit 1",
                                                     "test message 3 passed",
                                                     "test started 2 Run pytest", "flush"}));
  sink.step_line(job, 2, "after");  // released: forwarded again
  EXPECT_EQ(target.events.back(), "test line 2 after");
  sink.release();  // nothing held: nothing repeated
  EXPECT_EQ(target.events.size(), 5u);
}

TEST(DeferredSinkTest, HeldEventsAreNotLostWhenTheSinkGoesAway) {
  TranscriptSink target;
  JobInfo job = job_named("lint");
  {
    DeferredSink sink(target);
    sink.defer();
    sink.step_line(job, 0, "held");
  }
  EXPECT_EQ(target.events, (std::vector<std::string>{"lint line 0 held"}));
}

}  // namespace
}  // namespace pipewright::exec
