#include "pipewright/exec/actions/toolchains.h"

#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "unit/exec/actions/test_tree.h"

namespace pipewright::exec::actions {
namespace {

namespace fs = std::filesystem;
using testing::put;
using testing::TempDir;

Version v(std::string_view text) {
  return *parse_version(text);
}

bool spec_matches(std::string_view spec, std::string_view version) {
  auto s = VersionSpec::parse(spec);
  EXPECT_TRUE(s) << spec << ": " << s.error().message;
  return s && s->matches(v(version));
}

TEST(Versions, Parse) {
  EXPECT_EQ(v("3.11.7").parts, (std::vector<int>{3, 11, 7}));
  EXPECT_EQ(v("v20.11.0").parts, (std::vector<int>{20, 11, 0}));
  EXPECT_EQ(v("go1.22.1").parts, (std::vector<int>{1, 22, 1}));
  EXPECT_EQ(v("17.0.9+9").parts, (std::vector<int>{17, 0, 9}));
  EXPECT_EQ(v("3.12").text(), "3.12");
  EXPECT_FALSE(parse_version("abc"));
  EXPECT_LT(compare(v("3.9"), v("3.10")), 0);
  EXPECT_EQ(compare(v("3.10"), v("3.10.0")), 0);
}

TEST(Versions, Specs) {
  EXPECT_TRUE(spec_matches("3.11", "3.11.7"));
  EXPECT_FALSE(spec_matches("3.11", "3.1.1"));
  EXPECT_FALSE(spec_matches("3.1", "3.11.1"));
  EXPECT_TRUE(spec_matches("3.x", "3.8.0"));
  EXPECT_FALSE(spec_matches("3.x", "2.7.18"));
  EXPECT_TRUE(spec_matches("3.11.x", "3.11.2"));
  EXPECT_TRUE(spec_matches(">=3.9", "3.11.7"));
  EXPECT_FALSE(spec_matches(">=3.9", "3.8.10"));
  EXPECT_TRUE(spec_matches(">=3.9 <3.12", "3.11.0"));
  EXPECT_FALSE(spec_matches(">=3.9 <3.12", "3.12.0"));
  EXPECT_TRUE(spec_matches("3.11.7", "3.11.7"));
  EXPECT_FALSE(spec_matches("3.11.7", "3.11.8"));
  EXPECT_TRUE(spec_matches("^18", "18.19.0"));
  EXPECT_FALSE(spec_matches("^18", "20.0.0"));
  EXPECT_TRUE(spec_matches("~1.21", "1.21.9"));
  EXPECT_FALSE(spec_matches("~1.21", "1.22.0"));
  EXPECT_TRUE(spec_matches("16 || 18", "18.2.0"));
  EXPECT_TRUE(spec_matches("*", "1.0"));
  EXPECT_FALSE(VersionSpec::parse("lts/*"));
  EXPECT_FALSE(VersionSpec::parse("pypy3.10"));
  EXPECT_FALSE(VersionSpec::parse(""));
}

TEST(ToolMappings, Parse) {
  auto m = parse_tool_mapping("python=3.12:/opt/py/bin/python3");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->tool, Tool::python);
  EXPECT_EQ(m->version->text(), "3.12");
  EXPECT_EQ(m->path, "/opt/py/bin/python3");
  auto every = parse_tool_mapping("node=*:/usr/bin/node");
  ASSERT_TRUE(every) << every.error().message;
  EXPECT_FALSE(every->version);
  EXPECT_EQ(every->path, "/usr/bin/node");
  auto host = parse_tool_mapping("node=host");
  ASSERT_TRUE(host) << host.error().message;
  EXPECT_FALSE(host->version);
  EXPECT_EQ(host->path, "");
  EXPECT_FALSE(parse_tool_mapping("node=hosts"));
  EXPECT_FALSE(parse_tool_mapping("python=3.12"));
  EXPECT_FALSE(parse_tool_mapping("ruby=3.2:/usr/bin/ruby"));
  EXPECT_FALSE(parse_tool_mapping("python=3.12:relative/python"));
}

// Fake installs: executables whose "version" the probe seam reads from a table.
class ToolchainsTest : public ::testing::Test {
 protected:
  std::string exe(const std::string& rel, const std::string& version) {
    std::string path = m_dir / rel;
    put(path, "#!/bin/sh\n");
    fs::permissions(path, fs::perms(0755));
    m_versions[path] = version;
    return path;
  }
  ToolchainOptions options() {
    ToolchainOptions o;
    o.path_dirs = {m_dir / "bin", m_dir / "usr/local/bin"};
    o.system_dirs = {m_dir / "usr/bin"};
    o.home = m_dir / "home";
    o.probe = [this](Tool, const std::string& path) -> util::Expected<std::string> {
      auto it = m_versions.find(path);
      if (it == m_versions.end()) return util::fail("unknown " + path);
      return it->second;
    };
    return o;
  }
  TempDir m_dir;
  std::map<std::string, std::string> m_versions;
};

TEST_F(ToolchainsTest, FindsPathVersionedAndPyenvInstallsNewestFirst) {
  exe("bin/python3", "Python 3.11.7\n");
  exe("usr/bin/python3.9", "Python 3.9.18\n");
  exe("usr/bin/python3", "Python 3.9.18\n");  // not versioned: only PATH dirs look for it
  exe("home/.pyenv/versions/3.12.1/bin/python3", "Python 3.12.1\n");
  Toolchains chains(options());
  auto all = chains.find_all(Tool::python);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].version.text(), "3.12.1");
  EXPECT_EQ(all[0].source, "pyenv");
  EXPECT_EQ(all[1].version.text(), "3.11.7");
  EXPECT_EQ(all[1].bin_dir, m_dir / "bin");
  EXPECT_EQ(all[2].executable, m_dir / "usr/bin/python3.9");
  auto sel = chains.select(Tool::python, "3.11");
  ASSERT_TRUE(sel) << sel.error().message;
  EXPECT_EQ(sel->executable, m_dir / "bin/python3");
  // The PATH's install wins when it satisfies the spec; otherwise the newest elsewhere.
  auto on_path = chains.select(Tool::python, ">=3.9");
  ASSERT_TRUE(on_path);
  EXPECT_EQ(on_path->executable, m_dir / "bin/python3");
  auto newest = chains.select(Tool::python, ">=3.12");
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->version.text(), "3.12.1");
}

