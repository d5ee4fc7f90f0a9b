#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pipewright/exec/actions/builtin.h"
#include "pipewright/exec/actions/toolchains.h"

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
    m_harness.settings.tool_cache_dir = m_dir / "tools";
    m_harness.settings.offline = true;  // tests that download give a file:// mirror
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

TEST_F(SetupActionTest, NodeAliasesAndVersionFiles) {
  exe("bin1/node", "v20.11.0");
  exe("home/.nvm/versions/node/v21.7.1/bin/node", "v21.7.1");
  BuiltinResult lts = run("actions/setup-node@v4", {{"node-version", "lts/*"}});
  ASSERT_EQ(lts.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(output(lts, "node-version"), "v20.11.0");  // 21 is not an LTS line
  EXPECT_EQ(output(run("actions/setup-node@v4", {{"node-version", "latest"}}), "node-version"),
            "v21.7.1");
  put(m_dir / "ws/package.json", R"({"name":"x","engines":{"node":"^21"}})");
  BuiltinResult pkg = run("actions/setup-node@v4", {{"node-version-file", "package.json"}});
  EXPECT_EQ(output(pkg, "node-version"), "v21.7.1") << m_harness.log();
  put(m_dir / "ws/.nvmrc", "lts/iron\n");
  EXPECT_EQ(output(run("actions/setup-node@v4", {{"node-version-file", ".nvmrc"}}), "node-version"),
            "v20.11.0");
  BuiltinResult missing = run("actions/setup-node@v4", {{"node-version", "lts/jod"}});
  EXPECT_EQ(missing.outcome, Result::failure);
  EXPECT_NE(missing.detail.find("20.11.0"), std::string::npos) << missing.detail;
  // check-latest without a release index (offline) keeps the host's, saying so.
  BuiltinResult latest =
      run("actions/setup-node@v4", {{"node-version", "20"}, {"check-latest", "true"}});
  EXPECT_EQ(output(latest, "node-version"), "v20.11.0");
  EXPECT_NE(m_harness.log().find("check-latest: no release index (--offline)"), std::string::npos)
      << m_harness.log();
}

TEST_F(SetupActionTest, ToolHostMapsEveryVersionWithAWarning) {
  exe("bin1/node", "v20.11.0");
  m_harness.settings.tools = {"node=host"};
  BuiltinResult r = run("actions/setup-node@v4", {{"node-version", "18.x"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(output(r, "node-version"), "v20.11.0");
  ASSERT_EQ(m_harness.annotations.size(), 1u);
  EXPECT_EQ(m_harness.annotations[0].message,
            "Node.js 18.x requested, using Node.js 20.11.0 from " + m_dir / "bin1/node" +
                " (--tool node=host)");
}

// A mirror in the layout of nodejs.org/dist holding a fake "node" (a shell script).
class NodeMirrorTest : public SetupActionTest {
 protected:
  std::string release(const std::string& version, bool corrupt_sums = false) {
    std::string name = "node-v" + version + "-linux-" + std::string(host_arch());
    std::string dir = m_dir / ("mirror/v" + version);
    put(dir + "/src/" + name + "/bin/node", "#!/bin/sh\necho v" + version + "\n");
    fs::permissions(dir + "/src/" + name + "/bin/node", fs::perms(0755));
    sh("cd " + dir + "/src && tar -czf ../" + name + ".tar.gz " + name);
    fs::remove_all(dir + "/src");
    std::string sums = sh("cd " + dir + " && sha256sum " + name + ".tar.gz");
    if (corrupt_sums) sums = std::string(64, '0') + sums.substr(64);
    put(dir + "/SHASUMS256.txt", "0000  node-v" + version + "-headers.tar.gz\n" + sums + "\n");
    return dir + "/" + name + ".tar.gz";
  }
  void index(const std::string& json) { put(m_dir / "mirror/index.json", json); }
  std::string mirror() { return "file://" + m_dir / "mirror"; }
};

TEST_F(NodeMirrorTest, MissingVersionIsDownloadedVerifiedAndCached) {
  exe("bin1/node", "v20.11.0");
  release("22.3.0");
  std::string arch = "linux-" + std::string(host_arch());
  index(R"([{"version":"v22.3.0","lts":false,"files":["headers",")" + arch +
        R"("]},{"version":"v22.2.0","lts":false,"files":["win-x64-zip"]},)" +
        R"({"version":"v20.11.0","lts":"Iron","files":[")" + arch + R"("]}])");
  // Offline: the error names what the host has.
  BuiltinResult offline = run("actions/setup-node@v4", {{"node-version", "22"}});
  EXPECT_EQ(offline.outcome, Result::failure);
  EXPECT_TRUE(offline.detail.starts_with("Node.js 22 requested, host has 20.11.0"))
      << offline.detail;

  m_harness.settings.offline = false;
  m_harness.settings.tool_mirrors = {mirror()};
  BuiltinResult r = run("actions/setup-node@v4", {{"node-version", "22"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log() << r.detail;
  std::string installed = m_dir / ("tools/node/22.3.0/" + std::string(host_arch()));
  EXPECT_EQ(output(r, "node-version"), "v22.3.0");
  ASSERT_EQ(r.path_lines.size(), 1u);
  EXPECT_EQ(r.path_lines[0], installed + "/bin");
  EXPECT_EQ(sh(installed + "/bin/node"), "v22.3.0");
  EXPECT_TRUE(fs::exists(installed + ".complete"));
  EXPECT_NE(m_harness.log().find("Checksum verified"), std::string::npos) << m_harness.log();

  // Next time it is in the tool cache: found offline, nothing downloaded.
  m_harness.settings.offline = true;
  m_harness.lines.clear();
  BuiltinResult again = run("actions/setup-node@v4", {{"node-version", "22.x"}});
  ASSERT_EQ(again.outcome, Result::success) << m_harness.log();
  EXPECT_EQ(again.path_lines.at(0), installed + "/bin");
  EXPECT_EQ(m_harness.log().find("Acquiring"), std::string::npos) << m_harness.log();

  // check-latest with the index: the host's 20.11.0 is the newest 20.
  m_harness.settings.offline = false;
  BuiltinResult latest =
      run("actions/setup-node@v4", {{"node-version", "20"}, {"check-latest", "true"}});
  EXPECT_EQ(latest.path_lines.at(0), m_dir / "bin1") << m_harness.log();
  // A version the index lacks: the host's versions and the index's answer.
  BuiltinResult none = run("actions/setup-node@v4", {{"node-version", "23"}});
  EXPECT_EQ(none.outcome, Result::failure);
  EXPECT_NE(none.detail.find("host has"), std::string::npos) << none.detail;
  EXPECT_NE(none.detail.find("Unable to find Node.js version '23'"), std::string::npos)
      << none.detail;
}

TEST_F(NodeMirrorTest, ChecksumMismatchInstallsNothing) {
  release("22.3.0", /*corrupt_sums=*/true);
  index(R"([{"version":"v22.3.0","lts":false,"files":["linux-)" + std::string(host_arch()) +
        R"("]}])");
  m_harness.settings.offline = false;
  m_harness.settings.tool_mirrors = {"node=" + mirror()};
  BuiltinResult r = run("actions/setup-node@v4", {{"node-version", "22"}});
  EXPECT_EQ(r.outcome, Result::failure);
  EXPECT_NE(r.detail.find("checksum mismatch for " + mirror() + "/v22.3.0/node-v22.3.0-linux-"),
            std::string::npos)
      << r.detail;
  EXPECT_NE(r.detail.find(std::string(64, '0')), std::string::npos) << r.detail;
  EXPECT_FALSE(fs::exists(m_dir / "tools/node/22.3.0/" + std::string(host_arch())));
  EXPECT_FALSE(fs::exists(m_dir / "tools/node/22.3.0/" + std::string(host_arch()) + ".complete"));
  // Nothing but the lock is left behind.
  for (const auto& e : fs::directory_iterator(m_dir / "tools/node/22.3.0"))
    EXPECT_TRUE(e.path().filename().string().ends_with(".lock")) << e.path();
}

