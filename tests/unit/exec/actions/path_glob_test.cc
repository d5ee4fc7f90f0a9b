#include "pipewright/exec/actions/path_glob.h"

#include <gtest/gtest.h>

#include "unit/exec/actions/test_tree.h"

namespace pipewright::exec::actions {
namespace {

using testing::put;
using testing::TempDir;

class PathGlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"dist/a.js", "dist/b.css", "dist/sub/c.js", "dist/.hidden/d.js",
                          "dist/.env", "src/main.c", "home/.cache/pip/x.whl", "README"})
      put(m_dir / f, f);
    std::filesystem::create_symlink("a.js", m_dir / "dist/link.js");
  }
  std::vector<std::string> rel(const GlobResult& r) {
    std::vector<std::string> out;
    for (const std::string& f : r.files)
      out.push_back(f.substr(m_dir.path().size() + 1));
    return out;
  }
  GlobOptions options(bool hidden = true) { return {m_dir / "ws", m_dir / "home", hidden}; }

  TempDir m_dir;
};

TEST_F(PathGlobTest, DirectoryBringsDescendantsIncludingDotfiles) {
  auto r = expand_globs("../dist", options());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(rel(*r), (std::vector<std::string>{"dist/.env", "dist/.hidden/d.js", "dist/a.js",
                                               "dist/b.css", "dist/link.js", "dist/sub/c.js"}));
  EXPECT_EQ(r->search_paths, std::vector<std::string>{m_dir / "dist"});
}

TEST_F(PathGlobTest, StarsExclusionsAndComments) {
  auto r = expand_globs("# build output\n" + m_dir / "dist/**/*.js\n!" + m_dir / "dist/sub\n\n  " +
                            m_dir / "README  \n",
                        options());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(rel(*r),
            (std::vector<std::string>{"README", "dist/.hidden/d.js", "dist/a.js", "dist/link.js"}));
  EXPECT_EQ(r->search_paths, (std::vector<std::string>{m_dir / "dist", m_dir / "README"}));
}

TEST_F(PathGlobTest, LaterPatternReincludes) {
  auto r = expand_globs(m_dir / "dist\n!" + m_dir / "dist/**/*.js\n" + m_dir / "dist/sub/c.js",
                        options());
  ASSERT_TRUE(r);
  EXPECT_EQ(rel(*r), (std::vector<std::string>{"dist/.env", "dist/b.css", "dist/sub/c.js"}));
}

TEST_F(PathGlobTest, AncestorExclusionAppliesToALaterStart) {
  auto r = expand_globs(m_dir / "dist/sub/c.js\n!" + m_dir / "dist", options());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->files.empty());
}

TEST_F(PathGlobTest, TildeAndHiddenFiles) {
  auto r = expand_globs("~/.cache/pip", options());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(rel(*r), std::vector<std::string>{"home/.cache/pip/x.whl"});
  auto visible = expand_globs(m_dir / "dist", options(false));
  ASSERT_TRUE(visible);
  EXPECT_EQ(rel(*visible),
            (std::vector<std::string>{"dist/a.js", "dist/b.css", "dist/link.js", "dist/sub/c.js"}));
  EXPECT_FALSE(expand_globs("~/x", GlobOptions{m_dir / "ws", "", true}));
  EXPECT_FALSE(expand_globs("!", options()));
}

TEST_F(PathGlobTest, QuestionMarkAndClasses) {
  auto r = expand_globs(m_dir / "dist/?.[jc]s", options());
  ASSERT_TRUE(r);
  EXPECT_EQ(rel(*r), std::vector<std::string>{"dist/a.js"});
  auto missing = expand_globs(m_dir / "nothing/**", options());
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->files.empty());
}

TEST(PathHelpers, NormalizeAncestorWithin) {
  EXPECT_EQ(normalize_path("a/./b/../c//d/", "/w"), "/w/a/c/d");
  EXPECT_EQ(normalize_path("/x/../../y", "/w"), "/y");
  EXPECT_EQ(common_ancestor({"/a/b/c", "/a/b/d/e", "/a/b"}), "/a/b");
  EXPECT_EQ(common_ancestor({"/a/b", "/c"}), "/");
  EXPECT_TRUE(path_within("/a/b", "/a"));
  EXPECT_TRUE(path_within("/a", "/a"));
  EXPECT_FALSE(path_within("/ab", "/a"));
  EXPECT_TRUE(path_within("/x", "/"));
}

}  // namespace
}  // namespace pipewright::exec::actions
