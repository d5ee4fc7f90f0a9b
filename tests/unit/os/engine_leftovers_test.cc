// Leftovers of dead engines: tracking ids name their engine; at start, the processes
// whose id names an engine that is gone are ended with what they started, and
// nothing else is: not a live engine's, not ours, not a process without our id.
// Real processes; a dead engine is a reaped child whose identity we kept.
#include "pipewright/os/engine_leftovers.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/os/file.h"
#include "pipewright/os/proc_table.h"
#include "pipewright/os/process.h"
#include "pipewright/os/subreaper.h"

#include "process_polling.h"

namespace pipewright::os {
namespace {

using namespace std::chrono_literals;
using test_support::alive;
using test_support::eventually;

// A tracking id naming `engine`, as that engine would have made it.
std::string id_of(const EngineIdentity& engine) {
  return "pipewright_" + std::to_string(engine.pid) + "_" + std::to_string(engine.start_time) +
         "_" + std::to_string(engine.pid_namespace) + "_0_00000000000000ff";
}

// An engine that has died: a child that exited and was reaped.
EngineIdentity dead_engine() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  EngineIdentity engine{pid, read_proc_entry(pid)->start_time, this_engine().pid_namespace};
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return engine;
}

// Starts `script` under bash with RUNNER_TRACKING_ID=`id` (none when empty), in its
// own process group; returns the process (the test reaps it).
Process start(const std::string& script, const std::string& id) {
  SpawnOptions options;
  options.argv = {"bash", "-c", script};
  options.env = {"PATH=/usr/bin:/bin"};
  if (!id.empty()) options.env.push_back("RUNNER_TRACKING_ID=" + id);
  auto process = spawn(options);
  EXPECT_TRUE(process) << process.error().message;
  return std::move(*process);
}

// The pids a script wrote to `file`, one per line, once it wrote `count`.
std::vector<pid_t> read_pids(const std::string& file, size_t count) {
  std::vector<pid_t> pids;
  EXPECT_TRUE(eventually([&] {
    std::string text = read_file(file, 1 << 20).value_or("");
    pids.clear();
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) break;
      pids.push_back(std::stoi(text.substr(start, end - start)));
      start = end + 1;
    }
    return pids.size() >= count;
  }));
  return pids;
}

class EngineLeftoversTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("pw-engine-leftovers-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::string path(const std::string& name) const { return (m_dir / name).string(); }

  std::filesystem::path m_dir;
};

TEST(TrackingId, NamesThisEngineAndParsesBack) {
  std::string id = make_tracking_id("7_00000000000000aa");
  auto engine = tracking_id_engine(id);
  ASSERT_TRUE(engine) << id;
  EXPECT_EQ(*engine, this_engine());
  EXPECT_EQ(engine->pid, ::getpid());
  EXPECT_NE(engine->start_time, 0u);
  EXPECT_NE(engine->pid_namespace, 0u);
  EXPECT_TRUE(engine_running(*engine));
  ProcessScope scope;
  EXPECT_EQ(tracking_id_engine(scope.tracking_id()), this_engine());
}

TEST(TrackingId, OtherIdsNameNoEngine) {
  for (const char* id :
       {"", "github_3f1c2d", "pipewright", "pipewright_", "pipewright_12_7_0000000000000001",
        "pipewright_12_34_56", "pipewright_12_34_56_", "pipewright_x_34_56_1_ff",
        "pipewright_-3_34_56_1_ff", "pipewright_12_34_0_1_ff", "PIPEWRIGHT_12_34_56_1_ff"})
    EXPECT_FALSE(tracking_id_engine(id)) << id;
}

TEST(TrackingId, AnEngineIsRunningUntilItDiesOrItsPidIsReused) {
  EngineIdentity gone = dead_engine();
  EXPECT_FALSE(engine_running(gone));
  EngineIdentity reused = this_engine();
  reused.start_time += 1;  // our pid, but started at another time: another process
  EXPECT_FALSE(engine_running(reused));
  EngineIdentity elsewhere = gone;
  elsewhere.pid_namespace += 1;  // another pid namespace: cannot be judged from here
  EXPECT_TRUE(engine_running(elsewhere));
}

TEST_F(EngineLeftoversTest, EndsWhatADeadEngineLeftAndNothingElse) {
  // Two made-up engines, sleeping children of ours: one we declare dead, one alive.
  // (A really dead engine's leftovers would be ended by any engine starting meanwhile,
  // such as another test's.)
  auto engine_of = [](const Process& process) {
    return EngineIdentity{process.pid(), read_proc_entry(process.pid())->start_time,
                          this_engine().pid_namespace};
  };
  Process dead_one = start("exec sleep 1000", "");
  Process live_one = start("exec sleep 1000", "");
  EngineIdentity gone = engine_of(dead_one);
  EngineIdentity live = engine_of(live_one);
  DeadEngineOptions options;
  options.grace = 200ms;
  options.running = [&](const EngineIdentity& engine) {
    return !(engine == gone) && engine_running(engine);
  };

  // The dead engine's step: a background child, a setsid() one, a double-forked
  // daemon and an orphan that cleared its environment but stayed in the step's group.
  std::string pids = path("dead");
  Process step = start("sleep 1001 & echo $! >>" + pids +
                           "\n"
                           "setsid bash -c 'echo $$ >>" +
                           pids +
                           "; exec sleep 1002' &\n"
                           "bash -c '(exec sleep 1003) & echo $! >>" +
                           pids +
                           "' &\n"
                           "(env -i sleep 1004 & echo $! >>" +
                           pids + ")\necho $$ >>" + pids + "\nwait\n",
                       id_of(gone));
  std::vector<pid_t> dead = read_pids(pids, 5);
  // Not ours to end: a live engine's step, a process without an id, GitHub's id, ours.
  Process of_live = start("exec sleep 1001", id_of(live));
  Process unmarked = start("exec sleep 1001", "");
  Process github = start("exec sleep 1001", "github_7d3c");
  ProcessScope scope;
  SpawnOptions own;
  own.argv = {"sleep", "1001"};
  own.env = {"PATH=/usr/bin:/bin"};
  own.scope = &scope;
  auto ours = spawn(own);
  ASSERT_TRUE(ours);
  for (pid_t pid : dead)
    ASSERT_TRUE(alive(pid)) << pid;

  auto report = end_dead_engine_leftovers(options);
  ASSERT_TRUE(report) << report.error().message;
  for (pid_t pid : dead) {
    EXPECT_TRUE(eventually([&] { return !alive(pid); }))
        << "leftover " << pid << " (" << process_name(pid) << ", line "
        << std::ranges::find(dead, pid) - dead.begin() + 1 << " of the step's list) survived";
    auto it = std::ranges::find(report->ended, pid, &EndedLeftover::pid);
    ASSERT_NE(it, report->ended.end()) << pid << " ended but not reported";
    EXPECT_EQ(it->engine_pid, gone.pid);
    EXPECT_FALSE(it->name.empty());
  }
  EXPECT_TRUE(step.wait());  // ended too: it carried the dead engine's id
  for (Process* untouched : {&dead_one, &live_one, &of_live, &unmarked, &github, &*ours}) {
    EXPECT_TRUE(alive(untouched->pid())) << untouched->pid() << " was ended";
    EXPECT_EQ(std::ranges::count(report->ended, untouched->pid(), &EndedLeftover::pid), 0);
  }

  // Nothing left: the next start ends nothing and reports nothing.
  auto again = end_dead_engine_leftovers(options);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->ended.empty());
}

}  // namespace
}  // namespace pipewright::os
