// Job directories (exec/workspace.h): what a job gets, and that everything goes at the
// end — also when the removal runs in the background (DirectoryJanitor).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/exec/workspace.h"

#include "unit/temp_dir.h"

namespace pipewright::exec {
namespace {

namespace fs = std::filesystem;

class JobDirectoriesTest : public test_support::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(m_dir / "source");
    std::ofstream(m_dir / "source" / "file.txt") << "content";
  }

  JobDirectories create(const std::string& name, bool bind) {
    auto dirs =
        create_job_directories((m_dir / "jobs").string(), (m_dir / "scratch").string(), name,
                               "repo", (m_dir / "source").string(), {"file.txt"}, bind);
    EXPECT_TRUE(dirs) << dirs.error().message;
    return dirs ? *dirs : JobDirectories{};
  }
};

TEST_F(JobDirectoriesTest, ACopyATempAndAPrivateScratchDir) {
  JobDirectories dirs = create("build-0", false);
  // The runner's layout: <repo>/<repo> and _temp, no hidden directory.
  EXPECT_EQ(dirs.workspace, (m_dir / "jobs" / "build-0" / "repo" / "repo").string());
  EXPECT_EQ(dirs.temp, (m_dir / "jobs" / "build-0" / "_temp").string());
  EXPECT_TRUE(fs::exists(fs::path(dirs.workspace) / "file.txt"));
  EXPECT_TRUE(fs::is_directory(dirs.temp));
  EXPECT_EQ(dirs.scratch, (m_dir / "scratch" / "build-0").string());
  struct stat st {};
  ASSERT_EQ(::stat(dirs.scratch.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u) << "scripts there hold secrets";
}

TEST_F(JobDirectoriesTest, WithBindTheWorkspaceIsTheSourceAndTempIsTheJobDir) {
  JobDirectories dirs = create("build-0", true);
  EXPECT_EQ(dirs.workspace, (m_dir / "source").string());
  EXPECT_EQ(dirs.temp, dirs.root);
  remove_job_directories(dirs);
  EXPECT_FALSE(fs::exists(dirs.root));
  EXPECT_FALSE(fs::exists(dirs.scratch));
  EXPECT_TRUE(fs::exists(m_dir / "source" / "file.txt")) << "the working copy must stay";
}

TEST_F(JobDirectoriesTest, TheJanitorRemovesEverythingBeforeItIsGone) {
  std::vector<JobDirectories> jobs;
  {
    DirectoryJanitor janitor;
    for (int i = 0; i < 20; ++i) {
      jobs.push_back(create("job-" + std::to_string(i), false));
      std::ofstream(fs::path(jobs.back().temp) / "left.txt") << "x";
      remove_job_directories(jobs.back(), &janitor);
    }
  }
  for (const JobDirectories& dirs : jobs) {
    EXPECT_FALSE(fs::exists(dirs.root)) << dirs.root;
    EXPECT_FALSE(fs::exists(dirs.scratch)) << dirs.scratch;
  }
}

TEST_F(JobDirectoriesTest, AKeptWorkspaceLosesOnlyItsScratchDir) {
  JobDirectories dirs = create("failed-0", false);
  {
    DirectoryJanitor janitor;
    remove_job_scratch(dirs, &janitor);
  }
  EXPECT_FALSE(fs::exists(dirs.scratch));
  EXPECT_TRUE(fs::exists(fs::path(dirs.workspace) / "file.txt"));
  EXPECT_TRUE(fs::is_directory(dirs.temp));
}

TEST(WorkRootTest, ConfiguredIsTakenUnlessItHasAHiddenDirectory) {
  auto root = resolve_work_root("/srv/ci/work/", "/home/u/.local/share/pipewright");
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(*root, "/srv/ci/work");
  auto hidden = resolve_work_root("/home/u/.cache/work", "/srv/data");
  ASSERT_FALSE(hidden);
  EXPECT_NE(hidden.error().message.find("hidden directory '.cache'"), std::string::npos)
      << hidden.error().message;
  EXPECT_NE(hidden.error().message.find("--work-dir"), std::string::npos);
}

TEST(WorkRootTest, DefaultIsBesideTheDataUnlessThatIsHidden) {
  auto beside = resolve_work_root("", "/srv/data/pipewright");
  ASSERT_TRUE(beside);
  EXPECT_EQ(*beside, "/srv/data/pipewright/work");
  auto elsewhere = resolve_work_root("", "/home/u/.local/share/pipewright");
  ASSERT_TRUE(elsewhere) << elsewhere.error().message;
  EXPECT_EQ(*elsewhere, "/var/tmp/pipewright-" + std::to_string(::getuid()) + "/work");
  struct stat st {};
  ASSERT_EQ(::stat(fs::path(*elsewhere).parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "other users must not reach the workspaces";
}

TEST_F(JobDirectoriesTest, RunDirectoriesAreNeverShared) {
  auto first = create_run_directory((m_dir / "work").string(), 7);
  auto second = create_run_directory((m_dir / "work").string(), 7);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, (m_dir / "work" / "7").string());
  EXPECT_EQ(*second, (m_dir / "work" / "7-2").string());
}

TEST(WorkspaceRepoNameTest, LastSegmentNeverHidden) {
  EXPECT_EQ(workspace_repo_name("octo/app"), "app");
  EXPECT_EQ(workspace_repo_name("octo/.github"), "_github");
  EXPECT_EQ(workspace_repo_name(""), "repository");
}

}  // namespace
}  // namespace pipewright::exec
