#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pipewright/exec/actions/builtin.h"

#include "unit/exec/actions/builtin_call.h"
#include "unit/exec/actions/test_tree.h"

namespace pipewright::exec::actions {
namespace {

namespace fs = std::filesystem;
using testing::CallHarness;
using testing::get;
using testing::output;
using testing::put;
using testing::TempDir;

class CacheActionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_harness.settings.cache_store_dir = m_dir / "store";
    fs::create_directories(m_dir / "ws");
  }

  BuiltinCall call(const std::string& uses, std::map<std::string, std::string> inputs) {
    BuiltinCall c = m_harness.call(uses, std::move(inputs));
    c.workspace = m_dir / "ws";
    c.env = {{"HOME", m_dir / "home"}};
    return c;
  }
  const BuiltinAction& action(const std::string& uses) {
    const BuiltinAction* a = find_builtin(*parse_action_ref(uses), m_harness.settings);
    EXPECT_NE(a, nullptr) << uses;
    return *a;
  }
  // main() then, when asked, post() with main's state: one job.
  BuiltinResult job(std::map<std::string, std::string> inputs, bool succeeded = true,
                    BuiltinResult* post_result = nullptr) {
    const BuiltinAction& cache = action("actions/cache@v4");
    BuiltinCall c = call("actions/cache@v4", inputs);
    BuiltinResult main = cache.main(c);
    if (main.run_post) {
      BuiltinCall p = call("actions/cache@v4", inputs);
      for (const auto& [k, v] : main.state)
        p.state[k] = v;
      p.job_succeeded = succeeded;
      BuiltinResult post = cache.post(p);
      if (post_result) *post_result = post;
    }
    return main;
  }

  TempDir m_dir;
  CallHarness m_harness;
};

TEST_F(CacheActionTest, MissThenSaveInPostThenExactHit) {
  put(m_dir / "ws/deps/a.txt", "A");
  put(m_dir / "home/.cache/tool/b", "B");
  std::map<std::string, std::string> in = {{"key", "deps-1"}, {"path", "deps\n~/.cache/tool\n"}};
  BuiltinResult first = job(in);
  EXPECT_EQ(first.outcome, Result::success) << m_harness.log();
  EXPECT_TRUE(first.run_post);
  EXPECT_EQ(output(first, "cache-hit"), "");  // GitHub leaves it unset on a miss
  EXPECT_NE(m_harness.log().find("Cache not found for input keys: deps-1"), std::string::npos);
  EXPECT_NE(m_harness.log().find("Cache saved with key: deps-1"), std::string::npos)
      << m_harness.log();

  fs::remove_all(m_dir / "ws/deps");
  fs::remove_all(m_dir / "home/.cache");
  BuiltinResult post;
  BuiltinResult second = job(in, true, &post);
  EXPECT_EQ(output(second, "cache-hit"), "true");
  EXPECT_EQ(output(second, "cache-matched-key"), "deps-1");
  EXPECT_EQ(get(m_dir / "ws/deps/a.txt"), "A");
  EXPECT_EQ(get(m_dir / "home/.cache/tool/b"), "B");
  EXPECT_NE(m_harness.log().find("Cache hit occurred on the primary key deps-1, not saving cache."),
            std::string::npos);
}

TEST_F(CacheActionTest, RestoreKeysPrefixNewestFirstAndNoSaveOnFailedJob) {
  put(m_dir / "ws/d/f", "old");
  job({{"key", "k-aaa"}, {"path", "d"}});
  put(m_dir / "ws/d/f", "new");
  job({{"key", "k-bbb"}, {"path", "d"}});
  fs::remove_all(m_dir / "ws/d");
  BuiltinResult r = job({{"key", "k-ccc"}, {"path", "d"}, {"restore-keys", "nomatch-\nk-\n"}},
                        /*succeeded=*/false);
  EXPECT_EQ(output(r, "cache-hit"), "false");
  EXPECT_EQ(output(r, "cache-matched-key"), "k-bbb");
  EXPECT_EQ(get(m_dir / "ws/d/f"), "new");
  EXPECT_NE(m_harness.log().find("the job did not succeed"), std::string::npos);
  // k-ccc was not saved: a lookup finds k-bbb again.
  BuiltinResult look =
      action("actions/cache/restore@v4")
          .main(call(
              "actions/cache/restore@v4",
              {{"key", "k-ccc"}, {"path", "d"}, {"restore-keys", "k-"}, {"lookup-only", "true"}}));
  EXPECT_EQ(output(look, "cache-matched-key"), "k-bbb");
  EXPECT_FALSE(look.run_post);
}