TEST_F(ToolchainsTest, PathOrderDecidesAmongPathInstallsAndShimsAreSkipped) {
  exe("home/.pyenv/shims/python3", "Python 3.13.0\n");
  exe("bin/python3", "Python 3.10.1\n");
  exe("usr/local/bin/python3", "Python 3.12.1\n");
  ToolchainOptions o = options();
  o.path_dirs.insert(o.path_dirs.begin(), m_dir / "home/.pyenv/shims");
  Toolchains chains(o);
  for (const Install& install : chains.find_all(Tool::python))
    EXPECT_EQ(install.executable.find("shims"), std::string::npos) << install.executable;
  auto r = chains.select(Tool::python, "3.x");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->executable, m_dir / "bin/python3");
  EXPECT_EQ(chains.select(Tool::python, "3.12")->executable, m_dir / "usr/local/bin/python3");
}

TEST_F(ToolchainsTest, MissingVersionGivesTheGuidance) {
  exe("bin/python3", "Python 3.11.7\n");
  Toolchains chains(options());
  auto r = chains.select(Tool::python, "3.12");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Python 3.12 requested, host has 3.11.7; install it or map the version with --tool "
            "python=3.12:/path");
  auto none = chains.select(Tool::go, "1.22");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "Go 1.22 requested, host has no Go; install it or map the version with --tool "
            "go=1.22:/path");
}

