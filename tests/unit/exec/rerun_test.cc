// jobs_to_carry_over (exec/rerun.h): which jobs a re-run keeps from the earlier attempt —
// none for "re-run all", all but the failed/cancelled jobs and their dependents for
// "re-run failed", all but one job and its dependents for "re-run this job".
#include "pipewright/exec/rerun.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::exec {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// build → test → deploy; lint alone; docs needs lint.
constexpr std::string_view k_workflow = R"(on: push
jobs:
  build: {runs-on: x, steps: [{run: echo}]}
  test: {needs: build, runs-on: x, steps: [{run: echo}]}
  deploy: {needs: [test, lint], runs-on: x, steps: [{run: echo}]}
  lint: {runs-on: x, steps: [{run: echo}]}
  docs: {needs: lint, runs-on: x, steps: [{run: echo}]}
)";

class CarryOver : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = workflow::load_workflow_text(k_workflow, "ci.yml");
    ASSERT_TRUE(loaded.ok());
    m_workflow = std::move(*loaded.workflow);
    m_prior["build"] = {Result::success, {}};
    m_prior["build"].outputs.set("version", expr::Value("1.2.3"));
    m_prior["test"] = {Result::failure, {}};
    m_prior["deploy"] = {Result::skipped, {}};
    m_prior["lint"] = {Result::success, {}};
    m_prior["docs"] = {Result::cancelled, {}};
  }

  std::vector<std::string> carried(RerunMode mode, std::string_view job = {}) {
    auto result = jobs_to_carry_over(m_workflow, m_prior, mode, job);
    EXPECT_TRUE(result.has_value());
    std::vector<std::string> ids;
    for (const auto& [id, prior] : *result)
      ids.push_back(id + "=" + std::string(result_name(prior.result)));
    return ids;
  }

  workflow::Workflow m_workflow;
  PriorResults m_prior;
};

TEST_F(CarryOver, AllRunsEveryJobAgain) {
  EXPECT_THAT(carried(RerunMode::all), IsEmpty());
}

TEST_F(CarryOver, FailedRerunsFailedAndCancelledJobsAndTheirDependents) {
  // test failed (deploy depends on it), docs was cancelled: build and lint are kept.
  EXPECT_THAT(carried(RerunMode::failed), ElementsAre("build=success", "lint=success"));
  auto result = jobs_to_carry_over(m_workflow, m_prior, RerunMode::failed);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->at("build").outputs.find("version")->as_string(), "1.2.3");
}

TEST_F(CarryOver, AJobWithoutAnEarlierResultRunsAgainWithItsDependents) {
  m_prior.erase("lint");  // the earlier attempt never finished it
  m_prior["test"].result = Result::success;
  m_prior["docs"].result = Result::success;
  EXPECT_THAT(carried(RerunMode::failed), ElementsAre("build=success", "test=success"));
}

TEST_F(CarryOver, OneJobRerunsItAndItsDependentsIgnoringCase) {
  EXPECT_THAT(carried(RerunMode::one, "BUILD"), ElementsAre("docs=cancelled", "lint=success"));
  EXPECT_THAT(carried(RerunMode::one, "lint"), ElementsAre("build=success", "test=failure"));
  auto unknown = jobs_to_carry_over(m_workflow, m_prior, RerunMode::one, "nope");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message, "job 'nope' not found in ci.yml");
}

}  // namespace
}  // namespace pipewright::exec
