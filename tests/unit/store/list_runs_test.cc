// Store::list_runs: the server's `GET /api/v1/runs?repo=&branch=&event=&status=` (paged).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipewright/store/store.h"

#include "unit/store/store_fixture.h"

namespace pipewright::store {
namespace {

using test_support::server_run;
using ListRunsTest = test_support::StoreFixture;

std::vector<RunId> ids(const RunPage& page) {
  std::vector<RunId> result;
  for (const RunRecord& run : page.runs)
    result.push_back(run.id);
  return result;
}

class ListRunsFilled : public ListRunsTest {
 protected:
  // api: main push ×3 (the 2nd failed), feature push, main pull_request (queued);
  // web: main push.
  void SetUp() override {
    ListRunsTest::SetUp();
    add("acme/api", "main", "push", Result::success);
    add("acme/api", "main", "push", Result::failure);
    add("acme/api", "feature", "push", Result::success);
    add("acme/web", "main", "push", Result::success);
    add("acme/api", "main", "push", Result::success);
    NewRun pr = server_run("acme/api", ".github/workflows/pr.yml");
    pr.event = "pull_request";
    auto queued = m_store->queue_run(pr);
    ASSERT_TRUE(queued);
    m_ids.push_back(queued->id);
  }
  void add(const std::string& repo, const std::string& branch, const std::string& event,
           Result result) {
    NewRun run = server_run(repo, ".github/workflows/ci.yml", branch);
    run.event = event;
    auto begun = m_store->begin_run(run);
    ASSERT_TRUE(begun);
    ASSERT_TRUE(m_store->finish_run(begun->id, result, test_support::at_ms(2000)));
    m_ids.push_back(begun->id);
  }
  RunPage list(const RunFilter& filter, int page = 1, int per_page = 30) {
    auto listed = m_store->list_runs(filter, page, per_page);
    EXPECT_TRUE(listed) << listed.error().message;
    return listed ? std::move(*listed) : RunPage{};
  }

  std::vector<RunId> m_ids;  // in creation order
};

TEST_F(ListRunsFilled, EveryRunNewestFirstWithoutAFilter) {
  RunPage all = list({});
  EXPECT_EQ(all.total_count, 6);
  EXPECT_EQ(ids(all),
            (std::vector<RunId>{m_ids[5], m_ids[4], m_ids[3], m_ids[2], m_ids[1], m_ids[0]}));
}

TEST_F(ListRunsFilled, EachFilterAndTheirCombination) {
  RunFilter api{.repo = "acme/api"};
  EXPECT_EQ(list(api).total_count, 5);
  RunFilter main_push{.repo = "acme/api", .branch = "main", .event = "push"};
  EXPECT_EQ(ids(list(main_push)), (std::vector<RunId>{m_ids[4], m_ids[1], m_ids[0]}));
  RunFilter failed{.result = Result::failure};
  EXPECT_EQ(ids(list(failed)), (std::vector<RunId>{m_ids[1]}));
  RunFilter queued{.status = Status::queued};
  EXPECT_EQ(ids(list(queued)), (std::vector<RunId>{m_ids[5]}));
  RunFilter completed{.repo = "acme/api", .status = Status::completed};
  EXPECT_EQ(list(completed).total_count, 4);
  RunFilter pr_workflow{.workflow_file = ".github/workflows/pr.yml"};
  EXPECT_EQ(ids(list(pr_workflow)), (std::vector<RunId>{m_ids[5]}));
  RunFilter feature{.branch = "feature"};
  EXPECT_EQ(ids(list(feature)), (std::vector<RunId>{m_ids[2]}));
  RunFilter nothing{.repo = "acme/none"};
  RunPage empty = list(nothing);
  EXPECT_EQ(empty.total_count, 0);
  EXPECT_TRUE(empty.runs.empty());
}

TEST_F(ListRunsFilled, PagesSplitTheNewestFirstOrderAndCountEveryMatch) {
  RunFilter api{.repo = "acme/api"};
  RunPage first = list(api, 1, 2);
  RunPage second = list(api, 2, 2);
  RunPage third = list(api, 3, 2);
  RunPage beyond = list(api, 4, 2);
  EXPECT_EQ(ids(first), (std::vector<RunId>{m_ids[5], m_ids[4]}));
  EXPECT_EQ(ids(second), (std::vector<RunId>{m_ids[2], m_ids[1]}));
  EXPECT_EQ(ids(third), (std::vector<RunId>{m_ids[0]}));
  EXPECT_TRUE(beyond.runs.empty());
  for (const RunPage* page : {&first, &second, &third, &beyond})
    EXPECT_EQ(page->total_count, 5);
  EXPECT_EQ(first.runs[0].repo, "acme/api");
  EXPECT_EQ(first.runs[1].head_branch, "main");
}

TEST_F(ListRunsFilled, PageAndPerPageOutOfRangeAreRefused) {
  for (auto [page, per_page] : {std::pair{0, 30}, {1, 0}, {1, 1001}, {-3, 10}}) {
    auto listed = m_store->list_runs({}, page, per_page);
    ASSERT_FALSE(listed) << page << " " << per_page;
    EXPECT_NE(listed.error().message.find("out of range"), std::string::npos);
  }
  EXPECT_TRUE(m_store->list_runs({}, 1, 1000));
}

}  // namespace
}  // namespace pipewright::store
