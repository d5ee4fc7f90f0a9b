// Leftover processes: found through the scope's groups and tracking id, ended, reaped;
// other scopes' processes and our own children left alone, both with our subtree
// walked through /proc's children files and with the full scan of /proc that kernels
// without them use. Real processes; the only waits are polls with generous safety nets.
#include "pipewright/os/subreaper.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/os/proc_table.h"
#include "pipewright/os/process.h"

#include "process_polling.h"

namespace pipewright::os {

// Names the listing in test names and failure messages.
void PrintTo(ProcListing listing, std::ostream* out) {
  *out << (listing == ProcListing::children_files ? "children_files" : "full_scan");
}

namespace {

using namespace std::chrono_literals;
using test_support::alive;
using test_support::eventually;
using ::testing::Contains;
using ::testing::IsSupersetOf;
using ::testing::Not;

pid_t parent_of(pid_t pid) {
  auto entry = read_proc_entry(pid);
  return entry ? entry->ppid : -1;
}

bool exists(pid_t pid) {
  return std::filesystem::exists("/proc/" + std::to_string(pid));
}

class SubreaperFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(become_child_subreaper());
    m_dir = std::filesystem::temp_directory_path() /
            ("pw-subreaper-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override {
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir);
  }

  SpawnOptions step(const std::string& script, ProcessScope* scope) const {
    SpawnOptions options;
    options.argv = {"bash", "-c", script};
    options.env = {"PATH=/usr/bin:/bin"};
    options.cwd = m_dir.string();
    options.scope = scope;
    return options;
  }

  // Runs a step to completion; its output is expected to be one pid.
  pid_t run_step_printing_pid(const std::string& script, ProcessScope* scope) const {
    std::string output;
    RunOptions run_options;
    run_options.timeout = 60s;
    run_options.on_output = [&](std::string_view chunk) { output.append(chunk); };
    auto result = run(step(script, scope), run_options);
    EXPECT_TRUE(result);
    EXPECT_EQ(result->exit_code(), 0) << output;
    return static_cast<pid_t>(std::stol(output));
  }

  std::filesystem::path m_dir;
};

// Every leftover test runs with each way of listing our descendants.
class SubreaperTest : public SubreaperFixture, public ::testing::WithParamInterface<ProcListing> {
 protected:
  void SetUp() override {
    if (GetParam() == ProcListing::children_files && proc_listing() != GetParam())
      GTEST_SKIP() << "this kernel has no /proc/<pid>/task/<tid>/children";
    detail::force_proc_listing(GetParam());
    SubreaperFixture::SetUp();
  }
  void TearDown() override {
    SubreaperFixture::TearDown();
    detail::force_proc_listing(std::nullopt);
  }
};

INSTANTIATE_TEST_SUITE_P(Listing, SubreaperTest,
                         ::testing::Values(ProcListing::children_files, ProcListing::full_scan),
                         [](const auto& info) {
                           return info.param == ProcListing::children_files ? "ChildrenFiles"
                                                                            : "FullScan";
                         });

TEST_P(SubreaperTest, BecomesASubreaper) {
  EXPECT_TRUE(is_child_subreaper());
}

TEST_P(SubreaperTest, ScopeTagsTheEnvironmentAndRecordsTheGroup) {
  ProcessScope scope;
  ProcessScope other;
  EXPECT_NE(scope.tracking_id(), other.tracking_id());
  std::string output;
  RunOptions run_options;
  run_options.timeout = 60s;
  run_options.on_output = [&](std::string_view chunk) { output.append(chunk); };
  auto options = step("echo $$; echo $RUNNER_TRACKING_ID", &scope);
  options.env.push_back("RUNNER_TRACKING_ID=from-the-caller");  // replaced, not duplicated
  auto result = run(options, run_options);
  ASSERT_TRUE(result);
  auto newline = output.find('\n');
  pid_t pid = static_cast<pid_t>(std::stol(output.substr(0, newline)));
  EXPECT_EQ(output.substr(newline + 1), scope.tracking_id() + "\n");
  EXPECT_EQ(scope.groups(), std::vector<pid_t>{pid});
}