TEST_F(CacheActionTest, ScopesSeeOwnAndDefaultBranchOnly) {
  put(m_dir / "ws/d/f", "feature");
  m_harness.github["ref"] = "refs/heads/feature";
  job({{"key", "scoped"}, {"path", "d"}});
  // Another branch does not see feature's cache.
  m_harness.github["ref"] = "refs/heads/other";
  fs::remove_all(m_dir / "ws/d");
  BuiltinResult other = job({{"key", "scoped"}, {"path", "d"}, {"lookup-only", "true"}});
  EXPECT_EQ(output(other, "cache-matched-key"), "");
  // ... but a cache saved on the default branch is visible to every branch.
  m_harness.github["ref"] = "refs/heads/main";
  put(m_dir / "ws/d/f", "main");
  job({{"key", "scoped"}, {"path", "d"}});
  m_harness.github["ref"] = "refs/heads/other";
  m_harness.github.erase("event");
  fs::remove_all(m_dir / "ws/d");
  BuiltinCall c = call("actions/cache@v4", {{"key", "scoped"}, {"path", "d"}});
  expr::Object repo, event, github;
  repo.set("default_branch", expr::Value("main"));
  event.set("repository", expr::Value(std::move(repo)));
  for (const auto& [k, v] : m_harness.github)
    github.set(k, expr::Value(v));
  github.set("event", expr::Value(std::move(event)));
  c.github = expr::Value(std::move(github));
  BuiltinResult seen = action("actions/cache@v4").main(c);
  EXPECT_EQ(output(seen, "cache-hit"), "true") << m_harness.log();
  EXPECT_EQ(get(m_dir / "ws/d/f"), "main");
}

TEST_F(CacheActionTest, FailOnCacheMissAndInputErrors) {
  BuiltinResult miss = job({{"key", "absent"}, {"path", "d"}, {"fail-on-cache-miss", "true"}});
  EXPECT_EQ(miss.outcome, Result::failure);
  EXPECT_EQ(miss.detail,
            "Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: "
            "absent");
  EXPECT_EQ(job({{"path", "d"}}).detail, "Input required and not supplied: key");
  EXPECT_EQ(job({{"key", "k"}}).detail, "Input required and not supplied: path");
  BuiltinResult comma = job({{"key", "a,b"}, {"path", "d"}});
  EXPECT_EQ(comma.outcome, Result::failure);
  EXPECT_EQ(comma.detail, "Key Validation Error: a,b cannot contain commas.");
  EXPECT_EQ(job({{"key", "k"}, {"path", "d"}, {"lookup-only", "yes"}}).outcome, Result::failure);
}

TEST_F(CacheActionTest, SaveActionSavesAtOnceAndWarnsOnExistingKey) {
  put(m_dir / "ws/out/x", "1");
  const BuiltinAction& save = action("actions/cache/save@v4");
  BuiltinResult r = save.main(call("actions/cache/save@v4", {{"key", "s"}, {"path", "out"}}));
  EXPECT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_NE(m_harness.log().find("Cache saved with key: s"), std::string::npos);
  save.main(call("actions/cache/save@v4", {{"key", "s"}, {"path", "out"}}));
  EXPECT_NE(m_harness.log().find("Unable to reserve cache with key s"), std::string::npos)
      << m_harness.log();
  BuiltinResult nothing =
      save.main(call("actions/cache/save@v4", {{"key", "t"}, {"path", "missing-dir"}}));
  EXPECT_EQ(nothing.outcome, Result::success);
  EXPECT_NE(m_harness.log().find("Path Validation Error"), std::string::npos);
}

}  // namespace
}  // namespace pipewright::exec::actions
