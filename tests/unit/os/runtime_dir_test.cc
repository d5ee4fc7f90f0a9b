// The runtime dir holds step scripts (with secrets) and servers' data: under /dev/shm
// or /tmp another user could have created it first, so it is used only when it is a
// real directory of ours that nobody else can write.
#include "pipewright/os/runtime_dir.h"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pipewright::os {
namespace {

namespace fs = std::filesystem;

class RuntimeDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() / ("pw-runtime-dir-test-" + std::to_string(::getpid()));
    fs::create_directories(m_root);
    const char* old = std::getenv("XDG_RUNTIME_DIR");
    if (old) m_old = old;
    ::setenv("XDG_RUNTIME_DIR", m_root.c_str(), 1);
    // Root with /run on a tmpfs uses /run/pipewright whatever XDG_RUNTIME_DIR says.
    if (runtime_dir() != (m_root / "pipewright").string())
      GTEST_SKIP() << "the runtime dir here is " << runtime_dir();
  }
  void TearDown() override {
    if (m_old)
      ::setenv("XDG_RUNTIME_DIR", m_old->c_str(), 1);
    else
      ::unsetenv("XDG_RUNTIME_DIR");
    fs::remove_all(m_root);
  }

  fs::path m_root;
  std::optional<std::string> m_old;
};

TEST_F(RuntimeDirTest, IsCreatedWhenMissing) {
  auto dir = ensure_runtime_dir();
  ASSERT_TRUE(dir) << dir.error().message;
  EXPECT_EQ(*dir, (m_root / "pipewright").string());
  EXPECT_TRUE(fs::is_directory(*dir));
  EXPECT_TRUE(ensure_runtime_dir()) << "a second call must accept what the first made";
}

TEST_F(RuntimeDirTest, OneOthersCanWriteIsRefused) {
  fs::create_directory(m_root / "pipewright");
  ::chmod((m_root / "pipewright").c_str(), 0777);
  auto dir = ensure_runtime_dir();
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find("only it can write"), std::string::npos)
      << dir.error().message;
}

TEST_F(RuntimeDirTest, ASymlinkIsRefused) {
  fs::create_directory(m_root / "elsewhere");
  fs::create_directory_symlink(m_root / "elsewhere", m_root / "pipewright");
  EXPECT_FALSE(ensure_runtime_dir());
}

}  // namespace
}  // namespace pipewright::os