TEST_P(SubreaperTest, BackgroundSleepIsEndedAndReaped) {
  ProcessScope scope;
  pid_t leftover = run_step_printing_pid("sleep 1000 & echo $!", &scope);
  ASSERT_TRUE(alive(leftover));
  // Its parent (bash) is gone, so it was reparented to us, the subreaper.
  ASSERT_TRUE(eventually([&] { return parent_of(leftover) == ::getpid(); }));

  auto report = kill_leftover_descendants(scope);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_THAT(report->found, Contains(leftover));
  EXPECT_EQ(report->needed_kill, 0u);  // sleep obeys SIGTERM
  EXPECT_GE(report->reaped, 1u);
  EXPECT_FALSE(exists(leftover));  // gone, and no zombie left
}

TEST_P(SubreaperTest, DaemonThatLeftTheGroupAndSessionIsFound) {
  ProcessScope scope;
  // setsid: a new session and group, so only the tracking id can tie it to the step.
  pid_t daemon = run_step_printing_pid(
      "setsid sh -c 'echo $$ > pid; exec sleep 1000' & "
      "while [ ! -s pid ]; do sleep 0.01; done; cat pid",
      &scope);
  ASSERT_TRUE(alive(daemon));
  auto entry = read_proc_entry(daemon);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->sid, daemon);
  EXPECT_EQ(entry->pgid, daemon);
  for (pid_t group : scope.groups())
    EXPECT_NE(entry->pgid, group);

  auto report = kill_leftover_descendants(scope);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_THAT(report->found, Contains(daemon));
  EXPECT_TRUE(eventually([&] { return !exists(daemon); }));
}

TEST_P(SubreaperTest, LeftoverIgnoringSigtermIsKilled) {
  ProcessScope scope;
  pid_t stubborn = run_step_printing_pid(
      "(trap '' TERM; touch started; while :; do sleep 0.01; done) & "
      "while [ ! -e started ]; do sleep 0.01; done; echo $!",
      &scope);
  ASSERT_TRUE(alive(stubborn));
  LeftoverOptions options;
  options.grace = 100ms;
  auto report = kill_leftover_descendants(scope, options);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_THAT(report->found, Contains(stubborn));
  EXPECT_GE(report->needed_kill, 1u);
  EXPECT_FALSE(exists(stubborn));
}

TEST_P(SubreaperTest, ForkingLeftoverIsEndedWithEverythingItStarted) {
  ProcessScope scope;
  // Ignores SIGTERM and keeps starting background sleeps while we try to end it.
  pid_t forker = run_step_printing_pid(
      "(trap '' TERM; while :; do sleep 1000 & sleep 0.01; done) & "
      "while [ $(pgrep -c -P $! sleep) -lt 3 ]; do sleep 0.01; done; echo $!",
      &scope);
  ASSERT_TRUE(alive(forker));
  LeftoverOptions options;
  options.grace = 100ms;
  auto report = kill_leftover_descendants(scope, options);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_GE(report->found.size(), 4u);  // the loop and at least three sleeps
  EXPECT_GE(report->needed_kill, 1u);
  // Nothing of the scope is left below us: not alive, not a zombie.
  auto table = list_processes();
  ASSERT_TRUE(table);
  std::vector<pid_t> groups = scope.groups();
  for (const auto& e : descendants_of(*table, ::getpid())) {
    EXPECT_NE(environment_variable(e.pid, ProcessScope::k_tracking_variable), scope.tracking_id())
        << "left alive: " << e.pid;
    EXPECT_EQ(std::find(groups.begin(), groups.end(), e.pgid), groups.end())
        << "left in the step's group: " << e.pid << " state " << e.state;
  }
}

TEST_P(SubreaperTest, OtherScopesAndOurOwnChildrenAreLeftAlone) {
  ProcessScope mine;
  ProcessScope theirs;
  pid_t my_leftover = run_step_printing_pid("sleep 1000 & echo $!", &mine);
  pid_t their_leftover = run_step_printing_pid("sleep 1000 & echo $!", &theirs);
  // A step of the other job, still running, and a child outside any scope.
  auto their_running = spawn(step("exec sleep 1000", &theirs));
  auto unscoped = spawn(step("exec sleep 1000", nullptr));
  ASSERT_TRUE(their_running && unscoped);
  // Until a child has exec'd, /proc shows the test's environment (no tracking id) and
  // the scan would rightly take it for a leftover of the group below: wait for sleep.
  auto running_sleep = [](pid_t pid) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    return std::getline(comm, name) && name == "sleep";
  };
  ASSERT_TRUE(eventually([&] { return running_sleep(their_running->pid()); }));
  ASSERT_TRUE(eventually([&] { return running_sleep(unscoped->pid()); }));
  // As if their step's pid had reused the number of a group of ours that is long gone.
  mine.add_group(their_running->pgid());

  auto report = kill_leftover_descendants(mine);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->found, std::vector<pid_t>{my_leftover});
  EXPECT_FALSE(exists(my_leftover));
  EXPECT_TRUE(alive(their_leftover));
  EXPECT_TRUE(alive(their_running->pid()));
  EXPECT_TRUE(alive(unscoped->pid()));

  // Ending the other scope signals its running step but leaves reaping to its owner.
  report = kill_leftover_descendants(theirs);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_THAT(report->found, Contains(their_leftover));
  EXPECT_THAT(report->found, Contains(their_running->pid()));
  EXPECT_FALSE(exists(their_leftover));
  auto status = their_running->wait();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, ExitStatus(Signaled{SIGTERM}));
  EXPECT_TRUE(alive(unscoped->pid()));
}

