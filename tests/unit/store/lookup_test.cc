#include "pipewright/store/lookup.h"

#include <gtest/gtest.h>

#include "unit/store/backends.h"

namespace pipewright::store {
namespace {

class LookupTest : public test_support::BackendTest {};
INSTANTIATE_BACKENDS(LookupTest);

TimePoint at(int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}

RunDetail sample_run() {
  RunDetail run;
  run.run.id = 7;
  auto add_job = [&](std::string id, std::string name, std::vector<std::string> steps) {
    JobDetail job;
    job.job.id = static_cast<JobId>(run.jobs.size() + 1);
    job.job.job_id = std::move(id);
    job.job.name = std::move(name);
    for (size_t i = 0; i < steps.size(); ++i) {
      StepRecord step;
      step.id = static_cast<StepId>(100 * job.job.id + static_cast<StepId>(i));
      step.index = static_cast<int>(i);
      step.name = steps[i];
      job.steps.push_back(step);
    }
    run.jobs.push_back(std::move(job));
  };
  add_job("build", "build", {"Checkout", "Compile", "Compile"});
  add_job("test", "test (3.11)", {"Run tests"});
  add_job("test", "test (3.12)", {"Run tests"});
  return run;
}

TEST(Lookup, FindsJobsByNameIdOrPosition) {
  RunDetail run = sample_run();
  EXPECT_EQ((*find_job(run, "build"))->job.id, 1);
  EXPECT_EQ((*find_job(run, "test (3.12)"))->job.id, 3);
  EXPECT_EQ((*find_job(run, "2"))->job.id, 2);

  auto ambiguous = find_job(run, "test");
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().message, "job 'test' ran 2 times in run 7");
  EXPECT_NE(ambiguous.error().hint.find("'test (3.11)'"), std::string::npos);

  auto typo = find_job(run, "biuld");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().message, "run 7 has no job 'biuld'");
  EXPECT_EQ(typo.error().hint, "did you mean 'build'?");
  EXPECT_FALSE(find_job(run, "4"));
  EXPECT_FALSE(find_job(run, "0"));
}

TEST(Lookup, FindsStepsByNumberOrName) {
  RunDetail run = sample_run();
  const JobDetail& build = run.jobs[0];
  EXPECT_EQ((*find_step(build, "1"))->name, "Checkout");
  EXPECT_EQ((*find_step(build, "Compile"))->index, 1);  // the first of that name
  EXPECT_EQ((*find_step(build, "3"))->index, 2);
  auto missing = find_step(build, "Deploy");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "job 'build' has no step 'Deploy'");
  EXPECT_EQ(missing.error().hint, "choose one of: 'Checkout', 'Compile', 'Compile'");
  EXPECT_FALSE(find_step(build, "4"));
}

TEST_P(LookupTest, ResolvesLastAndRunIds) {
  auto store = open_store(database(), dir());
  ASSERT_TRUE(store) << store.error().message;
  auto none = resolve_run(**store, "last");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "there are no runs yet");
  auto first = (*store)->begin_run({"ci.yml", "CI", "push", "r", "s", at(1)});
  auto second = (*store)->begin_run({"ci.yml", "CI", "push", "r", "s", at(2)});
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*resolve_run(**store, "last"), second->id);
  EXPECT_EQ(*resolve_run(**store, std::to_string(first->id)), first->id);
  auto unknown = resolve_run(**store, "999");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "there is no run 999");
  auto junk = resolve_run(**store, "latest");
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().message, "'latest' is not a run id");
}

}  // namespace
}  // namespace pipewright::store
