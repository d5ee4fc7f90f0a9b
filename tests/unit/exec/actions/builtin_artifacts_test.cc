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

class ArtifactActionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_harness.settings.artifact_dir = m_dir / "artifacts";
    m_harness.github["run_id"] = "42";
    fs::create_directories(m_dir / "ws");
    fs::create_directories(m_dir / "ws2");
  }
  BuiltinResult run(const std::string& uses, std::map<std::string, std::string> inputs,
                    const std::string& workspace = "ws") {
    BuiltinCall c = m_harness.call(uses, std::move(inputs));
    c.workspace = m_dir / workspace;
    c.env = {{"HOME", m_dir / "home"}};
    const BuiltinAction* a = find_builtin(c.ref, m_harness.settings);
    EXPECT_NE(a, nullptr);
    return a->main(c);
  }

  TempDir m_dir;
  CallHarness m_harness;
};

TEST_F(ArtifactActionTest, UploadThenDownloadInAnotherWorkspace) {
  put(m_dir / "ws/dist/a.txt", "a");
  put(m_dir / "ws/dist/sub/b.txt", "b");
  put(m_dir / "ws/dist/skip.log", "no");
  put(m_dir / "ws/dist/.hidden", "h");
  BuiltinResult up =
      run("actions/upload-artifact@v4", {{"name", "bundle"}, {"path", "dist/\n!dist/*.log\n"}});
  ASSERT_EQ(up.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(output(up, "artifact-id"), "1");
  EXPECT_TRUE(fs::is_directory(output(up, "artifact-url"))) << output(up, "artifact-url");

  BuiltinResult down =
      run("actions/download-artifact@v4", {{"name", "bundle"}, {"path", "got"}}, "ws2");
  ASSERT_EQ(down.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(output(down, "download-path"), m_dir / "ws2/got");
  EXPECT_EQ(get(m_dir / "ws2/got/a.txt"), "a");
  EXPECT_EQ(get(m_dir / "ws2/got/sub/b.txt"), "b");
  EXPECT_FALSE(fs::exists(m_dir / "ws2/got/skip.log"));
  EXPECT_FALSE(fs::exists(m_dir / "ws2/got/.hidden"));  // v4: hidden files excluded
}

TEST_F(ArtifactActionTest, V4ConflictsV3Appends) {
  put(m_dir / "ws/one.txt", "1");
  put(m_dir / "ws/two.txt", "2");
  ASSERT_EQ(run("actions/upload-artifact@v4", {{"name", "x"}, {"path", "one.txt"}}).outcome,
            Result::success);
  BuiltinResult again = run("actions/upload-artifact@v4", {{"name", "x"}, {"path", "two.txt"}});
  EXPECT_EQ(again.outcome, Result::failure);
  EXPECT_NE(again.detail.find("(409) Conflict: an artifact with this name already exists"),
            std::string::npos)
      << again.detail;
  EXPECT_EQ(
      run("actions/upload-artifact@v4", {{"name", "x"}, {"path", "two.txt"}, {"overwrite", "true"}})
          .outcome,
      Result::success);

  ASSERT_EQ(run("actions/upload-artifact@v3", {{"name", "old"}, {"path", "one.txt"}}).outcome,
            Result::success);
  ASSERT_EQ(run("actions/upload-artifact@v3.1.2", {{"name", "old"}, {"path", "two.txt"}}).outcome,
            Result::success);
  run("actions/download-artifact@v3", {{"name", "old"}, {"path", "old"}}, "ws2");
  EXPECT_EQ(get(m_dir / "ws2/old/one.txt"), "1");
  EXPECT_EQ(get(m_dir / "ws2/old/two.txt"), "2");
}

TEST_F(ArtifactActionTest, AllArtifactsPatternAndMerge) {
  put(m_dir / "ws/a/f1", "1");
  put(m_dir / "ws/b/f2", "2");
  run("actions/upload-artifact@v4", {{"name", "logs-a"}, {"path", "a"}});
  run("actions/upload-artifact@v4", {{"name", "logs-b"}, {"path", "b"}});
  run("actions/upload-artifact@v4", {{"name", "other"}, {"path", "a"}});
  BuiltinResult all = run("actions/download-artifact@v4", {{"path", "all"}}, "ws2");
  ASSERT_EQ(all.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(get(m_dir / "ws2/all/logs-a/f1"), "1");
  EXPECT_EQ(get(m_dir / "ws2/all/other/f1"), "1");
  run("actions/download-artifact@v4",
      {{"pattern", "logs-*"}, {"merge-multiple", "true"}, {"path", "merged"}}, "ws2");
  EXPECT_EQ(get(m_dir / "ws2/merged/f1"), "1");
  EXPECT_EQ(get(m_dir / "ws2/merged/f2"), "2");
  EXPECT_FALSE(fs::exists(m_dir / "ws2/merged/other"));
}

TEST_F(ArtifactActionTest, NoFilesNamesAndMissingArtifacts) {
  BuiltinResult warn = run("actions/upload-artifact@v4", {{"path", "nothing/*"}});
  EXPECT_EQ(warn.outcome, Result::success);
  EXPECT_NE(m_harness.log().find("No files were found with the provided path"), std::string::npos);
  EXPECT_EQ(output(warn, "artifact-id"), "");
  EXPECT_EQ(run("actions/upload-artifact@v4", {{"path", "nothing"}, {"if-no-files-found", "error"}})
                .outcome,
            Result::failure);
  EXPECT_EQ(
      run("actions/upload-artifact@v4", {{"path", "x"}, {"if-no-files-found", "maybe"}}).outcome,
      Result::failure);
  put(m_dir / "ws/f", "f");
  BuiltinResult bad = run("actions/upload-artifact@v4", {{"name", "a/b"}, {"path", "f"}});
  EXPECT_EQ(bad.outcome, Result::failure);
  EXPECT_NE(bad.detail.find("Forward slash /"), std::string::npos) << bad.detail;
  BuiltinResult missing = run("actions/download-artifact@v4", {{"name", "nope"}});
  EXPECT_EQ(missing.outcome, Result::failure);
  EXPECT_NE(missing.detail.find("Artifact not found for name: nope"), std::string::npos);
  EXPECT_EQ(run("actions/upload-artifact@v4", {{"path", "f"}, {"retention-days", "abc"}}).outcome,
            Result::failure);
}

}  // namespace
}  // namespace pipewright::exec::actions
