#include "pipewright/store/retention.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "pipewright/store/data_dir.h"

#include "unit/store/store_fixture.h"

namespace pipewright::store {
namespace {

namespace fs = std::filesystem;
using test_support::at_ms;
using test_support::server_run;

constexpr int64_t k_day_ms = 24LL * 3600 * 1000;
// "Now" for these tests: day 1000 after the epoch.
const TimePoint k_now = at_ms(1000 * k_day_ms);

int64_t to_ms(TimePoint time) {
  return time.time_since_epoch().count();
}

class RetentionTest : public test_support::StoreFixture {
 protected:
  // A completed run created `age_days` before k_now, with one job, one step whose log
  // is a file, an annotation, a summary and (with `artifact_bytes`) an artifact file.
  RunId add_run(const std::string& repo, const std::string& workflow, int age_days,
                int artifact_bytes = 0, std::optional<Status> leave = std::nullopt) {
    int64_t created = to_ms(k_now) - age_days * k_day_ms;
    NewRun run = server_run(repo, workflow, "main", created);
    auto begun = leave == Status::queued ? m_store->queue_run(run) : m_store->begin_run(run);
    EXPECT_TRUE(begun);
    if (!begun) return 0;
    if (leave) return begun->id;
    auto job = m_store->add_job(begun->id, {"build", "build", ""});
    EXPECT_TRUE(job);
    auto step = m_store->start_step(*job, 0, "make", at_ms(created), StepLog::open);
    EXPECT_TRUE(step && step->log);
    for (int i = 0; i < 100; ++i)
      EXPECT_TRUE(step->log->append("line " + std::to_string(i) + " of run " +
                                    std::to_string(begun->id) + "\n"));
    EXPECT_TRUE(step->log->flush());  // a file, as every long log has
    auto closed = step->log->close();
    EXPECT_TRUE(closed);
    EXPECT_TRUE(m_store->finish_step(
        step->id, {Result::success, Result::success, at_ms(created + 1), *closed}));
    EXPECT_TRUE(m_store->add_annotation(begun->id,
                                        {Severity::warning, "", 0, 0, "", "old", *job, step->id}));
    EXPECT_TRUE(m_store->add_step_summary(step->id, "# done"));
    EXPECT_TRUE(m_store->finish_job(*job, Result::success, "", at_ms(created + 2)));
    EXPECT_TRUE(m_store->finish_run(begun->id, Result::success, at_ms(created + 3)));
    if (artifact_bytes > 0) {
      std::string dir = run_artifacts_dir(m_store->data_dir(), begun->id) + "/1";
      fs::create_directories(dir);
      std::ofstream(dir + "/artifact.tar.zst") << std::string(artifact_bytes, 'a');
    }
    return begun->id;
  }

  std::set<RunId> remaining() {
    auto page = m_store->list_runs({}, 1, 1000);
    EXPECT_TRUE(page);
    std::set<RunId> ids;
    for (const RunRecord& run : page->runs)
      ids.insert(run.id);
    return ids;
  }

  int64_t count(const std::string& table) {
    auto db = raw();
    auto query = db.prepare("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(query && *query->step());
    return query ? query->integer(0) : -1;
  }
};

TEST_F(RetentionTest, OldRunsGoWithTheirRecordsLogsAndArtifacts) {
  RunId old = add_run("acme/api", "ci.yml", 120, 4096);
  RunId recent = add_run("acme/api", "ci.yml", 10, 100);
  std::string old_logs = run_logs_dir(m_store->data_dir(), old);
  ASSERT_TRUE(fs::exists(old_logs));
  int64_t log_file_bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(old_logs))
    if (entry.is_regular_file()) log_file_bytes += static_cast<int64_t>(entry.file_size());
  ASSERT_GT(log_file_bytes, 0);

  auto pruned = prune(*m_store, {}, k_now);  // 90 days, keep none
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_FALSE(fs::exists(m_store->data_dir() + "/retention-pending"));
  EXPECT_EQ(pruned->runs, 1);
  EXPECT_EQ(pruned->log_bytes, log_file_bytes);
  EXPECT_EQ(pruned->artifact_bytes, 4096);
  EXPECT_TRUE(pruned->errors.empty());

  EXPECT_EQ(remaining(), (std::set<RunId>{recent}));
  EXPECT_EQ(*m_store->run_detail(old), std::nullopt);
  EXPECT_FALSE(fs::exists(old_logs));
  EXPECT_FALSE(fs::exists(run_artifacts_dir(m_store->data_dir(), old)));
  EXPECT_TRUE(fs::exists(run_logs_dir(m_store->data_dir(), recent)));
  EXPECT_TRUE(fs::exists(run_artifacts_dir(m_store->data_dir(), recent)));
  // Only the recent run's rows are left in every table.
  EXPECT_EQ(count("jobs"), 1);
  EXPECT_EQ(count("steps"), 1);
  EXPECT_EQ(count("annotations"), 1);
  EXPECT_EQ(count("step_summaries"), 1);
  EXPECT_EQ(*m_store->step_log_text(detail(recent).jobs[0].steps[0].id, {0, 1}),
            "line 0 of run " + std::to_string(recent) + "\n");

