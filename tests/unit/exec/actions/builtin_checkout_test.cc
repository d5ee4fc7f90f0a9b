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
using testing::sh;
using testing::TempDir;

constexpr const char* k_git = "git -c user.name=t -c user.email=t@e -c init.defaultBranch=main";

// A source repository with two commits (tag v1 = the first) and an uncommitted change,
// a job workspace holding its working tree, and a bare "remote" octo/lib.
class CheckoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sh(
        fmt::format("cd {0} && mkdir src && cd src && {1} init -q && echo one > f && {1} add f && "
                    "{1} commit -qm one && {1} tag v1 && echo two > f && {1} commit -qam two && "
                    "echo dirty > f && echo new > untracked",
                    m_dir.path(), k_git));
    m_v1 = sh(fmt::format("git -C {} rev-parse v1", m_dir / "src"));
    m_head = sh(fmt::format("git -C {} rev-parse HEAD", m_dir / "src"));
    sh(fmt::format("mkdir -p {0}/ws {0}/tmp && cp -r {0}/src/f {0}/src/untracked {0}/ws/",
                   m_dir.path()));
    sh(
        fmt::format("cd {0} && mkdir lib && cd lib && {1} init -q && echo lib > l && {1} add l && "
                    "{1} commit -qm lib && cd .. && mkdir -p remote/octo && "
                    "git clone -q --bare lib remote/octo/lib",
                    m_dir.path(), k_git));
    m_harness.github["sha"] = m_head;
    m_harness.settings.actions_url = "file://" + m_dir / "remote";
  }

  BuiltinResult run(std::map<std::string, std::string> inputs) {
    BuiltinCall call = m_harness.call("actions/checkout@v4", std::move(inputs));
    call.workspace = m_dir / "ws";
    call.runner_temp = m_dir / "tmp";
    call.source_dir = m_dir / "src";
    call.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", m_dir.path()}};
    const BuiltinAction* checkout = find_builtin(call.ref, m_harness.settings);
    EXPECT_NE(checkout, nullptr);
    return checkout->main(call);
  }

  // `git ARGS` in the workspace, trimmed output.
  std::string git(const std::string& args) {
    return sh(fmt::format("cd {} && git {}", m_dir / "ws", args));
  }

  TempDir m_dir;
  CallHarness m_harness;
  std::string m_v1, m_head;
};

TEST_F(CheckoutTest, DefaultKeepsTheWorkingTreeAndMakesItTheRepository) {
  BuiltinResult r = run({});
  EXPECT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(get(m_dir / "ws/f"), "dirty\n");
  EXPECT_EQ(output(r, "commit"), m_head);
  EXPECT_EQ(output(r, "ref"), "refs/heads/main");
  // A push to main: that branch, origin/main its upstream, shallow, the local repo origin.
  EXPECT_EQ(git("rev-parse HEAD"), m_head);
  EXPECT_EQ(git("branch --show-current"), "main");
  EXPECT_EQ(git("rev-parse --abbrev-ref @{upstream}"), "origin/main");
  EXPECT_EQ(git("remote get-url origin"), m_dir / "src");
  EXPECT_EQ(git("rev-list --count HEAD"), "1");
  EXPECT_EQ(git("rev-parse --is-shallow-repository"), "true");
  EXPECT_EQ(git("tag"), "") << "no tags without fetch-tags";
  // The uncommitted changes are what git sees as changed.
  EXPECT_EQ(git("status --short"), " M f\n?? untracked");
  EXPECT_EQ(git("diff --stat | tail -1"), " 1 file changed, 1 insertion(+), 1 deletion(-)");
}

