#include "pipewright/server/mirror.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "unit/plan/git_fixture.h"

namespace pipewright::server {
namespace {

namespace fs = std::filesystem;
using plan::testing::TempGitRepo;

// A source repository (in <tmp>/myproj) and a data dir beside it for mirrors.
class MirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source.init();
    source.write("README.md", "hello\n");
    source.write(".github/workflows/ci.yml", "on: push\njobs: {}\n");
    source.commit("first");
    first = sha("HEAD");
    source.git("tag -a v1 -m 'version 1'");
    source.git("checkout -q -b feature");
    source.write("src/app.c", "int main(void) { return 0; }\n");
    source.commit("feature work");
    feature = sha("HEAD");
    source.git("checkout -q main");
    data = fs::path(source.root()).parent_path() / "data";
  }

  std::string sha(const std::string& rev) const {
    return git_out(source.root(), "rev-parse " + rev);
  }

  static std::string git_out(const std::string& dir, const std::string& args) {
    std::string cmd = "git -C '" + dir + "' " + args + " 2>/dev/null";
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
      char buf[256];
      while (size_t n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
      ::pclose(p);
    }
    while (!out.empty() && out.back() == '\n')
      out.pop_back();
    return out;
  }

  static std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  Mirror open() {
    auto mirror = Mirror::open_or_create((data / "mirrors/acme/api.git").string(), source.root());
    EXPECT_TRUE(mirror) << mirror.error().message;
    return std::move(*mirror);
  }
  Mirror fetched() {
    Mirror mirror = open();
    auto r = mirror.fetch();
    EXPECT_TRUE(r) << r.error().message;
    return mirror;
  }

  TempGitRepo source;
  std::string first, feature;
  fs::path data;
};

TEST_F(MirrorTest, FetchThenResolveBranchesTagsAndShas) {
  Mirror mirror = fetched();
  EXPECT_TRUE(fs::exists(data / "mirrors/acme/api.git/HEAD"));
  EXPECT_EQ(mirror.resolve("main").value(), first);
  EXPECT_EQ(mirror.resolve("refs/heads/main").value(), first);
  EXPECT_EQ(mirror.resolve("feature").value(), feature);
  EXPECT_EQ(mirror.resolve("v1").value(), first);  // annotated tag peeled to its commit
  EXPECT_EQ(mirror.resolve("refs/tags/v1").value(), first);
  EXPECT_EQ(mirror.resolve(feature).value(), feature);
  EXPECT_EQ(mirror.resolve(feature.substr(0, 10)).value(), feature);
  auto missing = mirror.resolve("no-such-branch");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no-such-branch"), std::string::npos);
  EXPECT_FALSE(mirror.resolve(""));
  EXPECT_FALSE(mirror.resolve("0123456789012345678901234567890123456789"));
}

TEST_F(MirrorTest, DefaultBranchIsTheSourcesHeadOnceFetched) {
  Mirror mirror = open();
  EXPECT_FALSE(mirror.default_branch());  // nothing fetched yet
  ASSERT_TRUE(mirror.fetch());
  EXPECT_EQ(mirror.default_branch().value(), "main");
  // The source switches its HEAD: the next fetch follows.
  source.git("checkout -q feature");
  ASSERT_TRUE(mirror.fetch());
  EXPECT_EQ(mirror.default_branch().value(), "feature");
}

TEST_F(MirrorTest, BranchHeadsAndPruning) {
  Mirror mirror = fetched();
  using Heads = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(mirror.branch_heads().value(), (Heads{{"feature", feature}, {"main", first}}));
  // The source deletes `feature` and moves main on.
  source.git("branch -q -D feature");
  source.write("NEWS", "news\n");
  source.commit("second");
  std::string second = sha("HEAD");
  ASSERT_TRUE(mirror.fetch());
  EXPECT_EQ(mirror.branch_heads().value(), (Heads{{"main", second}}));
  EXPECT_FALSE(mirror.resolve("feature"));
  // Objects stay: the old commit still resolves by sha.
  EXPECT_EQ(mirror.resolve(feature).value(), feature);
}

TEST_F(MirrorTest, PullRequestRefsAreFetchedWhenTheSourceHasThem) {
  source.git("update-ref refs/pull/7/head " + feature);
  Mirror mirror = fetched();
  EXPECT_EQ(mirror.resolve("refs/pull/7/head").value(), feature);
}