  auto again = prune(*m_store, {}, k_now);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->runs, 0);
}

TEST_F(RetentionTest, KeepsTheNewestRunsOfEachRepositoryAndWorkflow) {
  std::vector<RunId> api_ci, api_deploy, web_ci;
  for (int i = 0; i < 5; ++i)
    api_ci.push_back(add_run("acme/api", "ci.yml", 200 - i));
  for (int i = 0; i < 2; ++i)
    api_deploy.push_back(add_run("acme/api", "deploy.yml", 300 - i));
  web_ci.push_back(add_run("acme/web", "ci.yml", 400));

  auto pruned = prune(*m_store, {.max_age_days = 90, .keep_min_per_workflow = 2}, k_now);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(pruned->runs, 3);  // the three oldest of acme/api ci.yml
  EXPECT_EQ(remaining(),
            (std::set<RunId>{api_ci[3], api_ci[4], api_deploy[0], api_deploy[1], web_ci[0]}));
}

TEST_F(RetentionTest, NeverDeletesQueuedOrRunningRunsAndTheyCountAsNewest) {
  RunId done = add_run("acme/api", "ci.yml", 300);
  RunId running = add_run("acme/api", "ci.yml", 200, 0, Status::running);
  RunId queued = add_run("acme/api", "ci.yml", 100, 0, Status::queued);
  auto pruned = prune(*m_store, {.max_age_days = 30}, k_now);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(pruned->runs, 1);
  EXPECT_EQ(remaining(), (std::set<RunId>{running, queued}));
  (void)done;

  // Asked directly, the store still refuses to delete an active run.
  auto deleted = m_store->delete_runs({running, queued});
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(deleted->empty());
  EXPECT_EQ(remaining(), (std::set<RunId>{running, queued}));
}

TEST_F(RetentionTest, ARepositoryPolicyTouchesOnlyThatRepository) {
  RunId api = add_run("acme/api", "ci.yml", 200);
  RunId web = add_run("acme/web", "ci.yml", 200);
  RunId local = add_run("", "ci.yml", 200);
  auto pruned = prune(*m_store, {.max_age_days = 90, .repo = "acme/api"}, k_now);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(pruned->runs, 1);
  EXPECT_EQ(remaining(), (std::set<RunId>{web, local}));
  (void)api;
}

TEST_F(RetentionTest, ManyRunsArePrunedInBatches) {
  for (int i = 0; i < 450; ++i) {
    NewRun run = server_run("acme/api", "ci.yml", "main", to_ms(k_now) - 100 * k_day_ms);
    auto begun = m_store->begin_run(run);
    ASSERT_TRUE(begun);
    ASSERT_TRUE(m_store->finish_run(begun->id, Result::success, k_now));
  }
  auto pruned = prune(*m_store, {.max_age_days = 90, .keep_min_per_workflow = 10}, k_now);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(pruned->runs, 440);
  EXPECT_EQ(remaining().size(), 10u);
}

TEST_F(RetentionTest, PrunedRunIdsAreNeverReused) {
  RunId newest = add_run("acme/api", "ci.yml", 200, 10);
  ASSERT_TRUE(prune(*m_store, {}, k_now));
  EXPECT_TRUE(remaining().empty());
  // A leftover directory of the pruned run (a crash between records and files) must not
  // become the new run's.
  fs::create_directories(run_artifacts_dir(m_store->data_dir(), newest) + "/1");
  m_store = reopen();
  auto next = m_store->begin_run(server_run("acme/api"));
  ASSERT_TRUE(next);
  EXPECT_GT(next->id, newest);
}

// A prune that died after deleting records but before their files left its pending
// list: the next prune removes those files, and keeps those of runs that still exist.
TEST_F(RetentionTest, APruneThatDiedHasItsLeftoverFilesRemovedByTheNext) {
  RunId gone = add_run("acme/api", "ci.yml", 200, 300);
  RunId kept = add_run("acme/api", "ci.yml", 1, 300);
  {
    auto db = raw();
    ASSERT_TRUE(db.exec("DELETE FROM runs WHERE id = " + std::to_string(gone)));
  }
  std::ofstream(m_store->data_dir() + "/retention-pending") << gone << "\n"
                                                            << kept << "\nnot-a-run\n";
  auto pruned = prune(*m_store, {}, k_now);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(pruned->runs, 0);
  EXPECT_EQ(pruned->artifact_bytes, 300);
  EXPECT_GT(pruned->log_bytes, 0);
  EXPECT_FALSE(fs::exists(run_logs_dir(m_store->data_dir(), gone)));
  EXPECT_FALSE(fs::exists(run_artifacts_dir(m_store->data_dir(), gone)));
  EXPECT_TRUE(fs::exists(run_logs_dir(m_store->data_dir(), kept)));
  EXPECT_TRUE(fs::exists(run_artifacts_dir(m_store->data_dir(), kept)));
  EXPECT_FALSE(fs::exists(m_store->data_dir() + "/retention-pending"));
}

TEST_F(RetentionTest, NegativePolicyValuesAreRefused) {
  RunId old = add_run("acme/api", "ci.yml", 200);
  auto refused = prune(*m_store, {.max_age_days = -1}, k_now);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("cannot be negative"), std::string::npos);
  EXPECT_FALSE(prune(*m_store, {.keep_min_per_workflow = -2}, k_now));
  EXPECT_EQ(remaining(), (std::set<RunId>{old}));
}

}  // namespace
}  // namespace pipewright::store
