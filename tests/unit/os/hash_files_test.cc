#include "pipewright/os/hash_files.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/util/sha256.h"

namespace pipewright::os {
namespace {

class HashFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir =
        std::filesystem::temp_directory_path() / ("pw-hash-files-" + std::to_string(::getpid()));
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  void write(const std::string& rel, const std::string& content) {
    std::filesystem::path p = m_dir / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  // The expected digest of files with these contents, in this order.
  static std::string expected(std::initializer_list<std::string> contents) {
    util::Sha256 outer;
    for (const std::string& c : contents)
      outer.update(util::sha256(c));
    return util::to_hex(outer.finish());
  }

  std::string hash(std::vector<std::string> patterns, bool follow = false) {
    auto r = hash_files(m_dir.string(), patterns, follow);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : "<error>";
  }

  std::filesystem::path m_dir;
};

TEST_F(HashFilesTest, NothingMatchedGivesEmpty) {
  write("a.txt", "a");
  EXPECT_EQ(hash({"*.json"}), "");
  EXPECT_EQ(hash({"missing/**"}), "");
}

TEST_F(HashFilesTest, DepthFirstWithChildrenInStrcmpOrder) {
  write("a.txt", "A");
  write("a/z", "Z");
  write("b", "B");
  // "a" < "a.txt", and a's children come right after it.
  EXPECT_EQ(hash({"**"}), expected({"Z", "A", "B"}));
}

TEST_F(HashFilesTest, StarMatchesDotfilesButNotSlashes) {
  write(".hidden", "H");
  write("x.txt", "X");
  write("sub/y.txt", "Y");
  EXPECT_EQ(hash({"*"}), expected({"H", "Y", "X"}));  // `sub` matches, so its files are included
  EXPECT_EQ(hash({"*.txt"}), expected({"X"}));
  EXPECT_EQ(hash({"**/*.txt"}), expected({"Y", "X"}));  // "sub" < "x.txt"
}

TEST_F(HashFilesTest, NegationAndLastMatchWins) {
  write("src/a.c", "a");
  write("src/b.c", "b");
  write("src/gen/c.c", "c");
  EXPECT_EQ(hash({"src/**", "!src/gen"}), expected({"a", "b"}));
  EXPECT_EQ(hash({"src/**", "!src/gen", "src/gen/c.c"}), expected({"a", "b", "c"}));
  EXPECT_EQ(hash({"src/**\n!src/b.c"}), expected({"a", "c"}));  // newline-joined patterns
}

TEST_F(HashFilesTest, MatchedDirectoryIncludesDescendants) {
  write("dir/one", "1");
  write("dir/deeper/two", "2");
  EXPECT_EQ(hash({"dir"}), expected({"2", "1"}));
  EXPECT_EQ(hash({"di?"}), expected({"2", "1"}));
  EXPECT_EQ(hash({"d[h-j]r/one"}), expected({"1"}));
}

TEST_F(HashFilesTest, FilesOutsideTheWorkspaceAreSkipped) {
  write("inside", "in");
  std::filesystem::path outside =
      m_dir.parent_path() / ("pw-hash-outside-" + std::to_string(::getpid()));
  std::ofstream(outside) << "out";
  EXPECT_EQ(hash({outside.string()}), "");
  EXPECT_EQ(hash({"../" + outside.filename().string(), "inside"}), expected({"in"}));
  std::filesystem::remove(outside);
}

TEST_F(HashFilesTest, SymlinkedDirectoriesAreFollowedOnlyOnRequest) {
  write("real/f", "F");
  std::filesystem::create_directory_symlink(m_dir / "real", m_dir / "link");
  EXPECT_EQ(hash({"link/**"}), "");
  EXPECT_EQ(hash({"link/**"}, true), expected({"F"}));
}

TEST_F(HashFilesTest, SymlinkLoopsEndWhenFollowing) {
  write("d/f", "F");
  std::filesystem::create_directory_symlink(m_dir / "d", m_dir / "d" / "loop");
  EXPECT_EQ(hash({"d/**"}, true), expected({"F"}));
  EXPECT_EQ(hash({"d/**"}, false), expected({"F"}));
}

TEST_F(HashFilesTest, SymlinkedFilesAreHashedThroughTheLink) {
  write("real.txt", "R");
  std::filesystem::create_symlink(m_dir / "real.txt", m_dir / "z-link.txt");
  EXPECT_EQ(hash({"*.txt"}), expected({"R", "R"}));
}

}  // namespace
}  // namespace pipewright::os