TEST_F(ToolchainsTest, MappingsComeFirst) {
  exe("bin/python3", "Python 3.11.7\n");
  std::string mapped = exe("opt/py312/bin/python3", "Python 3.12.0\n");
  ToolchainOptions o = options();
  o.mappings.push_back(*parse_tool_mapping("python=3.12:" + mapped));
  Toolchains chains(o);
  auto r = chains.select(Tool::python, "3.12");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->executable, mapped);
  EXPECT_EQ(r->source, "mapping");
  o.mappings = {*parse_tool_mapping("python=3.13:/nonexistent/python3")};
  auto broken = Toolchains(o).select(Tool::python, "3.13");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("no executable at /nonexistent/python3"),
            std::string::npos);
}

TEST_F(ToolchainsTest, NodeGoJavaOutputs) {
  exe("bin/node", "v20.11.0\n");
  exe("bin/go", "go version go1.22.1 linux/amd64\n");
  exe("bin/java", "openjdk version \"17.0.9\" 2023-10-17\nOpenJDK Runtime Environment\n");
  exe("usr/local/bin/java", "java version \"1.8.0_392\"\n");
  Toolchains chains(options());
  EXPECT_EQ(chains.select(Tool::node, "20")->version.text(), "20.11.0");
  EXPECT_EQ(chains.select(Tool::go, "1.22")->version.text(), "1.22.1");
  EXPECT_EQ(chains.select(Tool::java, "17")->version.text(), "17.0.9");
  EXPECT_EQ(chains.select(Tool::java, "8")->version.text(), "8.0");
}

TEST(VersionAliases, NodeAndGo) {
  std::vector<Release> node = {node_release(v("18.19.0")), node_release(v("20.11.0")),
                               node_release(v("21.6.0")), node_release(v("22.1.0"))};
  auto resolve = [](Tool tool, std::string_view spec, const std::vector<Release>& releases) {
    auto r = resolve_alias(tool, spec, releases);
    EXPECT_TRUE(r) << spec << ": " << r.error().message;
    return r && *r ? **r : std::string("<none>");
  };
  EXPECT_EQ(resolve(Tool::node, "lts/*", node), "22");
  EXPECT_EQ(resolve(Tool::node, "lts/-1", node), "20");
  EXPECT_EQ(resolve(Tool::node, "lts/-2", node), "18");
  EXPECT_EQ(resolve(Tool::node, "lts/Iron", node), "20");
  EXPECT_EQ(resolve(Tool::node, "lts/hydrogen", node), "18");
  EXPECT_EQ(resolve(Tool::node, "latest", node), "22.1.0");
  EXPECT_EQ(resolve(Tool::node, "current", node), "22.1.0");
  EXPECT_EQ(resolve(Tool::node, "node", node), "22.1.0");
  EXPECT_FALSE(*resolve_alias(Tool::node, "20.x", node));  // not an alias
  EXPECT_FALSE(*resolve_alias(Tool::python, "latest", node));
  auto missing = resolve_alias(Tool::node, "lts/gallium", node);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("the LTS line 16 (gallium)"), std::string::npos)
      << missing.error().message;
  EXPECT_NE(missing.error().message.find("22.1.0, 21.6.0, 20.11.0, 18.19.0"), std::string::npos)
      << missing.error().message;
  EXPECT_FALSE(resolve_alias(Tool::node, "lts/-9", node));
  EXPECT_FALSE(resolve_alias(Tool::node, "lts/nonsense", node));
  EXPECT_FALSE(resolve_alias(Tool::node, "lts/*", {node_release(v("21.6.0"))}));
  // An index's codenames win over the table.
  EXPECT_EQ(resolve(Tool::node, "lts/krypton", {{v("24.3.0"), true, "krypton"}}), "24");

  std::vector<Release> go = {{v("1.21.9")}, {v("1.22.0")}, {v("1.22.3")}, {v("1.20.14")}};
  EXPECT_EQ(resolve(Tool::go, "stable", go), "1.22.3");
  EXPECT_EQ(resolve(Tool::go, "oldstable", go), "1.21.9");
  EXPECT_FALSE(resolve_alias(Tool::go, "oldstable", {{v("1.22.3")}}));
}