TEST_P(SubreaperTest, ReapOrphansReapsExitedLeftoversButNotOwnedChildren) {
  // Outlives its parent (so it is reparented to us), then dies unreaped.
  pid_t orphan = run_step_printing_pid("sleep 1000 & echo $!", nullptr);
  ASSERT_TRUE(eventually([&] { return parent_of(orphan) == ::getpid(); }));
  ASSERT_EQ(::kill(orphan, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] {
    auto e = read_proc_entry(orphan);
    return e && e->zombie() && e->ppid == ::getpid();
  }));
  // A child we own that has exited but is not reaped yet.
  auto owned = spawn(step("exit 5", nullptr));
  ASSERT_TRUE(owned);
  pollfd pfd{owned->pidfd(), POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 30'000), 1);

  auto reaped = reap_orphans();
  ASSERT_TRUE(reaped) << reaped.error().message;
  EXPECT_GE(*reaped, 1u);
  EXPECT_FALSE(exists(orphan));
  // Its exit status was not stolen.
  auto status = owned->try_reap();
  ASSERT_TRUE(status) << status.error().message;
  ASSERT_TRUE(*status);
  EXPECT_EQ(**status, ExitStatus(Exited{5}));
}

TEST_P(SubreaperTest, ReapingOrphansNeverStealsAnotherThreadsExitStatus) {
  // Threads run steps and check every exit code while another thread keeps reaping
  // orphans and ending a scope's leftovers; a stolen status would fail try_reap.
  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0};
  std::thread reaper([&] {
    ProcessScope empty;
    while (!stop) {
      EXPECT_TRUE(reap_orphans());
      EXPECT_TRUE(kill_leftover_descendants(empty));
    }
  });
  std::vector<std::thread> runners;
  for (int t = 0; t < 3; ++t) {
    runners.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        int code = (t * 20 + i) % 256;
        RunOptions run_options;
        run_options.timeout = 60s;
        // Each step also orphans a short-lived child for the reaper to collect.
        auto result =
            run(step("(sleep 0.01 &); exit " + std::to_string(code), nullptr), run_options);
        if (!result || result->exit_code() != code) ++mismatches;
      }
    });
  }
  for (auto& r : runners)
    r.join();
  stop = true;
  reaper.join();
  EXPECT_EQ(mismatches, 0);
}

// A forked child whose second thread started `sleep 1000` (so the sleep is listed in
// that thread's children file, not the main thread's) and keeps running.
struct ThreadedChild {
  pid_t pid = -1;
  pid_t grandchild = -1;
};

ThreadedChild fork_threaded_child() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  pid_t child = ::fork();
  if (child == 0) {
    std::thread worker([&] {
      pid_t grandchild = ::fork();
      if (grandchild == 0) {
        ::execlp("sleep", "sleep", "1000", nullptr);
        ::_exit(127);
      }
      [[maybe_unused]] ssize_t n = ::write(fds[1], &grandchild, sizeof grandchild);
      for (;;)
        ::pause();
    });
    for (;;)
      ::pause();
  }
  ::close(fds[1]);
  ThreadedChild out{child, -1};
  if (child < 0 || ::read(fds[0], &out.grandchild, sizeof out.grandchild) != sizeof out.grandchild)
    out.grandchild = -1;
  ::close(fds[0]);
  return out;
}

std::vector<pid_t> sorted_pids(const std::vector<ProcEntry>& entries) {
  std::vector<pid_t> pids;
  for (const auto& e : entries)
    pids.push_back(e.pid);
  std::sort(pids.begin(), pids.end());
  return pids;
}

