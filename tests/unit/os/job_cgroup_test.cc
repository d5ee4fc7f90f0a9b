// Job cgroups, where the host makes them (skipped elsewhere; os.JobCgroupTest.v2 and
// .v1 force them with PIPEWRIGHT_CGROUPS): a step is moved into its
// job's cgroup, a process that escaped every other way of being found (cleared
// environment, own session, orphaned) is still ended at job end and after a crash,
// a live engine's cgroup is left alone, and the cgroups are removed afterwards.
#include "pipewright/os/job_cgroup.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/os/proc_table.h"
#include "pipewright/os/process.h"
#include "pipewright/os/subreaper.h"

#include "process_polling.h"

namespace pipewright::os {
namespace {

using namespace std::chrono_literals;
using test_support::alive;
using test_support::eventually;

SpawnOptions bash(const std::string& script, ProcessScope* scope = nullptr) {
  SpawnOptions options;
  options.argv = {"bash", "-c", script};
  options.env = {"PATH=/usr/bin:/bin"};
  options.scope = scope;
  return options;
}

// Runs `script` to its end and returns what it printed.
std::string output_of(const SpawnOptions& options) {
  std::string output;
  RunOptions run_options;
  run_options.timeout = 60s;
  run_options.on_output = [&](std::string_view chunk) { output.append(chunk); };
  auto result = run(options, run_options);
  EXPECT_TRUE(result && result->exit_code() == 0) << output;
  return output;
}

// A step that starts a sleep that escapes every other way of being found: no
// environment, its own session, and orphaned. Prints the sleep's pid.
constexpr const char* k_escapee =
    "env -i setsid sleep 1006 </dev/null >/dev/null 2>&1 & echo $!; disown";

// Moves `pid` into the cgroup whose cgroup.procs is `procs`, as spawn() has a child do it for
// itself.
bool move_into(const std::string& procs, const std::string& pid) {
  int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
  bool moved = fd >= 0 && ::write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
  if (fd >= 0) ::close(fd);
  return moved;
}

class JobCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!job_cgroups())
      GTEST_SKIP() << "no job cgroups here (none writable, or moves are slow: "
                      "os.JobCgroupTest.v2 and .v1 force them)";
  }
};

TEST_F(JobCgroupTest, StepsRunInTheirJobsCgroup) {
  ProcessScope scope;
  ASSERT_GE(scope.cgroup_procs_fd(), 0);
  std::string lines = output_of(bash("cat /proc/self/cgroup", &scope));
  EXPECT_NE(lines.find("/pipewright/" + engine_key(this_engine()) + "/job-"), std::string::npos)
      << lines;
}

TEST_F(JobCgroupTest, AnEscapeeIsEndedAtJobEnd) {
  pid_t escapee = 0;
  {
    ProcessScope scope;
    escapee = std::stoi(output_of(bash(k_escapee, &scope)));
    ASSERT_TRUE(eventually([&] { return process_name(escapee) == "sleep"; }));
    EXPECT_FALSE(environment_variable(escapee, "PATH")) << "the escapee kept an environment";
    EXPECT_EQ(scope.cgroup_pids(), std::vector<pid_t>{escapee});
    auto report = kill_leftover_descendants(scope, {.grace = 200ms});
    ASSERT_TRUE(report);
    EXPECT_EQ(report->found, std::vector<pid_t>{escapee});
    EXPECT_TRUE(eventually([&] { return !alive(escapee); }));
  }
  // Nothing left in this engine's cgroups (the empty one is kept for the next job).
  EXPECT_TRUE(cgroup_tree_pids(cgroup_base() + "/" + engine_key(this_engine())).empty());
}

TEST_F(JobCgroupTest, ADeadEnginesCgroupIsEmptiedAndRemovedALiveOnesIsNot) {
  // Two made-up engines (sleeping children of ours): one declared dead, one alive.
  auto engine_of = [](const Process& p) {
    return EngineIdentity{p.pid(), read_proc_entry(p.pid())->start_time,
                          this_engine().pid_namespace};
  };
  auto dead_one = spawn(bash("exec sleep 1000"));
  auto live_one = spawn(bash("exec sleep 1000"));
  ASSERT_TRUE(dead_one && live_one);
  EngineIdentity gone = engine_of(*dead_one), live = engine_of(*live_one);
  auto dead_cgroup = JobCgroup::create(gone);
  auto live_cgroup = JobCgroup::create(live);
  ASSERT_TRUE(dead_cgroup && live_cgroup);
  // One escapee in each, moved in by pid as the engines' spawn() would have.
  pid_t in_dead = std::stoi(output_of(bash(k_escapee)));
  pid_t in_live = std::stoi(output_of(bash(k_escapee)));
  for (pid_t pid : {in_dead, in_live})  // setsid has become the sleep
    ASSERT_TRUE(eventually([&] { return process_name(pid) == "sleep"; }));
  ASSERT_TRUE(move_into(dead_cgroup->path() + "/cgroup.procs", std::to_string(in_dead)));
  ASSERT_TRUE(move_into(live_cgroup->path() + "/cgroup.procs", std::to_string(in_live)));
  std::string dead_dir = std::filesystem::path(dead_cgroup->path()).parent_path().string();

  DeadEngineOptions options;
  options.grace = 200ms;
  options.running = [&](const EngineIdentity& e) { return !(e == gone) && engine_running(e); };
  auto report = end_dead_engine_leftovers(options);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(eventually([&] { return !alive(in_dead); }));
  ASSERT_EQ(report->ended.size(), 1u);
  EXPECT_EQ(report->ended[0].pid, in_dead);
  EXPECT_EQ(report->ended[0].engine_pid, gone.pid);
  EXPECT_EQ(report->ended[0].name, "sleep");
  EXPECT_FALSE(std::filesystem::exists(dead_dir));
  EXPECT_TRUE(alive(in_live));
  EXPECT_TRUE(std::filesystem::exists(live_cgroup->path()));
  ::kill(in_live, SIGKILL);
}

}  // namespace
}  // namespace pipewright::os
