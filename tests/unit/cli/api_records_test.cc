#include "pipewright/cli/api_records.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pipewright::cli {
namespace {

using nlohmann::json;

int64_t ms(const std::optional<store::TimePoint>& t) {
  return t ? t->time_since_epoch().count() : -1;
}

TEST(ApiRecordsTest, ParsesRfc3339Times) {
  EXPECT_EQ(ms(parse_api_time("1970-01-01T00:00:01Z")), 1000);
  EXPECT_EQ(ms(parse_api_time("2026-12-07T21:40:00Z")), 1796679600000);
  EXPECT_EQ(ms(parse_api_time("2026-12-07T21:40:00.25Z")), 1796679600250);
  EXPECT_EQ(ms(parse_api_time("2026-12-07T22:40:00+01:00")), 1796679600000);
  EXPECT_EQ(ms(parse_api_time("2026-12-07T20:10:00-01:30")), 1796679600000);
  for (const char* bad : {"", "2026-12-07", "2026-12-07T21:40:00", "2026-13-07T21:40:00Z",
                          "2026-12-07T21:40:00Zjunk", "2026-12-07T21:40:00.Z", "yesterday"})
    EXPECT_FALSE(parse_api_time(bad).has_value()) << bad;
}

TEST(ApiRecordsTest, ReadsARunWithGitHubsFieldNames) {
  auto run = run_from_api(json::parse(R"({
    "id": 12, "name": "CI", "path": ".github/workflows/ci.yml", "event": "push",
    "status": "completed", "conclusion": "failure", "head_sha": "abc", "head_branch": "main",
    "run_number": 7, "run_attempt": 2, "created_at": "2026-12-07T21:40:00Z",
    "run_started_at": "2026-12-07T21:40:01Z", "updated_at": "2026-12-07T21:40:13.5Z"})"));
  ASSERT_TRUE(run.has_value()) << run.error().message;
  EXPECT_EQ(run->id, 12);
  EXPECT_EQ(run->workflow_name, "CI");
  EXPECT_EQ(run->workflow_file, ".github/workflows/ci.yml");
  EXPECT_EQ(run->run_number, 7);
  EXPECT_EQ(run->event, "push");
  EXPECT_EQ(run->ref, "main");
  EXPECT_EQ(run->sha, "abc");
  EXPECT_EQ(run->status, store::Status::completed);
  EXPECT_EQ(run->result, store::Result::failure);
  ASSERT_TRUE(run->finished_at.has_value());
  EXPECT_EQ((*run->finished_at - run->started_at).count(), 12500);
}

TEST(ApiRecordsTest, MapsStatusesAndLeavesUnfinishedRunsOpen) {
  auto status = [](const char* s, const char* c) {
    json run = {{"id", 1},
                {"status", s},
                {"run_started_at", "2026-12-07T21:40:00Z"},
                {"updated_at", "2026-12-07T21:41:00Z"}};
    run["conclusion"] = c ? json(c) : json(nullptr);
    auto record = run_from_api(run);
    EXPECT_TRUE(record.has_value());
    return std::make_pair(record->status, record->finished_at.has_value());
  };
  EXPECT_EQ(status("queued", nullptr), std::make_pair(store::Status::queued, false));
  EXPECT_EQ(status("waiting", nullptr), std::make_pair(store::Status::queued, false));
  EXPECT_EQ(status("in_progress", nullptr), std::make_pair(store::Status::running, false));
  EXPECT_EQ(status("completed", "success"), std::make_pair(store::Status::completed, true));
  EXPECT_EQ(status("completed", "interrupted"), std::make_pair(store::Status::interrupted, true));
}

TEST(ApiRecordsTest, ARunWithoutANumericIdIsRefused) {
  EXPECT_FALSE(run_from_api(json::parse(R"({"id": "12"})")).has_value());
  EXPECT_FALSE(run_from_api(json::array()).has_value());
  EXPECT_FALSE(runs_from_api(json::parse(R"({"runs": []})")).has_value());
  auto bad = runs_from_api(json::parse(R"({"workflow_runs": [{"id": 1}, {"name": "x"}]})"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("\"id\""), std::string::npos);
}

TEST(ApiRecordsTest, ReadsJobsAndStepsOfARun) {
  auto detail = run_detail_from_api(json::parse(R"js({"id": 12, "jobs": [
    {"id": 41, "run_id": 12, "name": "test (3.12)", "job_id": "test", "status": "queued",
     "conclusion": null, "waiting_reason": "needs build",
     "steps": [{"number": 2, "name": "Run pytest", "status": "completed", "conclusion": "skipped"}]},
    {"id": 42, "job_id": "lint", "steps": []}]
})js"));
  ASSERT_TRUE(detail.has_value()) << detail.error().message;
  ASSERT_EQ(detail->jobs.size(), 2u);
  const store::JobDetail& test = detail->jobs[0];
  EXPECT_EQ(test.job.id, 41);
  EXPECT_EQ(test.job.run_id, 12);
  EXPECT_EQ(test.job.job_id, "test");
  EXPECT_EQ(test.job.name, "test (3.12)");
  EXPECT_EQ(test.job.status, store::Status::queued);
  EXPECT_EQ(test.job.reason, "needs build");
  ASSERT_EQ(test.steps.size(), 1u);
  EXPECT_EQ(test.steps[0].index, 1);
  EXPECT_EQ(test.steps[0].name, "Run pytest");
  EXPECT_EQ(test.steps[0].conclusion, store::Result::skipped);
  EXPECT_EQ(detail->jobs[1].job.name, "lint");  // no display name: the key
  EXPECT_FALSE(run_detail_from_api(json::parse(R"({"id": 1, "jobs": [{"name": "x"}]})")));
}

TEST(ApiRecordsTest, ReadsArtifactsAndRepositories) {
  auto rows = artifacts_from_api(json::parse(R"({"artifacts": [
    {"name": "dist", "size_in_bytes": 2048, "created_at": "1970-01-01T00:01:00Z"},
    {"id": 5, "name": "odd", "size_in_bytes": -3}]})"));
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, "-");
  EXPECT_EQ((*rows)[0].files, "-");
  EXPECT_EQ((*rows)[0].bytes, 2048u);
  EXPECT_EQ((*rows)[0].created_s, 60);
  EXPECT_EQ((*rows)[1].id, "5");
  EXPECT_EQ((*rows)[1].bytes, 0u);
  EXPECT_FALSE(artifacts_from_api(json::object()).has_value());

  auto repo = repo_from_api(json::parse(R"({"full_name": "acme/api", "source": "/srv/api.git",
    "default_branch": "main", "poll_seconds": 60, "created_at": "2026-12-07T21:40:00Z"})"));
  ASSERT_TRUE(repo.has_value());
  EXPECT_EQ(repo->full_name, "acme/api");
  EXPECT_EQ(repo->poll_seconds, 60);
  EXPECT_FALSE(repo_from_api(json::parse(R"({"source": "x"})")).has_value());
}

