#include "pipewright/exec/actions/artifact_store.h"

#include <filesystem>
#include <regex>

#include <gtest/gtest.h>

#include "unit/exec/actions/test_tree.h"

namespace pipewright::exec::actions {
namespace {

namespace fs = std::filesystem;
using testing::get;
using testing::put;
using testing::TempDir;

class ArtifactStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    put(m_dir / "ws/dist/app.js", "app");
    put(m_dir / "ws/dist/app.js.map", "map");
    put(m_dir / "ws/dist/lib/util.js", "util");
    put(m_dir / "ws/dist/.secret", "hidden");
    put(m_dir / "ws/reports/junit.xml", "<xml/>");
    put(m_dir / "ws/single/file.txt", "one file");
  }
  ArtifactStoreOptions options() {
    ArtifactStoreOptions o;
    o.dir = m_dir / "data/artifacts";
    o.workspace = m_dir / "ws";
    o.home = m_dir / "home";
    return o;
  }
  UploadRequest up(const std::string& name, const std::string& paths) {
    UploadRequest r;
    r.run_id = "7";
    r.name = name;
    r.paths = paths;
    return r;
  }
  std::vector<std::string> tree(const std::string& root) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (!e.is_directory()) out.push_back(e.path().string().substr(root.size() + 1));
    std::sort(out.begin(), out.end());
    return out;
  }
  TempDir m_dir;
};

TEST_F(ArtifactStoreTest, UploadDirectoryAndDownloadByName) {
  ArtifactStore store(options());
  auto r = store.upload(up("web", "dist/\n!dist/**/*.map"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->artifact_id);
  EXPECT_EQ(*r->artifact_id, 1);
  EXPECT_EQ(r->files, 2u);  // hidden files are left out by default (v4.4+)
  auto d = store.download({"7", "web", std::nullopt, "", false, "out"});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->path, m_dir / "ws/out");
  EXPECT_EQ(tree(m_dir / "ws/out"), (std::vector<std::string>{"app.js", "lib/util.js"}));
  EXPECT_EQ(get(m_dir / "ws/out/lib/util.js"), "util");
}

TEST_F(ArtifactStoreTest, LeastCommonAncestorAndSingleFileRoots) {
  ArtifactStore store(options());
  ASSERT_TRUE(store.upload(up("mixed", "dist/lib\nreports/*.xml")));
  ASSERT_TRUE(store.upload(up("one", "single/file.txt")));
  UploadRequest hidden = up("hidden", "dist");
  hidden.include_hidden_files = true;
  ASSERT_TRUE(store.upload(hidden));
  ASSERT_TRUE(store.download({"7", "", std::nullopt, "", false, "all"}));
  EXPECT_EQ(tree(m_dir / "ws/all"),
            (std::vector<std::string>{"hidden/.secret", "hidden/app.js", "hidden/app.js.map",
                                      "hidden/lib/util.js", "mixed/dist/lib/util.js",
                                      "mixed/reports/junit.xml", "one/file.txt"}));
}

TEST_F(ArtifactStoreTest, PatternAndMergeMultipleAndId) {
  ArtifactStore store(options());
  ASSERT_TRUE(store.upload(up("report-linux", "reports")));
  ASSERT_TRUE(store.upload(up("report-mac", "single")));
  auto web = store.upload(up("web", "dist/app.js"));
  ASSERT_TRUE(web);
  auto d = store.download({"7", "", std::nullopt, "report-*", true, "merged"});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->names, (std::vector<std::string>{"report-linux", "report-mac"}));
  EXPECT_EQ(tree(m_dir / "ws/merged"), (std::vector<std::string>{"file.txt", "junit.xml"}));
  auto by_id = store.download({"7", "", web->artifact_id, "", false, "byid"});
  ASSERT_TRUE(by_id) << by_id.error().message;
  EXPECT_EQ(tree(m_dir / "ws/byid"), std::vector<std::string>{"app.js"});
  auto none = store.download({"7", "", std::nullopt, "nomatch-*", false, "none"});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->names.empty());
}

TEST_F(ArtifactStoreTest, V4ConflictOverwriteAndV3Append) {
  ArtifactStore store(options());
  ASSERT_TRUE(store.upload(up("a", "dist/app.js")));
  auto again = store.upload(up("a", "reports"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message,
            "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) "
            "Conflict: an artifact with this name already exists on the workflow run");
  UploadRequest over = up("a", "reports");
  over.overwrite = true;
  auto replaced = store.upload(over);
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ(*replaced->artifact_id, 2);
  ASSERT_EQ(store.list("7").size(), 1u);
  ASSERT_TRUE(store.download({"7", "a", std::nullopt, "", false, "o1"}));
  EXPECT_EQ(tree(m_dir / "ws/o1"), std::vector<std::string>{"junit.xml"});

  UploadRequest v3 = up("legacy", "dist/app.js");
  v3.version = 3;
  ASSERT_TRUE(store.upload(v3));
  v3.paths = "reports/junit.xml";
  auto second = store.upload(v3);
  ASSERT_TRUE(second) << second.error().message;
  auto listed = store.list("7");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].name, "legacy");
  EXPECT_EQ(listed[1].files, 2u);
  ASSERT_TRUE(store.download({"7", "legacy", std::nullopt, "", false, "o2"}));
  EXPECT_EQ(tree(m_dir / "ws/o2"), (std::vector<std::string>{"app.js", "junit.xml"}));
}

