#include "pipewright/exec/actions/action_cache.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace pipewright::exec::actions {
namespace {

namespace fs = std::filesystem;

std::string sh(const std::string& command) {
  std::string out_file = fs::temp_directory_path() / fmt::format("act-sh-{}.out", ::getpid());
  int rc = std::system((command + " >" + out_file + " 2>&1").c_str());
  std::ifstream in(out_file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(rc, 0) << command << "\n" << ss.str();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n')
    s.pop_back();
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A "remote": <root>/remote/octo/hello (bare) with branch main, tag v1 and a second
// commit on main that tag v1 does not have.
class ActionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pw-action-cache-XXXXXX";
    m_root = ::mkdtemp(tmpl);
    std::string work = m_root + "/work";
    std::string git = "git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main";
    sh(fmt::format(
        "mkdir -p {0}/sub && cd {0} && {1} init -q && "
        "printf 'name: hello\\nruns:\\n  using: composite\\n  steps: []\\n' > action.yml && "
        "echo one > sub/file && {1} add -A && {1} commit -q -m one && {1} tag v1 && "
        "echo two > sub/file && {1} commit -q -am two",
        work, git));
    m_v1_sha = sh(fmt::format("cd {} && git rev-parse v1", work));
    m_main_sha = sh(fmt::format("cd {} && git rev-parse main", work));
    sh(fmt::format(
        "mkdir -p {0}/remote/octo && git clone -q --bare {1} {0}/remote/octo/hello.git && "
        "mv {0}/remote/octo/hello.git {0}/remote/octo/hello",
        m_root, work));
  }
  void TearDown() override { fs::remove_all(m_root); }

  ActionCacheOptions options(bool offline = false) {
    ActionCacheOptions o;
    o.root = m_root + "/cache";
    o.actions_url = "file://" + m_root + "/remote";
    o.offline = offline;
    return o;
  }
  static ActionRef ref(const std::string& uses) { return *parse_action_ref(uses); }

  std::string m_root;
  std::string m_v1_sha;
  std::string m_main_sha;
};

TEST_F(ActionCacheTest, ClonesTagBranchAndFullSha) {
  ActionCache cache(options());
  auto v1 = cache.repository_dir(ref("octo/hello@v1"));
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(*v1, m_root + "/cache/octo/hello@v1");
  EXPECT_EQ(slurp(*v1 + "/sub/file"), "one\n");
  EXPECT_FALSE(fs::exists(*v1 + "/.git"));

  auto main = cache.repository_dir(ref("octo/hello@main"));
  ASSERT_TRUE(main) << main.error().message;
  EXPECT_EQ(slurp(*main + "/sub/file"), "two\n");

  auto by_sha = cache.repository_dir(ref("octo/hello@" + m_v1_sha));
  ASSERT_TRUE(by_sha) << by_sha.error().message;
  EXPECT_EQ(slurp(*by_sha + "/sub/file"), "one\n");
}

TEST_F(ActionCacheTest, ActionDirJoinsThePathAndChecksIt) {
  ActionCache cache(options());
  auto sub = cache.action_dir(ref("octo/hello/sub@v1"));
  ASSERT_TRUE(sub) << sub.error().message;
  EXPECT_EQ(*sub, m_root + "/cache/octo/hello@v1/sub");
  auto missing = cache.action_dir(ref("octo/hello/nope@v1"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "'octo/hello' has no directory 'nope' at v1");
}

TEST_F(ActionCacheTest, SecondResolveUsesTheCache) {
  ActionCache cache(options());
  ASSERT_TRUE(cache.repository_dir(ref("octo/hello@v1")));
  fs::remove_all(m_root + "/remote");  // the remote is gone; the cache still answers
  auto again = cache.repository_dir(ref("octo/hello@v1"));
  ASSERT_TRUE(again) << again.error().message;
}

TEST_F(ActionCacheTest, OfflineNamesTheMissingActionAndHowToFetchIt) {
  ActionCache cache(options(true));
  auto r = cache.repository_dir(ref("octo/hello@v1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "action 'octo/hello@v1' is not in the action cache (" + m_root +
                                   "/cache) and --offline is set");
  EXPECT_NE(r.error().hint.find("pipewright actions pull"), std::string::npos);
  EXPECT_FALSE(cache.cached(ref("octo/hello@v1")));
  // pull_all fetches even offline; afterwards offline resolution works.
  auto outcomes = cache.pull_all({ref("octo/hello@v1")});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].fetched) << outcomes[0].error;
  ASSERT_TRUE(cache.repository_dir(ref("octo/hello@v1")));
}

TEST_F(ActionCacheTest, UnknownRefAndRepositoryFailWithGitsReason) {
  ActionCache cache(options());
  auto r = cache.repository_dir(ref("octo/hello@v9"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot fetch action 'octo/hello@v9' from file://"),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("v9"), std::string::npos);
  EXPECT_FALSE(fs::exists(m_root + "/cache/octo/hello@v9"));
  auto repo = cache.repository_dir(ref("octo/nothere@v1"));
  ASSERT_FALSE(repo);
  // Nothing half-made is left behind.
  for (const auto& e : fs::directory_iterator(m_root + "/cache/octo"))
    EXPECT_FALSE(e.path().filename().string().starts_with(".tmp-")) << e.path();
}

TEST_F(ActionCacheTest, ShortShaIsRefusedAsGitHubDoes) {
  ActionCache cache(options());
  std::string short_sha = m_main_sha.substr(0, 7);
  auto r = cache.repository_dir(ref("octo/hello@" + short_sha));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            fmt::format("Unable to resolve action `octo/hello@{}`, the provided ref `{}` is the "
                        "shortened version of a commit SHA, which is not supported. Please use "
                        "the full commit SHA `{}` instead.",
                        short_sha, short_sha, m_main_sha));
}

TEST_F(ActionCacheTest, ConcurrentResolversShareOneEntry) {
  ActionCache cache(options());
  std::vector<std::thread> threads;
  std::vector<std::string> dirs(4);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto d = cache.repository_dir(ref("octo/hello@main"));
      dirs[i] = d ? *d : d.error().message;
    });
  for (auto& t : threads)
    t.join();
  for (const std::string& d : dirs)
    EXPECT_EQ(d, m_root + "/cache/octo/hello@main");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(m_root + "/cache/octo"))
    entries += e.path().filename().string().starts_with(".tmp-") ? 100 : 1;
  EXPECT_EQ(entries, 2);  // the entry and its lock file
}