std::vector<store::StepRecord> steps(std::vector<std::string> names) {
  std::vector<store::StepRecord> out;
  for (std::string& name : names) {
    out.emplace_back();
    out.back().name = std::move(name);
  }
  return out;
}

TEST(ApiRecordsTest, SplitsAJobLogAtItsStepMarks) {
  auto split = split_job_log(
      "##[group]Set up job\n##[endgroup]\n"
      "##[group]Run make\nbuilding\n##[group]inner\nx\n##[endgroup]\nok\n##[endgroup]\n"
      "##[group]Post\nno newline##[endgroup]\n##[endgroup]\n",
      steps({"Set up job", "Run make", "Post"}));
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(*split, (std::vector<std::string>{"", "building\n##[group]inner\nx\n##[endgroup]\nok\n",
                                              "no newline##[endgroup]\n"}));
  EXPECT_EQ(split_job_log("", {}), std::vector<std::string>{});
}

TEST(ApiRecordsTest, AJobLogThatDoesNotMatchItsStepsIsNotSplit) {
  auto two = steps({"a", "b"});
  EXPECT_FALSE(split_job_log("plain text\n", two));
  EXPECT_FALSE(split_job_log("##[group]a\n##[endgroup]\n", two));  // b missing
  EXPECT_FALSE(split_job_log("##[group]b\n##[endgroup]\n##[group]a\n##[endgroup]\n", two));
  EXPECT_FALSE(split_job_log("##[group]a\n##[endgroup]\n##[group]b\n##[endgroup]\ntail", two));
  EXPECT_FALSE(split_job_log("##[group]a\nx\n", steps({"a"})));  // never ends
  EXPECT_FALSE(split_job_log("text", {}));
}

}  // namespace
}  // namespace pipewright::cli