TEST_F(ArtifactStoreTest, NameValidationUsesGitHubsText) {
  for (std::string bad : {"a/b", "a\\b", "a:b", "x*", "new\nline", "q?"}) {
    auto r = ArtifactStore::validate_name(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_TRUE(r.error().message.starts_with("The artifact name is not valid: " + bad +
                                              ". Contains the following character: "))
        << r.error().message;
    EXPECT_NE(r.error().message.find("Invalid characters include:  Double quote \", Colon :, Less "
                                     "than <, Greater than >, Vertical bar |, Asterisk *, Question "
                                     "mark ?, Carriage return \\r, Line feed \\n, Backslash \\, "
                                     "Forward slash /"),
              std::string::npos)
        << r.error().message;
  }
  EXPECT_FALSE(ArtifactStore::validate_name("tab\there"));
  EXPECT_FALSE(ArtifactStore::validate_name(".."));
  EXPECT_EQ(ArtifactStore::validate_name("").error().message,
            "Provided artifact name input during validation is empty");
  EXPECT_TRUE(ArtifactStore::validate_name("my-artifact v1.2 (linux)"));
  ArtifactStore store(options());
  EXPECT_FALSE(store.upload(up("a/b", "dist")));
  put(m_dir / "ws/odd/what?.txt", "x");
  auto odd = store.upload(up("odd", "odd"));
  ASSERT_FALSE(odd);
  EXPECT_TRUE(odd.error().message.starts_with(
      "The path for one of the files in artifact is not valid: what?.txt."));
}

TEST_F(ArtifactStoreTest, IfNoFilesFoundAndRetention) {
  ArtifactStore store(options());
  const std::string text =
      "No files were found with the provided path: nothing/. No artifacts will be uploaded.";
  auto warn = store.upload(up("x", "nothing/"));
  ASSERT_TRUE(warn);
  EXPECT_FALSE(warn->artifact_id);
  EXPECT_EQ(warn->warnings, std::vector<std::string>{text});
  UploadRequest error = up("x", "nothing/");
  error.if_no_files_found = IfNoFilesFound::error;
  auto failed = store.upload(error);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, text);
  UploadRequest ignore = up("x", "nothing/");
  ignore.if_no_files_found = IfNoFilesFound::ignore;
  EXPECT_TRUE(store.upload(ignore)->warnings.empty());

  UploadRequest zero = up("r", "dist");
  zero.retention_days = 0;
  EXPECT_FALSE(store.upload(zero));
  UploadRequest big = up("r", "dist");
  big.retention_days = 400;
  auto capped = store.upload(big);
  ASSERT_TRUE(capped);
  ASSERT_EQ(capped->warnings.size(), 1u);
  auto info = store.list("7").at(0);
  EXPECT_NEAR(static_cast<double>(info.expires_s - info.created_s), 90.0 * 86400, 5);
}

TEST_F(ArtifactStoreTest, ExpiredArtifactsAreHiddenAndPruned) {
  ArtifactStore store(options());
  auto r = store.upload(up("old", "dist"));
  ASSERT_TRUE(r);
  std::string record = options().dir + "/7/" + std::to_string(*r->artifact_id) + "/artifact.json";
  std::string text = get(record);
  text = std::regex_replace(text, std::regex("\"expires_s\":[0-9]+"), "\"expires_s\":1");
  put(record, text);
  EXPECT_TRUE(store.list("7").empty());
  EXPECT_FALSE(store.download({"7", "old", std::nullopt, "", false, "o"}));
  EXPECT_EQ(store.prune_expired(), 1u);
  EXPECT_FALSE(fs::exists(options().dir + "/7/" + std::to_string(*r->artifact_id)));
}

TEST_F(ArtifactStoreTest, MissingArtifactAndBadRunId) {
  ArtifactStore store(options());
  auto r = store.download({"7", "ghost", std::nullopt, "", false, "o"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Unable to download artifact(s): Artifact not found for name: ghost");
  UploadRequest bad = up("x", "dist");
  bad.run_id = "../x";
  EXPECT_FALSE(store.upload(bad));
}

}  // namespace
}  // namespace pipewright::exec::actions