TEST_F(ToolchainsTest, LtsAliasResolvesToTheNewestLtsTheHostHas) {
  exe("bin/node", "v20.11.0\n");
  exe("home/.nvm/versions/node/v21.7.0/bin/node", "v21.7.0\n");
  exe("home/.nvm/versions/node/v18.20.0/bin/node", "v18.20.0\n");
  Toolchains chains(options());
  auto lts = chains.select(Tool::node, "lts/*");
  ASSERT_TRUE(lts) << lts.error().message;
  EXPECT_EQ(lts->version.text(), "20.11.0");
  EXPECT_EQ(chains.select(Tool::node, "lts/hydrogen")->version.text(), "18.20.0");
  EXPECT_EQ(chains.select(Tool::node, "latest")->version.text(), "21.7.0");
  auto missing = chains.select(Tool::node, "lts/jod");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("--tool node=host"), std::string::npos)
      << missing.error().message;
}

TEST_F(ToolchainsTest, MappingReportsTheRealVersionAndWarns) {
  std::string node = exe("usr/bin/node", "v20.11.0\n");
  ToolchainOptions o = options();
  o.mappings = {*parse_tool_mapping("node=26:" + node)};
  auto r = Toolchains(o).select(Tool::node, "26");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version.text(), "20.11.0");  // not the mapping's "26"
  EXPECT_EQ(r->warning, "Node.js 26 requested, using Node.js 20.11.0 from " + node +
                            " (--tool node=26:" + node + ")");

  o.mappings = {*parse_tool_mapping("node=*:" + node)};
  for (std::string spec : {"18.x", "lts/*", "22", "latest"}) {
    auto any = Toolchains(o).select(Tool::node, spec);
    ASSERT_TRUE(any) << spec << ": " << any.error().message;
    EXPECT_EQ(any->executable, node);
    EXPECT_EQ(any->version.text(), "20.11.0");
    bool satisfied = spec == "lts/*" || spec == "latest";
    EXPECT_EQ(any->warning.empty(), satisfied) << spec << ": " << any->warning;
  }
  EXPECT_EQ(Toolchains(o).select(Tool::node, "18.x")->warning,
            "Node.js 18.x requested, using Node.js 20.11.0 from " + node +
                " (--tool node=*:" + node + ")");

  exe("bin/node", "v20.11.1\n");
  o.mappings = {*parse_tool_mapping("node=host")};
  auto host = Toolchains(o).select(Tool::node, "22.x");
  ASSERT_TRUE(host) << host.error().message;
  EXPECT_EQ(host->executable, m_dir / "bin/node");  // what the PATH finds first
  EXPECT_EQ(host->warning, "Node.js 22.x requested, using Node.js 20.11.1 from " +
                               m_dir / "bin/node" + " (--tool node=host)");
  EXPECT_FALSE(Toolchains(o).select(Tool::go, "1.22"));  // other tools are not mapped
  o.mappings = {*parse_tool_mapping("go=host")};
  auto no_go = Toolchains(o).select(Tool::go, "1.22");
  ASSERT_FALSE(no_go);
  EXPECT_NE(no_go.error().message.find("the host has no Go"), std::string::npos);
}

TEST_F(ToolchainsTest, TheToolCacheIsSearchedWhenComplete) {
  exe("bin/node", "v20.11.0\n");
  std::string cached =
      exe("cache/node/22.1.0/" + std::string(host_arch()) + "/bin/node", "v22.1.0\n");
  ToolchainOptions o = options();
  o.tool_cache = m_dir / "cache";
  EXPECT_FALSE(Toolchains(o).select(Tool::node, "22"));  // no x64.complete marker yet
  put(m_dir / ("cache/node/22.1.0/" + std::string(host_arch()) + ".complete"), "");
  auto r = Toolchains(o).select(Tool::node, "22");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->executable, cached);
  EXPECT_EQ(r->source, "tool cache");
}

TEST(ToolchainsHost, RealPython) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 on this host";
  ToolchainOptions o;
  o.path_dirs = {"/usr/bin"};
  Toolchains chains(o);
  auto r = chains.select(Tool::python, "3.x");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version.parts.at(0), 3);
}

}  // namespace
}  // namespace pipewright::exec::actions
