// What the server needs of the store: queued runs that one process claims, runs of
// several repositories, waiting reasons, job outputs, attempts (re-runs) and their
// per-attempt detail, and recovery that leaves queued runs alone.
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/store/store.h"

#include "unit/store/store_fixture.h"

namespace pipewright::store {
namespace {

using test_support::at_ms;
using test_support::server_run;
using test_support::wall_now;
using QueueTest = test_support::StoreFixture;

TEST_F(QueueTest, QueuedRunHasNoOwnerUntilClaimedOnce) {
  auto queued = m_store->queue_run(server_run("acme/api", "ci.yml", "main", 5000));
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_EQ(queued->status, Status::queued);
  EXPECT_EQ(queued->owner_pid, 0);
  EXPECT_EQ(queued->run_number, 1);
  EXPECT_EQ(queued->run_attempt, 1);
  EXPECT_EQ(queued->repo, "acme/api");
  EXPECT_EQ(queued->head_branch, "main");
  EXPECT_EQ(queued->created_at, at_ms(5000));

  auto claimed = m_store->claim_run(queued->id, at_ms(7000));
  ASSERT_TRUE(claimed) << claimed.error().message;
  EXPECT_EQ(claimed->status, Status::running);
  EXPECT_EQ(claimed->owner_pid, ::getpid());
  EXPECT_EQ(claimed->started_at, at_ms(7000));
  EXPECT_EQ(claimed->created_at, at_ms(5000));

  auto again = m_store->claim_run(queued->id, at_ms(8000));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("is running, not queued"), std::string::npos)
      << again.error().message;
  EXPECT_EQ(detail(queued->id).run.started_at, at_ms(7000));  // the failed claim changed nothing
  auto unknown = m_store->claim_run(9999, at_ms(8000));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("no run with id 9999"), std::string::npos);
}

TEST_F(QueueTest, BeginRunStillRecordsARunningRunOfNoRepository) {
  auto run = m_store->begin_run({"ci.yml", "CI", "push", "refs/heads/main", "abc", at_ms(3000)});
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, Status::running);
  EXPECT_EQ(run->owner_pid, ::getpid());
  EXPECT_EQ(run->repo, "");
  EXPECT_EQ(run->created_at, at_ms(3000));
  EXPECT_EQ(run->started_at, at_ms(3000));
}

TEST_F(QueueTest, RunNumbersCountPerRepositoryAndWorkflowFile) {
  auto a1 = m_store->queue_run(server_run("acme/api"));
  auto b1 = m_store->queue_run(server_run("acme/web"));  // same workflow file, other repo
  auto a2 = m_store->begin_run(server_run("acme/api"));
  auto local = m_store->begin_run({".github/workflows/ci.yml", "CI", "push", "r", "s", at_ms(1)});
  auto other = m_store->queue_run(server_run("acme/api", ".github/workflows/deploy.yml"));
  ASSERT_TRUE(a1 && b1 && a2 && local && other);
  EXPECT_EQ(a1->run_number, 1);
  EXPECT_EQ(b1->run_number, 1);
  EXPECT_EQ(a2->run_number, 2);
  EXPECT_EQ(local->run_number, 1);
  EXPECT_EQ(other->run_number, 1);
  EXPECT_EQ(*m_store->next_run_number(".github/workflows/ci.yml", "acme/api"), 3);
  EXPECT_EQ(*m_store->next_run_number(".github/workflows/ci.yml", "acme/web"), 2);
  EXPECT_EQ(*m_store->next_run_number(".github/workflows/ci.yml"), 2);
}