TEST_F(CheckoutTest, FetchDepthZeroGivesHistoryAndTagsForDescribe) {
  BuiltinResult r = run({{"fetch-depth", "0"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(git("rev-list --count HEAD"), "2");
  EXPECT_EQ(git("describe --tags"), "v1-1-g" + m_head.substr(0, 7));
  EXPECT_EQ(git("rev-parse --is-shallow-repository"), "false");
}

TEST_F(CheckoutTest, DefaultDepthCannotDescribeButFetchTagsBringsThem) {
  ASSERT_EQ(run({}).outcome, Result::success) << m_harness.log();
  EXPECT_NE(sh(fmt::format("cd {} && git describe --tags 2>&1 || echo failed", m_dir / "ws"))
                .find("failed"),
            std::string::npos);
  ASSERT_EQ(run({{"fetch-tags", "true"}}).outcome, Result::success) << m_harness.log();
  EXPECT_EQ(git("tag"), "v1");
  EXPECT_EQ(get(m_dir / "ws/f"), "dirty\n") << "a second checkout keeps the files";
  EXPECT_EQ(run({{"fetch-tags", "maybe"}}).outcome, Result::failure);
}

TEST_F(CheckoutTest, PullRequestAndTagEventsAreDetached) {
  m_harness.github["ref"] = "refs/pull/7/merge";
  ASSERT_EQ(run({}).outcome, Result::success) << m_harness.log();
  EXPECT_EQ(git("branch --show-current"), "");
  EXPECT_EQ(git("rev-parse HEAD"), m_head);
  EXPECT_EQ(git("rev-parse refs/remotes/pull/7/merge"), m_head);
  m_harness.github["ref"] = "refs/tags/v2";
  ASSERT_EQ(run({}).outcome, Result::success) << m_harness.log();
  EXPECT_EQ(git("branch --show-current"), "");
  EXPECT_EQ(git("describe --tags"), "v2");
}

TEST_F(CheckoutTest, RefFetchesThatCommitIntoTheWorkspace) {
  BuiltinResult r = run({{"ref", "v1"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(get(m_dir / "ws/f"), "one\n");
  EXPECT_FALSE(fs::exists(m_dir / "ws/untracked"));
  EXPECT_EQ(output(r, "commit"), m_v1);
  EXPECT_EQ(sh(fmt::format("git -C {} rev-parse HEAD", m_dir / "ws")), m_v1);
  EXPECT_EQ(sh(fmt::format("git -C {} rev-list --count HEAD", m_dir / "ws")), "1");
}

TEST_F(CheckoutTest, FetchDepthZeroBringsTheHistory) {
  BuiltinResult r = run({{"ref", "main"}, {"fetch-depth", "0"}, {"path", "full"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(get(m_dir / "ws/full/f"), "two\n");
  EXPECT_EQ(sh(fmt::format("git -C {} rev-list --count HEAD", m_dir / "ws/full")), "2");
  EXPECT_EQ(sh(fmt::format("git -C {} branch --show-current", m_dir / "ws/full")), "main");
  EXPECT_EQ(get(m_dir / "ws/f"), "dirty\n");  // the workspace itself is untouched
}

TEST_F(CheckoutTest, PathAloneCopiesTheWorkingTree) {
  BuiltinResult r = run({{"path", "copy"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(get(m_dir / "ws/copy/f"), "dirty\n");
  EXPECT_EQ(get(m_dir / "ws/copy/untracked"), "new\n") << m_harness.log();
  EXPECT_EQ(sh(fmt::format("git -C {} rev-parse HEAD", m_dir / "ws/copy")), m_head);
}

TEST_F(CheckoutTest, OtherRepositoryComesFromTheActionsUrl) {
  BuiltinResult r = run({{"repository", "octo/lib"}, {"path", "lib"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(get(m_dir / "ws/lib/l"), "lib\n");
  EXPECT_EQ(output(r, "ref"), "refs/heads/main");
  EXPECT_EQ(output(r, "commit").size(), 40u);
  EXPECT_EQ(sh(fmt::format("git -C {} branch --show-current", m_dir / "ws/lib")), "main");
  EXPECT_EQ(sh(fmt::format("git -C {} remote get-url origin", m_dir / "ws/lib")),
            "file://" + m_dir / "remote/octo/lib");
}

TEST_F(CheckoutTest, OtherRepositoryRefIsABranchOrATag) {
  sh(fmt::format("git -C {} tag v9 main", m_dir / "remote/octo/lib"));
  BuiltinResult branch = run({{"repository", "octo/lib"}, {"path", "b"}, {"ref", "main"}});
  ASSERT_EQ(branch.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(sh(fmt::format("git -C {} branch --show-current", m_dir / "ws/b")), "main");
  BuiltinResult tag = run({{"repository", "octo/lib"}, {"path", "t"}, {"ref", "v9"}});
  ASSERT_EQ(tag.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(sh(fmt::format("git -C {} describe --tags", m_dir / "ws/t")), "v9");
  EXPECT_EQ(sh(fmt::format("git -C {} branch --show-current", m_dir / "ws/t")), "");
  BuiltinResult none = run({{"repository", "octo/lib"}, {"path", "n"}, {"ref", "nope"}});
  EXPECT_EQ(none.outcome, Result::failure);
  EXPECT_NE(none.detail.find("'nope' could not be found"), std::string::npos) << none.detail;
}

TEST_F(CheckoutTest, WithoutGitTheFilesStayAndAWarningSaysWhy) {
  BuiltinCall call = m_harness.call("actions/checkout@v4", {});
  call.workspace = m_dir / "ws";
  call.runner_temp = m_dir / "tmp";
  call.source_dir = m_dir / "src";
  call.env = {{"PATH", m_dir / "no-such-bin"}, {"HOME", m_dir.path()}};
  BuiltinResult r = find_builtin(call.ref, m_harness.settings)->main(call);
  EXPECT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(get(m_dir / "ws/f"), "dirty\n");
  EXPECT_FALSE(fs::exists(m_dir / "ws/.git")) << "no half-made repository";
  ASSERT_EQ(m_harness.annotations.size(), 1u) << m_harness.log();
  EXPECT_NE(m_harness.annotations[0].message.find("is not a git repository"), std::string::npos)
      << m_harness.annotations[0].message;
}

TEST_F(CheckoutTest, UnsupportedInputsWarn) {
  BuiltinResult r = run({{"submodules", "recursive"}, {"lfs", "false"}});
  EXPECT_EQ(r.outcome, Result::success);
  ASSERT_EQ(m_harness.annotations.size(), 1u) << m_harness.log();
  EXPECT_NE(m_harness.annotations[0].message.find("'submodules: recursive' is not supported"),
            std::string::npos);
}

TEST_F(CheckoutTest, FailuresAreReported) {
  EXPECT_EQ(run({{"path", "../outside"}}).outcome, Result::failure);
  EXPECT_NE(m_harness.log().find("is not under"), std::string::npos) << m_harness.log();
  BuiltinResult missing = run({{"ref", "no-such-branch"}});
  EXPECT_EQ(missing.outcome, Result::failure);
  EXPECT_NE(missing.detail.find("could not be found"), std::string::npos) << missing.detail;
  EXPECT_EQ(get(m_dir / "ws/f"), "dirty\n");  // nothing was removed
  EXPECT_EQ(run({{"repository", "octo/none"}, {"path", "x"}}).outcome, Result::failure);
  EXPECT_EQ(run({{"fetch-depth", "x"}}).outcome, Result::failure);
}

}  // namespace
}  // namespace pipewright::exec::actions