class ProcListingTest : public SubreaperFixture {};

TEST_F(ProcListingTest, ChildrenFilesListWhatTheFullScanLists) {
  if (proc_listing() != ProcListing::children_files)
    GTEST_SKIP() << "this kernel has no /proc/<pid>/task/<tid>/children";
  // A running child with a grandchild.
  auto parent =
      spawn(step("sleep 1000 & echo $! > grandchild.tmp; mv grandchild.tmp grandchild; "
                 "wait",
                 nullptr));
  ASSERT_TRUE(parent) << parent.error().message;
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(m_dir / "grandchild"); }));
  pid_t grandchild = 0;
  std::ifstream(m_dir / "grandchild") >> grandchild;
  // An orphan reparented to us, and one that has exited since, still unreaped.
  pid_t orphan = run_step_printing_pid("sleep 1000 & echo $!", nullptr);
  pid_t zombie = run_step_printing_pid("sleep 1000 & echo $!", nullptr);
  ASSERT_TRUE(eventually([&] { return parent_of(orphan) == ::getpid(); }));
  ASSERT_TRUE(eventually([&] { return parent_of(zombie) == ::getpid(); }));
  ASSERT_EQ(::kill(zombie, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] {
    auto e = read_proc_entry(zombie);
    return e && e->zombie();
  }));
  ThreadedChild threaded = fork_threaded_child();
  ASSERT_GT(threaded.pid, 0);
  ASSERT_GT(threaded.grandchild, 0);

  detail::force_proc_listing(ProcListing::children_files);
  auto walked = list_own_descendants();
  auto walked_children = list_own_children();
  detail::force_proc_listing(ProcListing::full_scan);
  auto scanned = list_own_descendants();
  auto scanned_children = list_own_children();
  detail::force_proc_listing(std::nullopt);
  ASSERT_TRUE(walked && walked_children && scanned && scanned_children);

  EXPECT_EQ(sorted_pids(*walked), sorted_pids(*scanned));
  EXPECT_EQ(sorted_pids(*walked_children), sorted_pids(*scanned_children));
  EXPECT_THAT(sorted_pids(*walked), IsSupersetOf({parent->pid(), grandchild, orphan, zombie,
                                                  threaded.pid, threaded.grandchild}));
  EXPECT_THAT(sorted_pids(*walked_children),
              IsSupersetOf({parent->pid(), orphan, zombie, threaded.pid}));
  EXPECT_THAT(sorted_pids(*walked_children), Not(Contains(grandchild)));
  EXPECT_THAT(sorted_pids(*walked_children), Not(Contains(threaded.grandchild)));
  for (const auto& e : *walked) {
    if (e.pid == threaded.grandchild) {
      EXPECT_EQ(e.ppid, threaded.pid);
    }
    if (e.pid == zombie) {
      EXPECT_TRUE(e.zombie());
    }
  }

  // Clean up: everything dies and is reaped.
  ::kill(threaded.grandchild, SIGKILL);
  ::kill(threaded.pid, SIGKILL);
  ::kill(orphan, SIGKILL);
  EXPECT_TRUE(parent->signal_group(SIGKILL));  // with the grandchild
  EXPECT_TRUE(parent->wait());
  EXPECT_TRUE(eventually([&] {
    (void)reap_orphans();
    return !exists(threaded.pid) && !exists(threaded.grandchild) && !exists(orphan) &&
           !exists(zombie) && !exists(grandchild);
  }));
}

TEST(ProcTableTest, ParsesOurOwnEntryAndFindsDescendants) {
  auto self = read_proc_entry(::getpid());
  ASSERT_TRUE(self);
  EXPECT_EQ(self->ppid, ::getppid());
  EXPECT_EQ(self->pgid, ::getpgrp());
  EXPECT_EQ(self->sid, ::getsid(0));
  EXPECT_GT(self->start_time, 0u);
  EXPECT_GE(self->num_threads, 1);
  EXPECT_FALSE(read_proc_entry(0));

  std::vector<ProcEntry> table = {
      {10, 1, 10, 10, 'S', 1},
      {11, 10, 10, 10, 'S', 2},
      {12, 11, 12, 12, 'Z', 3},
      {13, 1, 13, 13, 'S', 4},
  };
  auto below = descendants_of(table, 10);
  ASSERT_EQ(below.size(), 2u);
  EXPECT_TRUE(descendants_of(table, 13).empty());
}

}  // namespace
}  // namespace pipewright::os
