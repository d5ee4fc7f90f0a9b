#include "pipewright/os/file.h"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

namespace pipewright::os {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() / ("pw-file-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::string path(const char* name) const { return (m_dir / name).string(); }
  std::filesystem::path m_dir;
};

TEST_F(FileTest, WritesAndReadsBack) {
  ASSERT_TRUE(write_file(path("a.txt"), "hello\n"));
  auto content = read_file(path("a.txt"));
  ASSERT_TRUE(content);
  EXPECT_EQ(*content, "hello\n");
}

TEST_F(FileTest, RefusesFilesOverTheLimit) {
  ASSERT_TRUE(write_file(path("big"), std::string(100, 'x')));
  auto content = read_file(path("big"), 99);
  ASSERT_FALSE(content);
  EXPECT_NE(content.error().message.find("larger than the limit of 99 bytes"), std::string::npos);
  EXPECT_TRUE(read_file(path("big"), 100));
}

TEST_F(FileTest, MissingFileAndDirectoryAreErrorsNamingThePath) {
  auto missing = read_file(path("nope"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(path("nope")), std::string::npos);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
  auto dir = read_file(m_dir.string());
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace pipewright::os
