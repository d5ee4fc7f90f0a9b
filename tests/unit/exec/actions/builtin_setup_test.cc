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

std::string state(const BuiltinResult& r, const std::string& name) {
  for (const auto& [k, v] : r.state)
    if (k == name) return v;
  return {};
}

// Fake installs: shell scripts printing a version, on a PATH of our own.
class SetupActionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_harness.settings.cache_store_dir = m_dir / "store";
    fs::create_directories(m_dir / "ws");
  }
  std::string exe(const std::string& rel, const std::string& version_line) {
    std::string path = m_dir / rel;
    put(path, fmt::format("#!/bin/sh\necho '{}'\n", version_line));
    fs::permissions(path, fs::perms(0755));
    return path;
  }
  BuiltinCall call(const std::string& uses, std::map<std::string, std::string> inputs) {
    BuiltinCall c = m_harness.call(uses, std::move(inputs));
    c.workspace = m_dir / "ws";
    c.env = {{"PATH", m_dir / "bin1" + ":" + m_dir / "bin2"}, {"HOME", m_dir / "home"}};
    return c;
  }
  BuiltinResult run(const std::string& uses, std::map<std::string, std::string> inputs) {
    BuiltinCall c = call(uses, std::move(inputs));
    return find_builtin(c.ref, m_harness.settings)->main(c);
  }

  TempDir m_dir;
  CallHarness m_harness;
};

TEST_F(SetupActionTest, PythonFromPathWithOutputsAndPath) {
  exe("bin1/python3", "Python 3.11.7");
  exe("bin2/python3", "Python 3.12.1");
  BuiltinResult r = run("actions/setup-python@v5", {{"python-version", "3.x"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(output(r, "python-version"), "3.11.7");  // first on PATH wins
  EXPECT_EQ(output(r, "python-path"), m_dir / "bin1/python3");
  ASSERT_EQ(r.path_lines.size(), 1u);
  EXPECT_EQ(r.path_lines[0], m_dir / "bin1");
  EXPECT_FALSE(r.run_post);
  BuiltinResult newer = run("actions/setup-python@v5", {{"python-version", ">=3.12"}});
  EXPECT_EQ(output(newer, "python-version"), "3.12.1");
  EXPECT_EQ(newer.path_lines.at(0), m_dir / "bin2");
  bool has_location = false;
  for (const auto& [k, v] : newer.env)
    has_location |= k == "pythonLocation" && v == m_dir.path();
  EXPECT_TRUE(has_location);
}

TEST_F(SetupActionTest, VersionFilesAndToolMappings) {
  exe("bin1/python3", "Python 3.11.7");
  put(m_dir / "ws/.python-version", "3.11\n");
  EXPECT_EQ(output(run("actions/setup-python@v5", {}), "python-version"), "3.11.7");
  put(m_dir / "ws/.tool-versions", "nodejs 20.11\n");
  exe("bin2/node", "v20.11.0");
  BuiltinResult node = run("actions/setup-node@v4", {{"node-version-file", ".tool-versions"}});
  ASSERT_EQ(node.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(output(node, "node-version"), "v20.11.0");

  std::string mapped = exe("opt/py/bin/python3", "Python 3.13.2");
  m_harness.settings.tools = {"python=3.13:" + mapped};
  BuiltinResult r = run("actions/setup-python@v5", {{"python-version", "3.13"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(output(r, "python-path"), mapped);
  m_harness.settings.tools = {"python=nonsense"};
  EXPECT_EQ(run("actions/setup-python@v5", {{"python-version", "3.11"}}).outcome, Result::failure);
}

TEST_F(SetupActionTest, UnsatisfiableVersionFailsWithGuidance) {
  exe("bin1/python3", "Python 3.11.7");
  BuiltinResult r = run("actions/setup-python@v5", {{"python-version", "3.99"}});
  EXPECT_EQ(r.outcome, Result::failure);
  EXPECT_TRUE(r.detail.starts_with("Python 3.99 requested, host has 3.11.7")) << r.detail;
  EXPECT_TRUE(r.detail.ends_with("; install it or map the version with --tool python=3.99:/path"))
      << r.detail;
  BuiltinResult java = run("actions/setup-java@v4", {{"java-version", "17"}});
  EXPECT_EQ(java.detail, "Input required and not supplied: distribution");
  BuiltinResult nofile =
      run("actions/setup-python@v5", {{"python-version-file", "missing/.python-version"}});
  EXPECT_EQ(nofile.outcome, Result::failure);
}

TEST_F(SetupActionTest, PipCacheRestoredInMainSavedInPost) {
  exe("bin1/python3", "Python 3.11.7");
  put(m_dir / "ws/requirements.txt", "requests==2.31.0\n");
  put(m_dir / "home/.cache/pip/http/blob", "wheel");
  const BuiltinAction* setup = find_builtin(*parse_action_ref("actions/setup-python@v5"), {});
  std::map<std::string, std::string> in = {{"python-version", "3.11"}, {"cache", "pip"}};
  BuiltinResult first = setup->main(call("actions/setup-python@v5", in));
  ASSERT_EQ(first.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(output(first, "cache-hit"), "false");
  EXPECT_TRUE(first.run_post);
  EXPECT_TRUE(
      state(first, "SETUP_CACHE_KEY").starts_with("setup-python-Linux-x64-python-3.11.7-pip-"))
      << state(first, "SETUP_CACHE_KEY");
  BuiltinCall post = call("actions/setup-python@v5", in);
  for (const auto& [k, v] : first.state)
    post.state[k] = v;
  EXPECT_EQ(setup->post(post).outcome, Result::success);
  EXPECT_NE(m_harness.log().find("Cache saved with the key"), std::string::npos) << m_harness.log();

  fs::remove_all(m_dir / "home/.cache");
  BuiltinResult second = setup->main(call("actions/setup-python@v5", in));
  EXPECT_EQ(output(second, "cache-hit"), "true") << m_harness.log();
  EXPECT_EQ(get(m_dir / "home/.cache/pip/http/blob"), "wheel");

  fs::remove(m_dir / "ws/requirements.txt");
  BuiltinResult none = setup->main(call("actions/setup-python@v5", in));
  EXPECT_EQ(none.outcome, Result::failure);
  EXPECT_NE(none.detail.find("make sure you have checked out the target repository"),
            std::string::npos);
  EXPECT_EQ(setup->main(call("actions/setup-python@v5", {{"cache", "conda"}})).outcome,
            Result::failure);
}

}  // namespace
}  // namespace pipewright::exec::actions
