#include "pipewright/plan/repository.h"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "unit/plan/git_fixture.h"

namespace pipewright::plan {
namespace {

using testing::TempGitRepo;

TEST(Repository, PlainDirectoryFallbacks) {
  TempGitRepo dir;  // not initialized: a plain directory
  dir.write("a.txt", "a");
  dir.write("sub/b.txt", "b");
  auto repo = Repository::open(dir.root());
  ASSERT_TRUE(repo) << repo.error().message;
  const RepositoryInfo& info = repo->info();
  EXPECT_FALSE(info.is_git);
  EXPECT_EQ(info.sha, k_zero_sha);
  EXPECT_EQ(info.ref_for(RefType::branch), "refs/heads/main");
  EXPECT_EQ(info.default_branch, "main");
  EXPECT_TRUE(info.repository.ends_with("/myproj")) << info.repository;
  EXPECT_EQ(info.repository, info.repository_owner + "/myproj");
  EXPECT_EQ(info.root, dir.root());
  auto files = repo->working_tree_files();
  ASSERT_TRUE(files);
  EXPECT_EQ(*files, (std::vector<std::string>{"a.txt", "sub/b.txt"}));
  EXPECT_FALSE(repo->resolve("HEAD"));
}

TEST(Repository, MissingDirectoryFails) {
  auto repo = Repository::open("/nonexistent/pw-plan-dir");
  ASSERT_FALSE(repo);
  EXPECT_NE(repo.error().message.find("not a directory"), std::string::npos);
}

TEST(Repository, UnbornRepository) {
  TempGitRepo git;
  git.init();
  auto repo = Repository::open(git.root());
  ASSERT_TRUE(repo) << repo.error().message;
  EXPECT_TRUE(repo->info().is_git);
  EXPECT_EQ(repo->info().sha, k_zero_sha);
  EXPECT_EQ(repo->info().branch, "main");
  EXPECT_EQ(repo->info().actor, "Test User");
}

TEST(Repository, HeadRemoteAndActor) {
  TempGitRepo git;
  git.init();
  git.write("README.md", "hello\n");
  git.commit("first");
  git.git("remote add origin git@github.com:octo-org/hello-world.git");
  git.git("checkout -q -b feature/x");
  std::filesystem::create_directories(git.root() + "/deep/dir");
  auto repo = Repository::open(git.root() + "/deep/dir");  // found by searching upward
  ASSERT_TRUE(repo) << repo.error().message;
  const RepositoryInfo& info = repo->info();
  EXPECT_EQ(info.root, git.root());
  EXPECT_EQ(info.sha.size(), 40u);
  EXPECT_NE(info.sha, k_zero_sha);
  EXPECT_EQ(info.branch, "feature/x");
  EXPECT_EQ(info.default_branch, "main");
  EXPECT_EQ(info.ref_for(RefType::branch), "refs/heads/feature/x");
  EXPECT_EQ(info.repository, "octo-org/hello-world");
  EXPECT_EQ(info.repository_owner, "octo-org");
  EXPECT_EQ(info.server_url, "https://github.com");
  EXPECT_EQ(info.actor, "Test User");
  EXPECT_EQ(info.actor_email, "test@example.com");
  auto head = repo->resolve("HEAD");
  ASSERT_TRUE(head);
  EXPECT_EQ(*head, info.sha);
}

TEST(Repository, DefaultBranchFromOriginHead) {
  TempGitRepo git;
  git.init();
  git.write("x", "1");
  git.commit("one");
  git.git("branch trunk");
  git.git("update-ref refs/remotes/origin/trunk HEAD");
  git.git("symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/trunk");
  auto repo = Repository::open(git.root());
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->info().default_branch, "trunk");
}

TEST(Repository, TagsAtHead) {
  TempGitRepo git;
  git.init();
  git.write("x", "1");
  git.commit("one");
  git.git("tag v0.9");
  git.write("x", "2");
  git.commit("two");
  git.git("tag -a v1.0 -m release");
  git.git("tag light");
  auto repo = Repository::open(git.root());
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->info().head_tags, (std::vector<std::string>{"light", "v1.0"}));
  EXPECT_EQ(repo->info().ref_for(RefType::tag), "refs/tags/light");
  EXPECT_EQ(repo->info().ref_for(RefType::branch), "refs/heads/main");
}