TEST_F(SetupActionTest, GoStableIsDownloadedFromAMirrorWithItsChecksum) {
  exe("bin1/go", "go version go1.19.8 linux/amd64");
  std::string arch = host_arch() == "x64" ? "amd64" : std::string(host_arch());
  auto release = [&](const std::string& version) {
    std::string src = m_dir / ("gosrc/" + version);
    put(src + "/go/bin/go", "#!/bin/sh\necho go version go" + version + " linux/" + arch + "\n");
    fs::permissions(src + "/go/bin/go", fs::perms(0755));
    std::string name = "go" + version + ".linux-" + arch + ".tar.gz";
    sh("mkdir -p " + m_dir / "godl" + " && tar -C " + src + " -czf " + m_dir / "godl/" + name +
       " go");
    return std::pair{name, sh("sha256sum " + m_dir / "godl/" + name + " | cut -d' ' -f1")};
  };
  auto [newest, newest_sum] = release("1.99.1");
  auto [older, older_sum] = release("1.98.5");
  auto entry = [&](const std::string& version, const std::string& name, const std::string& sum,
                   bool stable) {
    return R"({"version":"go)" + version + R"(","stable":)" + (stable ? "true" : "false") +
           R"(,"files":[{"filename":"x.src.tar.gz","os":"","arch":"","kind":"source"},)" +
           R"({"filename":")" + name + R"(","os":"linux","arch":")" + arch + R"(","sha256":")" +
           sum + R"(","kind":"archive"}]})";
  };
  put(m_dir / "godl/index.json", "[" + entry("1.100rc1", newest, newest_sum, false) + "," +
                                     entry("1.99.1", newest, newest_sum, true) + "," +
                                     entry("1.98.5", older, older_sum, true) + "]");
  m_harness.settings.offline = false;
  m_harness.settings.tool_mirrors = {"go=file://" + m_dir / "godl"};
  // `stable` is the newest the host has (1.19.8) unless check-latest asks the index.
  EXPECT_EQ(output(run("actions/setup-go@v5", {{"go-version", "stable"}, {"cache", "false"}}),
                   "go-version"),
            "1.19.8");
  BuiltinResult r = run("actions/setup-go@v5",
                        {{"go-version", "stable"}, {"cache", "false"}, {"check-latest", "true"}});
  ASSERT_EQ(r.outcome, Result::success) << m_harness.log() << r.detail;
  std::string installed = m_dir / ("tools/go/1.99.1/" + std::string(host_arch()));
  EXPECT_EQ(output(r, "go-version"), "1.99.1");
  EXPECT_EQ(r.path_lines.at(0), installed + "/bin");
  bool goroot = false;
  for (const auto& [k, v] : r.env)
    goroot |= k == "GOROOT" && v == installed;
  EXPECT_TRUE(goroot);
  // oldstable: the newest of the minor line before; a bad checksum installs nothing.
  put(m_dir / "godl/" + older, "tampered");
  BuiltinResult bad =
      run("actions/setup-go@v5",
          {{"go-version", "oldstable"}, {"cache", "false"}, {"check-latest", "true"}});
  EXPECT_EQ(bad.outcome, Result::failure);
  EXPECT_NE(bad.detail.find("checksum mismatch for file://" + m_dir / "godl/" + older),
            std::string::npos)
      << bad.detail;
  EXPECT_FALSE(fs::exists(m_dir / ("tools/go/1.98.5/" + std::string(host_arch()))));
}

}  // namespace
}  // namespace pipewright::exec::actions