TEST_F(MirrorTest, CheckoutOfABranchIsARealRepositoryOnThatBranch) {
  Mirror mirror = fetched();
  fs::path dest = data / "work/run-1";
  auto r = mirror.checkout(feature, "refs/heads/feature", dest.string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(slurp(dest / "src/app.c"), "int main(void) { return 0; }\n");
  EXPECT_EQ(slurp(dest / "README.md"), "hello\n");
  // plan::Repository (what `run` uses) sees the commit, the branch and the origin.
  auto repo = plan::Repository::open(dest.string());
  ASSERT_TRUE(repo) << repo.error().message;
  EXPECT_TRUE(repo->info().is_git);
  EXPECT_EQ(repo->info().sha, feature);
  EXPECT_EQ(repo->info().branch, "feature");
  EXPECT_EQ(repo->info().remote_url, source.root());
  EXPECT_EQ(repo->info().default_branch, "main");
  // History and tags are there for git itself (objects borrowed from the mirror).
  EXPECT_EQ(git_out(dest.string(), "rev-parse HEAD~1"), first);
  EXPECT_EQ(git_out(dest.string(), "describe --tags --abbrev=0 " + first), "v1");
  EXPECT_EQ(git_out(dest.string(), "status --porcelain"), "");
  auto changed = repo->changed_files(first, feature, plan::DiffMode::two_dot);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->files, std::vector<std::string>{"src/app.c"});
}

TEST_F(MirrorTest, CheckoutPinsTheRunsCommitEvenWhenTheBranchMovedOn) {
  Mirror mirror = fetched();
  fs::path dest = data / "work/old";
  ASSERT_TRUE(mirror.checkout(first, "main", dest.string()));
  source.git("checkout -q main");
  EXPECT_EQ(git_out(dest.string(), "rev-parse HEAD"), first);
  EXPECT_EQ(git_out(dest.string(), "symbolic-ref --short HEAD"), "main");
  EXPECT_FALSE(fs::exists(dest / "src/app.c"));
}

TEST_F(MirrorTest, CheckoutOfATagOrPullRequestIsDetached) {
  source.git("update-ref refs/pull/7/head " + feature);
  Mirror mirror = fetched();
  fs::path tag = data / "work/tag";
  ASSERT_TRUE(mirror.checkout(first, "refs/tags/v1", tag.string()));
  EXPECT_EQ(git_out(tag.string(), "rev-parse HEAD"), first);
  EXPECT_EQ(git_out(tag.string(), "symbolic-ref -q HEAD"), "");         // detached
  EXPECT_EQ(git_out(tag.string(), "cat-file -t refs/tags/v1"), "tag");  // still annotated

  fs::path pr = data / "work/pr";
  ASSERT_TRUE(mirror.checkout(feature, "refs/pull/7/merge", pr.string()));
  EXPECT_EQ(git_out(pr.string(), "rev-parse HEAD"), feature);
  EXPECT_EQ(git_out(pr.string(), "rev-parse refs/pull/7/merge"), feature);
  auto repo = plan::Repository::open(pr.string());
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->info().branch, "");
  EXPECT_EQ(repo->info().sha, feature);
}

TEST_F(MirrorTest, CheckoutFailuresLeaveNothingBehind) {
  Mirror mirror = fetched();
  fs::path dest = data / "work/bad";
  auto unknown = mirror.checkout("0123456789abcdef0123456789abcdef01234567", "", dest.string());
  ASSERT_FALSE(unknown);
  EXPECT_FALSE(fs::exists(dest));
  fs::create_directories(dest);
  std::ofstream(dest / "occupied") << "x";
  auto busy = mirror.checkout(first, "main", dest.string());
  ASSERT_FALSE(busy);
  EXPECT_NE(busy.error().message.find("not empty"), std::string::npos);
  EXPECT_TRUE(fs::exists(dest / "occupied"));
}

TEST_F(MirrorTest, ChangedFilesBetweenCommits) {
  Mirror mirror = fetched();
  auto two = mirror.changed_files(first, feature);
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(two->files, std::vector<std::string>{"src/app.c"});
  EXPECT_EQ(two->total, 1u);
  // From nothing (a new branch's push): every file of the commit.
  auto all = mirror.changed_files(std::string(plan::k_zero_sha), first);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->files, (std::vector<std::string>{".github/workflows/ci.yml", "README.md"}));
  // Three-dot (pull requests): only the head side's changes since the merge base.
  source.write("README.md", "changed on main\n");
  source.commit("main moves");
  std::string main2 = sha("HEAD");
  ASSERT_TRUE(mirror.fetch());
  auto three = mirror.changed_files(main2, feature, plan::DiffMode::three_dot);
  ASSERT_TRUE(three);
  EXPECT_EQ(three->files, std::vector<std::string>{"src/app.c"});
  auto limited =
      mirror.changed_files(std::string(plan::k_zero_sha), feature, plan::DiffMode::two_dot, 1);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->files.size(), 1u);
  EXPECT_EQ(limited->total, 3u);
  EXPECT_FALSE(mirror.changed_files(first, "no-such-ref"));
}

