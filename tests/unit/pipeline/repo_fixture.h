// A git repository with workflow files in a fresh temp directory, for pipeline/ tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "unit/temp_dir.h"

namespace pipewright::pipeline::testing {

class RepoTest : public test_support::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    std::filesystem::create_directories(root());
    git("init -q -b main");
    git("config user.name 'Test User'");
    git("config user.email test@example.com");
    git("config commit.gpgsign false");
    git("remote add origin https://github.com/octo/app.git");
  }

  std::string root() const { return path("repo"); }

  // Runs `command` in the repository; fails the test on error.
  void git(const std::string& command) const {
    std::string full =
        "cd '" + root() + "' && GIT_CONFIG_NOSYSTEM=1 git " + command + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(full.c_str()), 0) << full;
  }
  void write(const std::string& relative, const std::string& content) const {
    auto full = std::filesystem::path(root()) / relative;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full) << content;
  }
  void commit(const std::string& message) const {
    git("add -A");
    git("commit -q -m '" + message + "'");
  }
};

}  // namespace pipewright::pipeline::testing
