// A temporary git repository built with the git command line, for plan/ tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace pipewright::plan::testing {

class TempGitRepo {
 public:
  TempGitRepo() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pw-plan-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    m_root = std::filesystem::canonical(tmpl).string() + "/myproj";
    std::filesystem::create_directories(m_root);
  }
  ~TempGitRepo() {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(m_root).parent_path(), ec);
  }
  TempGitRepo(const TempGitRepo&) = delete;
  TempGitRepo& operator=(const TempGitRepo&) = delete;

  const std::string& root() const { return m_root; }

  // Runs `command` in the repository with a fixed identity; fails the test on error.
  void git(const std::string& command) const {
    std::string full = "cd '" + m_root +
                       "' && GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_DATE='2024-05-01T12:00:00+02:00' "
                       "GIT_COMMITTER_DATE='2024-05-01T12:00:00+02:00' git " +
                       command + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(full.c_str()), 0) << full;
  }
  void init() const {
    git("init -q -b main");
    git("config user.name 'Test User'");
    git("config user.email test@example.com");
    git("config commit.gpgsign false");
  }
  void write(const std::string& path, const std::string& content) const {
    auto full = std::filesystem::path(m_root) / path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full) << content;
  }
  void commit(const std::string& message) const {
    git("add -A");
    git("commit -q -m '" + message + "'");
  }

 private:
  std::string m_root;
};

}  // namespace pipewright::plan::testing