TEST_F(MirrorTest, ReadsWorkflowFilesAtACommitWithoutACheckout) {
  Mirror mirror = fetched();
  EXPECT_EQ(mirror.list_files(first, ".github/workflows").value(),
            std::vector<std::string>{"ci.yml"});
  EXPECT_EQ(mirror.list_files(first, ".github/workflows/").value(),
            std::vector<std::string>{"ci.yml"});
  EXPECT_EQ(mirror.read_file(first, ".github/workflows/ci.yml").value(), "on: push\njobs: {}\n");
  EXPECT_TRUE(mirror.list_files(first, "no/such/dir").value().empty());
  EXPECT_TRUE(mirror.list_files(first, "README.md").value().empty());  // a file, not a dir
  EXPECT_EQ(mirror.list_files(first, "").value(), std::vector<std::string>{"README.md"});
  EXPECT_FALSE(mirror.read_file(first, "src/app.c"));  // only on the feature branch
  EXPECT_FALSE(mirror.read_file(first, ".github"));    // a directory
  EXPECT_FALSE(mirror.read_file("no-such-ref", "README.md"));
}

TEST_F(MirrorTest, StaleLockFilesFromAKilledFetchDoNotBlockTheNext) {
  Mirror mirror = fetched();
  fs::path dir = data / "mirrors/acme/api.git";
  // What a fetch killed mid-update leaves: ref, packed-refs and HEAD locks.
  for (const char* lock : {"refs/heads/main.lock", "packed-refs.lock", "HEAD.lock",
                           "refs/tags/v1.lock", "config.lock"})
    std::ofstream(dir / lock) << "";
  source.write("NEWS", "news\n");
  source.commit("second");
  std::string second = sha("HEAD");
  auto r = mirror.fetch();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(mirror.resolve("main").value(), second);
  EXPECT_FALSE(fs::exists(dir / "refs/heads/main.lock"));
  EXPECT_FALSE(fs::exists(dir / "packed-refs.lock"));
  EXPECT_FALSE(fs::exists(dir / "HEAD.lock"));
}

TEST_F(MirrorTest, ReopeningKeepsTheMirrorAndFollowsANewSource) {
  { fetched(); }
  // The same repository served elsewhere (a bare clone), given as a file:// URL.
  fs::path bare = fs::path(source.root()).parent_path() / "served.git";
  ASSERT_EQ(std::system(("git clone -q --bare '" + source.root() + "' '" + bare.string() +
                         "' >/dev/null 2>&1")
                            .c_str()),
            0);
  auto mirror =
      Mirror::open_or_create((data / "mirrors/acme/api.git").string(), "file://" + bare.string());
  ASSERT_TRUE(mirror) << mirror.error().message;
  EXPECT_EQ(mirror->resolve("main").value(), first);  // already there before fetching
  EXPECT_EQ(mirror->source(), "file://" + bare.string());
  ASSERT_TRUE(mirror->fetch());
  EXPECT_EQ(mirror->default_branch().value(), "main");
}

TEST_F(MirrorTest, RelativeSourcesBecomeAbsolute) {
  fs::path cwd = fs::current_path();
  fs::current_path(fs::path(source.root()).parent_path());
  auto mirror = Mirror::open_or_create((data / "m.git").string(), "myproj");
  fs::current_path(cwd);
  ASSERT_TRUE(mirror);
  EXPECT_EQ(mirror->source(), source.root());
  EXPECT_TRUE(mirror->fetch());
}

TEST_F(MirrorTest, BadSourcesAndDirectoriesFailWithWhatIsWrong) {
  auto empty = Mirror::open_or_create((data / "x.git").string(), "");
  EXPECT_FALSE(empty);
  fs::create_directories(data / "not-a-repo");
  std::ofstream(data / "not-a-repo/file") << "x";
  auto not_repo = Mirror::open_or_create((data / "not-a-repo").string(), source.root());
  ASSERT_FALSE(not_repo);
  EXPECT_NE(not_repo.error().message.find("not a git mirror"), std::string::npos);

  std::string gone = (data / "no-such-source").string();
  auto mirror = Mirror::open_or_create((data / "gone.git").string(), gone);
  ASSERT_TRUE(mirror);
  auto r = mirror->fetch();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(gone), std::string::npos);
}

}  // namespace
}  // namespace pipewright::server