TEST(Repository, CommitsAndChangedFiles) {
  TempGitRepo git;
  git.init();
  git.write("a.txt", "a");
  git.write("docs/readme.md", "r");
  git.commit("one");
  auto repo0 = Repository::open(git.root());
  ASSERT_TRUE(repo0);
  std::string first = repo0->info().sha;
  git.write("src/main.cc", "int main() {}");
  git.commit("two");
  git.git("rm -q docs/readme.md");
  git.git("mv a.txt b.txt");
  git.commit("three\n\nbody");
  auto repo = Repository::open(git.root());
  ASSERT_TRUE(repo);
  std::string head = repo->info().sha;

  auto commits = repo->commits_between(first, head);
  ASSERT_TRUE(commits) << commits.error().message;
  ASSERT_EQ(commits->size(), 2u);
  EXPECT_EQ((*commits)[0].message, "two");
  EXPECT_EQ((*commits)[1].message, "three\n\nbody");
  EXPECT_EQ((*commits)[1].sha, head);
  EXPECT_EQ((*commits)[1].author_name, "Test User");
  EXPECT_EQ((*commits)[1].timestamp(), "2024-05-01T12:00:00+02:00");

  auto all = repo->commits_between(std::string(k_zero_sha), head);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
  auto newest = repo->commits_between(std::string(k_zero_sha), head, 1);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ(newest->front().sha, head);

  auto changed = repo->changed_files(first, head, DiffMode::two_dot);
  ASSERT_TRUE(changed) << changed.error().message;
  std::vector<std::string> files = changed->files;
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"a.txt", "b.txt", "docs/readme.md", "src/main.cc"}));
  EXPECT_EQ(changed->total, 4u);

  auto limited = repo->changed_files(first, head, DiffMode::two_dot, 2);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->files.size(), 2u);
  EXPECT_EQ(limited->total, 4u);

  auto from_nothing = repo->changed_files(std::string(k_zero_sha), first, DiffMode::two_dot);
  ASSERT_TRUE(from_nothing);
  EXPECT_EQ(from_nothing->files, (std::vector<std::string>{"a.txt", "docs/readme.md"}));

  auto parent = repo->parent(head);
  ASSERT_TRUE(parent);
  EXPECT_EQ(*parent, (*commits)[0].sha);
  auto root_parent = repo->parent(first);
  ASSERT_TRUE(root_parent);
  EXPECT_EQ(*root_parent, k_zero_sha);
}

TEST(Repository, ThreeDotDiffUsesMergeBase) {
  TempGitRepo git;
  git.init();
  git.write("base.txt", "b");
  git.commit("base");
  git.git("checkout -q -b feature");
  git.write("feature.txt", "f");
  git.commit("feature work");
  git.git("checkout -q main");
  git.write("main-only.txt", "m");
  git.commit("main moves on");
  auto repo = Repository::open(git.root());
  ASSERT_TRUE(repo);
  auto main_sha = repo->resolve("main");
  auto feature_sha = repo->resolve("feature");
  ASSERT_TRUE(main_sha && feature_sha);
  auto three = repo->changed_files(*main_sha, *feature_sha, DiffMode::three_dot);
  ASSERT_TRUE(three);
  EXPECT_EQ(three->files, (std::vector<std::string>{"feature.txt"}));
  auto two = repo->changed_files(*main_sha, *feature_sha, DiffMode::two_dot);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->files, (std::vector<std::string>{"feature.txt", "main-only.txt"}));
}

TEST(Repository, WorkingTreeFilesTrackedAndUntrackedNotIgnored) {
  TempGitRepo git;
  git.init();
  git.write(".gitignore", "*.log\nbuild/\n");
  git.write("tracked.txt", "t");
  git.write("gone.txt", "g");
  git.write("src/a.cc", "a");
  git.commit("one");
  std::filesystem::remove(git.root() + "/gone.txt");
  git.write("new/untracked.txt", "u");
  git.write("debug.log", "ignored");
  git.write("build/out.o", "ignored");
  git.write("tracked.txt", "modified");
  auto repo = Repository::open(git.root());
  ASSERT_TRUE(repo);
  auto files = repo->working_tree_files();
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(*files, (std::vector<std::string>{".gitignore", "new/untracked.txt", "src/a.cc",
                                              "tracked.txt"}));
}

TEST(RemoteUrl, Forms) {
  struct Case {
    const char* url;
    const char* owner;
    const char* name;
    const char* host;
  };
  const Case cases[] = {
      {"https://github.com/octo/hello.git", "octo", "hello", "github.com"},
      {"https://user:tok@ghe.example.com:8443/team/svc", "team", "svc", "ghe.example.com:8443"},
      {"git@github.com:octo/hello.git", "octo", "hello", "github.com"},
      {"ssh://git@github.com:22/octo/hello.git/", "octo", "hello", "github.com"},
      {"/srv/git/owner/project.git", "owner", "project", ""},
      {"file:///srv/git/owner/project", "owner", "project", ""},
  };
  for (const Case& c : cases) {
    std::string owner, name, host;
    ASSERT_TRUE(parse_remote_url(c.url, owner, name, host)) << c.url;
    EXPECT_EQ(owner, c.owner) << c.url;
    EXPECT_EQ(name, c.name) << c.url;
    EXPECT_EQ(host, c.host) << c.url;
  }
  std::string owner, name, host;
  EXPECT_FALSE(parse_remote_url("project", owner, name, host));
  EXPECT_FALSE(parse_remote_url("", owner, name, host));
}

}  // namespace
}  // namespace pipewright::plan
