// Shared by the store's server-side tests (queue, attempts, listing, retention,
// backup): a temp data dir, an opened store, runs with a few jobs and a raw connection
// for forcing states the API cannot reach directly.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "pipewright/store/sqlite.h"
#include "pipewright/store/store.h"

#include "unit/temp_dir.h"

namespace pipewright::store::test_support {

inline TimePoint at_ms(int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}

inline TimePoint wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now());
}

// A push run of `repo`'s `workflow_file` on `branch`.
inline NewRun server_run(std::string repo, std::string workflow_file = ".github/workflows/ci.yml",
                         std::string branch = "main", int64_t at = 1000) {
  NewRun run{std::move(workflow_file), "CI", "push", "refs/heads/" + branch, "0123abcd", at_ms(at)};
  run.repo = std::move(repo);
  run.head_branch = std::move(branch);
  return run;
}

class StoreFixture : public pipewright::test_support::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    m_store = reopen();
    ASSERT_TRUE(m_store);
  }
  void TearDown() override {
    m_store.reset();
    TempDirTest::TearDown();
  }
  std::unique_ptr<Store> reopen() {
    m_store.reset();
    auto store = open_sqlite_store(dir());
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }
  // A second connection to the same history.db.
  sql::Database raw() {
    auto db = sql::Database::open(dir() + "/history.db", 5000);
    EXPECT_TRUE(db) << db.error().message;
    return std::move(*db);
  }
  RunDetail detail(RunId run, std::optional<int> attempt = std::nullopt) {
    auto found = m_store->run_detail(run, attempt);
    EXPECT_TRUE(found && *found) << "run " << run;
    return found && *found ? std::move(**found) : RunDetail{};
  }

  std::unique_ptr<Store> m_store;
};

}  // namespace pipewright::store::test_support