TEST_F(QueueTest, RecoveryKeepsQueuedRunsQueuedAndInterruptsDeadOwners) {
  auto waiting = m_store->queue_run(server_run("acme/api"));
  auto claimed = m_store->queue_run(server_run("acme/api"));
  ASSERT_TRUE(waiting && claimed);
  ASSERT_TRUE(m_store->set_run_waiting(waiting->id, "no free slot (position 1)"));
  ASSERT_TRUE(m_store->claim_run(claimed->id, at_ms(2000)));
  auto done = m_store->add_job(claimed->id, {"lint", "lint", ""});
  auto running = m_store->add_job(claimed->id, {"test", "test", ""});
  auto later = m_store->add_job(claimed->id, {"deploy", "deploy", ""});
  ASSERT_TRUE(done && running && later);
  ASSERT_TRUE(m_store->start_job(*done, at_ms(2100)));
  ASSERT_TRUE(m_store->finish_job(*done, Result::success, "", at_ms(2200)));
  ASSERT_TRUE(m_store->start_job(*running, at_ms(2300)));
  // The claiming process "dies": its boot is another one.
  {
    auto db = raw();
    ASSERT_TRUE(db.exec("UPDATE runs SET owner_boot_id = 'another-boot' WHERE owner_pid <> 0"));
  }
  m_store = reopen();
  ASSERT_TRUE(m_store);

  RunDetail still_queued = detail(waiting->id);
  EXPECT_EQ(still_queued.run.status, Status::queued);
  EXPECT_EQ(still_queued.run.owner_pid, 0);
  EXPECT_EQ(still_queued.run.waiting_reason, "no free slot (position 1)");
  RunDetail interrupted = detail(claimed->id);
  EXPECT_EQ(interrupted.run.status, Status::interrupted);
  ASSERT_EQ(interrupted.jobs.size(), 3u);
  EXPECT_EQ(interrupted.jobs[0].job.status, Status::completed);
  EXPECT_EQ(interrupted.jobs[1].job.status, Status::interrupted);
  EXPECT_EQ(interrupted.jobs[2].job.status, Status::interrupted);
  // The queued run can still be claimed after the restart.
  EXPECT_TRUE(m_store->claim_run(waiting->id, at_ms(3000)));
}

TEST_F(QueueTest, WaitingReasonsAreSetAndClearedByProgress) {
  auto run = m_store->queue_run(server_run("acme/api"));
  ASSERT_TRUE(run);
  ASSERT_TRUE(m_store->set_run_waiting(run->id, "concurrency group 'deploy' is held by run 4"));
  EXPECT_EQ(detail(run->id).run.waiting_reason, "concurrency group 'deploy' is held by run 4");
  ASSERT_TRUE(m_store->claim_run(run->id, at_ms(2000)));
  EXPECT_EQ(detail(run->id).run.waiting_reason, "");

  auto job = m_store->add_job(run->id, {"deploy", "deploy", ""});
  ASSERT_TRUE(job);
  ASSERT_TRUE(m_store->set_job_waiting(*job, "needs: build"));
  EXPECT_EQ(detail(run->id).jobs[0].job.waiting_reason, "needs: build");
  ASSERT_TRUE(m_store->start_job(*job, at_ms(2100)));
  EXPECT_EQ(detail(run->id).jobs[0].job.waiting_reason, "");

  auto no_run = m_store->set_run_waiting(9999, "x");
  ASSERT_FALSE(no_run);
  EXPECT_NE(no_run.error().message.find("no run with id 9999"), std::string::npos);
  auto no_job = m_store->set_job_waiting(9999, "x");
  ASSERT_FALSE(no_job);
  EXPECT_NE(no_job.error().message.find("no job with id 9999"), std::string::npos);
  auto no_run_for_job = m_store->add_job(9999, {"a", "a", ""});
  ASSERT_FALSE(no_run_for_job);
  EXPECT_NE(no_run_for_job.error().message.find("no run with id 9999"), std::string::npos);
}

TEST_F(QueueTest, JobOutputsRoundTrip) {
  auto run = m_store->begin_run(server_run("acme/api"));
  ASSERT_TRUE(run);
  auto build = m_store->add_job(run->id, {"build", "build", ""});
  auto lint = m_store->add_job(run->id, {"lint", "lint", ""});
  ASSERT_TRUE(build && lint);
  const std::string outputs = R"({"version":"1.2.3","digest":"sha256:ab\u00e9"})";
  ASSERT_TRUE(m_store->finish_job(*build, Result::success, "", at_ms(2000), outputs));
  ASSERT_TRUE(m_store->finish_job(*lint, Result::success, "", at_ms(2000)));
  m_store = reopen();
  RunDetail read = detail(run->id);
  ASSERT_EQ(read.jobs.size(), 2u);
  EXPECT_EQ(read.jobs[0].job.outputs_json, outputs);
  EXPECT_EQ(read.jobs[1].job.outputs_json, "");
}

