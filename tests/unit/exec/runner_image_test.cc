// What a runner image gives every job (exec/runner_image.h): the apt configuration the
// jobs' APT_CONFIG names, the sudo shim for a root engine on a host without sudo, and
// ImageOS from the runs-on labels.
#include "pipewright/exec/runner_image.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "unit/temp_dir.h"

namespace pipewright::exec {
namespace {

namespace fs = std::filesystem;

class RunnerImageTest : public test_support::TempDirTest {
 protected:
  // Runs `command` with sh; stdout+stderr, and the exit code in `code`.
  std::string sh(const std::string& command, int& code) {
    std::string out = path("out.txt");
    int status = std::system(("(" + command + ") >" + out + " 2>&1").c_str());
    code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    while (!s.empty() && s.back() == '\n')
      s.pop_back();
    return s;
  }

  // Options for a root (or not) engine whose steps' PATH is `path`.
  static RunnerImageOptions as(bool root, std::string path) {
    RunnerImageOptions options;
    options.root = root;
    options.host_path = std::move(path);
    return options;
  }

  RunnerImage prepare(RunnerImageOptions options) {
    auto image = prepare_runner_image(path("runner"), options);
    EXPECT_TRUE(image) << image.error().message;
    return image ? *image : RunnerImage{};
  }
};

TEST_F(RunnerImageTest, AptAssumesYesAndWaitsForTheDpkgLock) {
  RunnerImage image = prepare({});
  ASSERT_EQ(image.env.size(), 2u);
  EXPECT_EQ(image.env[0].first, "APT_CONFIG");
  EXPECT_EQ(image.env[1],
            (std::pair<std::string, std::string>{"DEBIAN_FRONTEND", "noninteractive"}));
  std::ifstream in(image.env[0].second);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("APT::Get::Assume-Yes \"true\";"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("DPkg::Lock::Timeout \"600\";"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("#include"), std::string::npos);
  if (std::system("command -v apt-config >/dev/null 2>&1") == 0) {
    int code = 0;
    std::string dump = sh("APT_CONFIG=" + image.env[0].second + " apt-config dump", code);
    EXPECT_EQ(code, 0) << dump;
    EXPECT_NE(dump.find("DPkg::Lock::Timeout \"600\""), std::string::npos) << dump;
  }
}

TEST_F(RunnerImageTest, TheHostsAptConfigIsIncluded) {
  RunnerImageOptions options;
  options.host_apt_config = "/etc/custom-apt.conf";
  EXPECT_NE(apt_config_text(options).find("#include \"/etc/custom-apt.conf\";"), std::string::npos);
}

TEST_F(RunnerImageTest, NoShimUnlessRootWithoutSudo) {
  fs::create_directories(path("bin"));
  std::ofstream(path("bin/sudo")) << "#!/bin/sh\n";
  fs::permissions(path("bin/sudo"), fs::perms::owner_all);
  EXPECT_EQ(prepare(as(false, path("nothing"))).bin_dir, "");
  EXPECT_EQ(prepare(as(true, path("nothing") + ":" + path("bin"))).bin_dir, "");
  EXPECT_EQ(prepare(as(true, path("nothing"))).bin_dir, path("runner/bin"));
}

TEST_F(RunnerImageTest, TheShimRunsTheCommandDirectly) {
  RunnerImage image = prepare(as(true, path("nothing")));
  std::string sudo = image.bin_dir + "/sudo";
  int code = -1;
  EXPECT_EQ(sh(sudo + " true", code), "");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(sh("FOO=kept " + sudo + " -E -H sh -c 'echo $FOO'", code), "kept");
  EXPECT_EQ(sh(sudo + " -n -u root BAR=set sh -c 'echo $BAR'", code), "set");
  EXPECT_EQ(sh(sudo + " --preserve-env=PATH -- echo a b", code), "a b");
  EXPECT_EQ(sh(sudo + " -s 'echo shell'", code), "shell");
  EXPECT_EQ(sh(sudo + " sh -c 'exit 3'", code), "");
  EXPECT_EQ(code, 3) << "the command's exit code";
  sh(sudo + " -v", code);
  EXPECT_EQ(code, 0);
  // What only a real sudo can do fails saying so.
  EXPECT_NE(sh(sudo + " -u nobody true", code).find("cannot run as 'nobody'"), std::string::npos);
  EXPECT_EQ(code, 1);
  EXPECT_NE(sh(sudo + " -i", code).find("not supported"), std::string::npos);
  EXPECT_EQ(code, 1);
  EXPECT_NE(sh(sudo, code).find("usage"), std::string::npos);
  EXPECT_EQ(code, 1);
}

TEST(ImageOsTest, UbuntuLabelsOnly) {
  EXPECT_EQ(image_os({"ubuntu-22.04"}), "ubuntu22");
  EXPECT_EQ(image_os({"ubuntu-24.04-arm"}), "ubuntu24");
  EXPECT_EQ(image_os({"Ubuntu-Latest"}), "ubuntu24");
  EXPECT_EQ(image_os({"self-hosted", "ubuntu-20.04"}), "ubuntu20");
  EXPECT_EQ(image_os({"self-hosted", "linux"}), "");
  EXPECT_EQ(image_os({"ubuntu-x.y", "ubuntu-"}), "");
}

}  // namespace
}  // namespace pipewright::exec