TEST_F(ActionCacheTest, PullAllDeduplicatesAndSkipsNonRemote) {
  ActionCache cache(options());
  auto outcomes = cache.pull_all({ref("octo/hello@v1"), ref("./local"), ref("octo/hello/sub@v1"),
                                  ref("docker://alpine"), ref("octo/hello@v9")});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].name, "octo/hello@v1");
  EXPECT_TRUE(outcomes[0].fetched);
  EXPECT_EQ(outcomes[0].error, "");
  EXPECT_EQ(outcomes[1].name, "octo/hello@v9");
  EXPECT_NE(outcomes[1].error, "");
  auto again = cache.pull_all({ref("octo/hello@v1")});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_FALSE(again[0].fetched);
}

TEST_F(ActionCacheTest, SlashedRefsGetOneEntry) {
  sh(fmt::format(
      "cd {}/work && git branch releases/v3 && git push -q {}/remote/octo/hello releases/v3",
      m_root, m_root));
  ActionCache cache(options());
  auto r = cache.repository_dir(ref("octo/hello@releases/v3"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, m_root + "/cache/octo/hello@releases%2Fv3");
}

TEST(ActionCacheDir, FollowsXdgCacheHome) {
  const char* old = std::getenv("XDG_CACHE_HOME");
  std::string saved = old ? old : "";
  std::string saved_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  ::setenv("XDG_CACHE_HOME", "/x/cache", 1);
  EXPECT_EQ(*default_action_cache_dir(), "/x/cache/pipewright/actions");
  ::setenv("XDG_CACHE_HOME", "relative", 1);
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(*default_action_cache_dir(), "/home/u/.cache/pipewright/actions");
  ::setenv("HOME", saved_home.c_str(), 1);
  if (old)
    ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  else
    ::unsetenv("XDG_CACHE_HOME");
}

}  // namespace
}  // namespace pipewright::exec::actions