// Every change to a run or its jobs moves updated_at forward. The test first sets it
// far in the past, so a change that does not bump it is seen.
TEST_F(QueueTest, EveryChangeBumpsUpdatedAt) {
  auto run = m_store->queue_run(server_run("acme/api"));
  ASSERT_TRUE(run);
  JobId job = 0;
  using Change = std::function<util::Expected<void>()>;
  const std::vector<std::pair<std::string, Change>> changes = {
      {"set_run_waiting", [&] { return m_store->set_run_waiting(run->id, "slot"); }},
      {"claim_run",
       [&]() -> util::Expected<void> {
         PW_TRY_VOID(m_store->claim_run(run->id, at_ms(2000)));
         return {};
       }},
      {"add_job",
       [&]() -> util::Expected<void> {
         PW_TRY(id, m_store->add_job(run->id, {"a", "a", ""}));
         job = id;
         return {};
       }},
      {"set_job_waiting", [&] { return m_store->set_job_waiting(job, "needs"); }},
      {"start_job", [&] { return m_store->start_job(job, at_ms(2100)); }},
      {"finish_job", [&] { return m_store->finish_job(job, Result::success, "", at_ms(2200)); }},
      {"finish_run", [&] { return m_store->finish_run(run->id, Result::success, at_ms(2300)); }},
      {"begin_attempt",
       [&]() -> util::Expected<void> {
         PW_TRY_VOID(m_store->begin_attempt(run->id));
         return {};
       }},
  };
  auto db = raw();
  for (const auto& [name, change] : changes) {
    ASSERT_TRUE(db.exec("UPDATE runs SET updated_at = 1"));
    TimePoint before = wall_now();
    auto changed = change();
    ASSERT_TRUE(changed) << name << ": " << changed.error().message;
    EXPECT_GE(detail(run->id).run.updated_at, before) << name;
  }
}

TEST_F(QueueTest, AttemptsKeepEveryAttemptsJobsAndLogs) {
  auto run = m_store->begin_run(server_run("acme/api"));
  ASSERT_TRUE(run);
  auto build = m_store->add_job(run->id, {"build", "build", ""});
  auto test = m_store->add_job(run->id, {"test", "test", ""});
  ASSERT_TRUE(build && test);
  ASSERT_TRUE(m_store->start_job(*test, at_ms(1100)));
  auto step = m_store->start_step(*test, 0, "Run tests", at_ms(1100), StepLog::open);
  ASSERT_TRUE(step && step->log);
  ASSERT_TRUE(step->log->append("attempt one failed\n"));
  auto closed = step->log->close();
  ASSERT_TRUE(closed);
  ASSERT_TRUE(
      m_store->finish_step(step->id, {Result::failure, Result::failure, at_ms(1200), *closed}));
  ASSERT_TRUE(m_store->add_annotation(
      run->id, {Severity::error, "", 0, 0, "", "tests failed", *test, step->id}));
  ASSERT_TRUE(m_store->finish_job(*build, Result::success, "", at_ms(1150), R"({"v":"1"})"));
  ASSERT_TRUE(m_store->finish_job(*test, Result::failure, "", at_ms(1200)));
  ASSERT_TRUE(m_store->finish_run(run->id, Result::failure, at_ms(1300)));

  auto attempt = m_store->begin_attempt(run->id);
  ASSERT_TRUE(attempt) << attempt.error().message;
  EXPECT_EQ(*attempt, 2);
  RunDetail second = detail(run->id);
  EXPECT_EQ(second.run.run_attempt, 2);
  EXPECT_EQ(second.run.status, Status::queued);
  EXPECT_EQ(second.run.result, std::nullopt);
  EXPECT_EQ(second.run.finished_at, std::nullopt);
  EXPECT_EQ(second.run.owner_pid, 0);
  EXPECT_TRUE(second.jobs.empty());
  EXPECT_TRUE(second.annotations.empty());
  // A queued attempt cannot start another one.
  auto too_soon = m_store->begin_attempt(run->id);
  ASSERT_FALSE(too_soon);
  EXPECT_NE(too_soon.error().message.find("is queued"), std::string::npos);

  ASSERT_TRUE(m_store->claim_run(run->id, at_ms(5000)));
  auto retest = m_store->add_job(run->id, {"test", "test", ""});
  ASSERT_TRUE(retest);
  ASSERT_TRUE(m_store->finish_job(*retest, Result::success, "", at_ms(5100)));
  ASSERT_TRUE(m_store->finish_run(run->id, Result::success, at_ms(5200)));

  RunDetail latest = detail(run->id);
  EXPECT_EQ(latest.run.result, Result::success);
  ASSERT_EQ(latest.jobs.size(), 1u);
  EXPECT_EQ(latest.jobs[0].job.id, *retest);
  EXPECT_EQ(latest.jobs[0].job.run_attempt, 2);
  EXPECT_EQ(detail(run->id, 2).jobs[0].job.id, *retest);

  RunDetail first = detail(run->id, 1);
  EXPECT_EQ(first.run.run_attempt, 1);
  EXPECT_EQ(first.run.status, Status::completed);
  EXPECT_EQ(first.run.result, Result::failure);
  EXPECT_EQ(first.run.started_at, at_ms(1000));
  EXPECT_EQ(first.run.finished_at, at_ms(1300));
  ASSERT_EQ(first.jobs.size(), 2u);
  EXPECT_EQ(first.jobs[0].job.outputs_json, R"({"v":"1"})");
  EXPECT_EQ(first.jobs[1].job.result, Result::failure);
  ASSERT_EQ(first.jobs[1].steps.size(), 1u);
  ASSERT_EQ(first.annotations.size(), 1u);
  EXPECT_EQ(first.annotations[0].message, "tests failed");
  EXPECT_EQ(*m_store->step_log_text(first.jobs[1].steps[0].id), "attempt one failed\n");

  EXPECT_EQ(*m_store->run_detail(run->id, 3), std::nullopt);
  EXPECT_EQ(*m_store->run_detail(run->id, 0), std::nullopt);
}

TEST_F(QueueTest, InterruptedRunsCanBeReRunAndRunningOnesCannot) {
  auto run = m_store->begin_run(server_run("acme/api"));
  ASSERT_TRUE(run);
  auto running = m_store->begin_attempt(run->id);
  ASSERT_FALSE(running);
  EXPECT_NE(running.error().message.find("is running"), std::string::npos);
  {
    auto db = raw();
    ASSERT_TRUE(db.exec("UPDATE runs SET owner_boot_id = 'another-boot'"));
  }
  m_store = reopen();
  EXPECT_EQ(detail(run->id).run.status, Status::interrupted);
  EXPECT_EQ(*m_store->begin_attempt(run->id), 2);
  EXPECT_EQ(detail(run->id, 1).run.status, Status::interrupted);
  auto unknown = m_store->begin_attempt(9999);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("no run with id 9999"), std::string::npos);
}

TEST_F(QueueTest, FiftyAttemptsAtMost) {
  auto run = m_store->begin_run(server_run("acme/api"));
  ASSERT_TRUE(run);
  for (int attempt = 2; attempt <= k_max_run_attempts; ++attempt) {
    ASSERT_TRUE(m_store->finish_run(run->id, Result::failure, at_ms(attempt)));
    auto next = m_store->begin_attempt(run->id);
    ASSERT_TRUE(next) << next.error().message;
    ASSERT_EQ(*next, attempt);
  }
  ASSERT_TRUE(m_store->finish_run(run->id, Result::failure, at_ms(99)));
  auto refused = m_store->begin_attempt(run->id);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("limited to 50 re-runs"), std::string::npos)
      << refused.error().message;
  RunDetail last = detail(run->id);
  EXPECT_EQ(last.run.run_attempt, 50);
  EXPECT_EQ(last.run.status, Status::completed);  // the refusal changed nothing
}

}  // namespace
}  // namespace pipewright::store
