// Real processes through spawn() and run_process(). No timing assertions: timeouts
// here are safety nets, and every check is on output, exit status or reason.
#include "pipewright/os/process.h"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/os/proc_table.h"
#include "pipewright/os/subreaper.h"

namespace pipewright::os {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr auto k_safety_net = 60s;

std::vector<std::string> base_env() {
  return {"PATH=/usr/bin:/bin", "LC_ALL=C"};
}

SpawnOptions shell(const std::string& script) {
  SpawnOptions options;
  options.argv = {"bash", "-c", script};
  options.env = base_env();
  return options;
}

// Runs to completion and collects the whole output (fine for small test outputs).
struct Collected {
  ProcessResult result;
  std::string output;
};

Collected run_collect(const SpawnOptions& spawn_options, RunOptions run_options = {}) {
  std::string output;
  run_options.on_output = [&](std::string_view chunk) { output.append(chunk); };
  if (!run_options.timeout) run_options.timeout = k_safety_net;
  auto result = run(spawn_options, run_options);
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  if (!result) return {ProcessResult{Exited{-1}, TerminationReason::exited}, output};
  return {*result, output};
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("pw-process-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::filesystem::path m_dir;
};

TEST(FdTest, ClosesOnDestructionAndMovesOwnership) {
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe);
  int raw = pipe->read.get();
  EXPECT_NE(::fcntl(raw, F_GETFD) & FD_CLOEXEC, 0);
  Fd moved = std::move(pipe->read);
  EXPECT_FALSE(pipe->read.valid());
  EXPECT_EQ(moved.get(), raw);
  moved.reset();
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(FdTest, NonBlockingReadEndLeavesTheWriteEndBlocking) {
  auto pipe = make_pipe(ReadEnd::nonblocking);
  ASSERT_TRUE(pipe);
  EXPECT_NE(::fcntl(pipe->read.get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(::fcntl(pipe->write.get(), F_GETFL) & O_NONBLOCK, 0);
}

TEST_F(ProcessTest, ReportsExitCodes) {
  for (int code : {0, 1, 42}) {
    auto c = run_collect(shell("exit " + std::to_string(code)));
    EXPECT_EQ(c.result.exit_code(), code);
    EXPECT_EQ(c.result.reason, TerminationReason::exited);
  }
  EXPECT_EQ(describe(run_collect(shell("exit 3")).result), "exited with code 3");
}

TEST_F(ProcessTest, ReportsDeathBySignal) {
  auto c = run_collect(shell("kill -TERM $$"));
  EXPECT_EQ(c.result.signal(), SIGTERM);
  EXPECT_FALSE(c.result.exit_code());
  EXPECT_EQ(c.result.reason, TerminationReason::signaled);
  EXPECT_EQ(describe(c.result), "killed by SIGTERM");
}

TEST_F(ProcessTest, StdoutAndStderrShareOneStreamInOrder) {
  auto c =
      run_collect(shell("echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf tail >&2"));
  EXPECT_EQ(c.output, "out1\nerr1\nout2\nerr2\ntail");
}

TEST_F(ProcessTest, StdinIsDevNull) {
  SpawnOptions options;
  options.argv = {"cat"};
  options.env = base_env();
  auto c = run_collect(options);
  EXPECT_EQ(c.result.exit_code(), 0);
  EXPECT_EQ(c.output, "");
  EXPECT_EQ(run_collect(shell("readlink /proc/self/fd/0")).output, "/dev/null\n");
}

TEST_F(ProcessTest, RunsInItsOwnProcessGroup) {
  auto c = run_collect(shell("echo $$ $(ps -o pgid= -p $$)"));
  std::istringstream in(c.output);
  long pid = 0, pgid = 0;
  in >> pid >> pgid;
  EXPECT_GT(pid, 0);
  EXPECT_EQ(pid, pgid);
  EXPECT_NE(pgid, ::getpgrp());
}

TEST_F(ProcessTest, NoDescriptorLeaksIntoTheChild) {
  // A descriptor opened without O_CLOEXEC, as a careless library would.
  int leaky = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaky, 0);
  SpawnOptions options;
  options.argv = {"ls", "/proc/self/fd"};
  options.env = base_env();
  auto c = run_collect(options);
  ::close(leaky);
  // 0-2 and the directory ls itself is reading.
  EXPECT_EQ(c.output, "0\n1\n2\n3\n");
}

TEST_F(ProcessTest, SignalDispositionsAndMaskAreReset) {
  // Pipewright ignores SIGPIPE; started with nohup, or as a background job of a
  // script, it inherits SIGHUP or SIGINT ignored. No step may inherit any of that,
  // nor a blocked signal, nor a handler.
  auto previous_pipe = ::signal(SIGPIPE, SIG_IGN);
  auto previous_hup = ::signal(SIGHUP, SIG_IGN);
  auto previous_int = ::signal(SIGINT, SIG_IGN);
  auto previous_usr1 = ::signal(SIGUSR1, [](int) {});
  sigset_t blocked;
  sigset_t previous_mask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &blocked, &previous_mask);
  auto c = run_collect(shell("grep -E '^(SigIgn|SigBlk|SigCgt)' /proc/self/status"));
  ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  ::signal(SIGPIPE, previous_pipe);
  ::signal(SIGHUP, previous_hup);
  ::signal(SIGINT, previous_int);
  ::signal(SIGUSR1, previous_usr1);
  EXPECT_THAT(c.output, HasSubstr("SigBlk:\t0000000000000000"));
  auto mask = [&](std::string_view field) {
    return std::strtoull(c.output.c_str() + c.output.find(field) + field.size() + 1, nullptr, 16);
  };
  for (int sig : {SIGPIPE, SIGHUP, SIGINT}) {
    EXPECT_EQ(mask("SigIgn:") & (1ull << (sig - 1)), 0u) << sig << "\n" << c.output;
  }
  EXPECT_EQ(mask("SigCgt:") & (1ull << (SIGUSR1 - 1)), 0u) << c.output;
}

TEST_F(ProcessTest, ProgramTheKernelCannotRunIsACleanErrorAndLeavesNoChild) {
  std::ofstream(m_dir / "not-a-program") << "\x01\x02 neither ELF nor #!\n";
  std::filesystem::permissions(m_dir / "not-a-program", std::filesystem::perms::owner_all);
  SpawnOptions options;
  options.argv = {(m_dir / "not-a-program").string()};
  options.env = base_env();
  auto process = spawn(options);
  ASSERT_FALSE(process);
  EXPECT_THAT(process.error().message, HasSubstr("not-a-program"));
  EXPECT_THAT(process.error().message, HasSubstr("Exec format error"));
  // The child that failed to exec was reaped, not left a zombie.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(ProcessTest, WorksWithOurOwnStandardDescriptorsClosed) {
  // Started as `pipewright run <&- >&-`: the output pipe lands on 0 and 1.
  int saved_in = ::dup(0);
  int saved_out = ::dup(1);
  ASSERT_GE(saved_in, 0);
  ASSERT_GE(saved_out, 0);
  ::close(0);
  ::close(1);
  auto c = run_collect(shell("echo out; cat; echo err >&2"));
  ::dup2(saved_in, 0);
  ::dup2(saved_out, 1);
  ::close(saved_in);
  ::close(saved_out);
  EXPECT_EQ(c.output, "out\nerr\n");
  EXPECT_EQ(c.result.exit_code(), 0);
}

TEST_F(ProcessTest, EnvironmentIsExactlyWhatWasGiven) {
  auto options = shell("env | sort");
  options.env = {"PATH=/usr/bin:/bin", "PW_A=1", "PW_B=two words"};
  ::setenv("PW_SHOULD_NOT_LEAK", "x", 1);
  auto c = run_collect(options);
  ::unsetenv("PW_SHOULD_NOT_LEAK");
  EXPECT_THAT(c.output, HasSubstr("PW_A=1\n"));
  EXPECT_THAT(c.output, HasSubstr("PW_B=two words\n"));
  EXPECT_THAT(c.output, ::testing::Not(HasSubstr("PW_SHOULD_NOT_LEAK")));
  EXPECT_THAT(c.output, ::testing::Not(HasSubstr("HOME=")));
}

TEST_F(ProcessTest, WorkingDirectoryIsHonoured) {
  auto options = shell("pwd; cat marker.txt");
  options.cwd = m_dir.string();
  std::ofstream(m_dir / "marker.txt") << "here\n";
  auto c = run_collect(options);
  EXPECT_EQ(c.output, std::filesystem::canonical(m_dir).string() + "\nhere\n");
}

TEST_F(ProcessTest, RelativeProgramPathIsRelativeToTheWorkingDirectory) {
  std::ofstream(m_dir / "hello.sh") << "#!/bin/sh\necho hello from script\n";
  std::filesystem::permissions(m_dir / "hello.sh", std::filesystem::perms::owner_all);
  SpawnOptions options;
  options.argv = {"./hello.sh"};
  options.env = base_env();
  options.cwd = m_dir.string();
  EXPECT_EQ(run_collect(options).output, "hello from script\n");
}

TEST_F(ProcessTest, MissingProgramIsACleanErrorNamingIt) {
  SpawnOptions options;
  options.argv = {"pw-no-such-program-xyz", "arg"};
  options.env = base_env();
  auto process = spawn(options);
  ASSERT_FALSE(process);
  EXPECT_THAT(process.error().message, HasSubstr("'pw-no-such-program-xyz'"));
  EXPECT_THAT(process.error().message, HasSubstr("not found in PATH"));

  options.argv = {"/nonexistent/dir/tool"};
  process = spawn(options);
  ASSERT_FALSE(process);
  EXPECT_THAT(process.error().message, HasSubstr("'/nonexistent/dir/tool'"));

  options.argv = {"true"};
  options.env = {};  // no PATH at all
  process = spawn(options);
  ASSERT_FALSE(process);
  EXPECT_THAT(process.error().hint, HasSubstr("no PATH"));
}

TEST_F(ProcessTest, BadWorkingDirectoryIsACleanError) {
  auto options = shell("true");
  options.cwd = (m_dir / "missing").string();
  auto process = spawn(options);
  ASSERT_FALSE(process);
  EXPECT_THAT(process.error().message, HasSubstr("'bash'"));
  EXPECT_THAT(process.error().message, HasSubstr("missing"));
  EXPECT_THAT(process.error().message, HasSubstr("No such file or directory"));
}

TEST_F(ProcessTest, OutputArrivesWhileTheProcessRuns) {
  // The child prints a line, then waits for a file that the test creates only after
  // the callback has seen that line. If output were delivered only at the end, the
  // child would never finish and the safety-net timeout would end it.
  auto go = m_dir / "go";
  auto options =
      shell("echo ready; while [ ! -e '" + go.string() + "' ]; do sleep 0.01; done; echo finished");
  std::string output;
  bool saw_ready_while_running = false;
  RunOptions run_options;
  run_options.timeout = k_safety_net;
  run_options.on_output = [&](std::string_view chunk) {
    output.append(chunk);
    if (!saw_ready_while_running && output.find("ready\n") != std::string::npos) {
      saw_ready_while_running = true;
      std::ofstream(go) << "x";
    }
  };
  auto result = run(options, run_options);
  ASSERT_TRUE(result);
  EXPECT_TRUE(saw_ready_while_running);
  EXPECT_EQ(result->reason, TerminationReason::exited);
  EXPECT_EQ(output, "ready\nfinished\n");
}

TEST_F(ProcessTest, HugeOutputStreamsWithBoundedMemory) {
  constexpr long long k_bytes = 200'000'000;
  SpawnOptions options;
  options.argv = {"head", "-c", std::to_string(k_bytes), "/dev/zero"};
  options.env = base_env();
  long before = rss_kib();
  long peak = before;
  long long total = 0;
  long long next_sample = 0;
  size_t largest_chunk = 0;
  RunOptions run_options;
  run_options.timeout = k_safety_net;
  run_options.on_output = [&](std::string_view chunk) {
    total += static_cast<long long>(chunk.size());
    largest_chunk = std::max(largest_chunk, chunk.size());
    if (total >= next_sample) {
      peak = std::max(peak, rss_kib());
      next_sample += 8'000'000;
    }
  };
  auto result = run(options, run_options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exit_code(), 0);
  EXPECT_EQ(total, k_bytes);
  EXPECT_LE(largest_chunk, 64u * 1024);
  // Keeping the output would cost 195 MiB; streaming costs a buffer.
  EXPECT_LT(peak - before, 16 * 1024) << "RSS grew from " << before << " to " << peak << " KiB";
}

TEST_F(ProcessTest, TimeoutEndsTheProcess) {
  RunOptions run_options;
  run_options.timeout = 100ms;
  auto c = run_collect(shell("echo started; exec sleep 1000"), run_options);
  EXPECT_EQ(c.result.reason, TerminationReason::timed_out);
  EXPECT_EQ(c.result.signal(), SIGINT);  // sleep dies of the first rung
  EXPECT_EQ(c.output, "started\n");
  EXPECT_EQ(describe(c.result), "killed by SIGINT (timed out)");
}

// A script that reports each signal it receives and ignores it.
constexpr const char* k_stubborn =
    "trap 'echo got INT' INT; trap 'echo got TERM' TERM; echo ready;"
    " while :; do sleep 0.01; done";

TEST_F(ProcessTest, CancelEscalatesFromInterruptToTerminateToKill) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  std::string output;
  RunOptions run_options;
  run_options.timeout = k_safety_net;
  run_options.cancel = &*token;
  run_options.grace = {100ms, 100ms};
  run_options.on_output = [&](std::string_view chunk) {
    output.append(chunk);
    if (output == "ready\n") token->request_cancel();
  };
  auto result = run(shell(k_stubborn), run_options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->reason, TerminationReason::cancelled);
  EXPECT_EQ(result->signal(), SIGKILL);
  EXPECT_EQ(describe(*result), "killed by SIGKILL (cancelled)");
  // In this order (bash may also report "Terminated" for its sleep in between).
  EXPECT_TRUE(output.starts_with("ready\ngot INT\n")) << output;
  EXPECT_GT(output.find("got TERM\n"), output.find("got INT\n")) << output;
  EXPECT_NE(output.find("got TERM\n"), std::string::npos) << output;
}

TEST_F(ProcessTest, SecondCancelKillsAtOnce) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  std::string output;
  RunOptions run_options;
  run_options.timeout = k_safety_net;
  run_options.cancel = &*token;
  // Long grace: only the second request can explain a SIGKILL without "got TERM".
  run_options.grace = {30s, 30s};
  run_options.on_output = [&](std::string_view chunk) {
    output.append(chunk);
    if (output == "ready\n") {
      token->request_cancel();
      token->request_cancel();
    }
  };
  auto result = run(shell(k_stubborn), run_options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->reason, TerminationReason::cancelled);
  EXPECT_EQ(result->signal(), SIGKILL);
  EXPECT_THAT(output, ::testing::Not(HasSubstr("got TERM")));
}

TEST_F(ProcessTest, GracefulCancelLetsACooperativeProcessFinish) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  std::string output;
  RunOptions run_options;
  run_options.timeout = k_safety_net;
  run_options.cancel = &*token;
  run_options.on_output = [&](std::string_view chunk) {
    output.append(chunk);
    if (output == "ready\n") token->request_cancel();
  };
  auto result =
      run(shell("trap 'echo cleaning up; exit 7' INT; echo ready; while :; do sleep 0.01; done"),
          run_options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->reason, TerminationReason::cancelled);
  EXPECT_EQ(result->exit_code(), 7);
  EXPECT_EQ(output, "ready\ncleaning up\n");
}

TEST_F(ProcessTest, OneTokenCancelsManyWaits) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  token->request_cancel();  // before anything starts
  for (int i = 0; i < 3; ++i) {
    RunOptions run_options;
    run_options.timeout = k_safety_net;
    run_options.cancel = &*token;
    auto c = run_collect(shell("exec sleep 1000"), run_options);
    EXPECT_EQ(c.result.reason, TerminationReason::cancelled);
    EXPECT_EQ(c.result.signal(), SIGINT);
  }
}

TEST_F(ProcessTest, DestroyingARunningProcessKillsAndReapsIt) {
  pid_t pid = 0;
  {
    auto process = spawn(shell("exec sleep 1000"));
    ASSERT_TRUE(process);
    pid = process->pid();
    EXPECT_TRUE(std::filesystem::exists("/proc/" + std::to_string(pid)));
  }
  // Reaped, not a zombie: the pid no longer exists (or, if reused, is not our child).
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(ProcessTest, BackgroundChildHoldingThePipeDoesNotBlockTheStep) {
  // `sleep 1000 &` inherits the output pipe; the step still ends when bash exits.
  auto c = run_collect(shell("sleep 1000 & echo $! ; echo done"));
  EXPECT_EQ(c.result.exit_code(), 0);
  ASSERT_THAT(c.output, HasSubstr("done\n"));
  pid_t leftover = std::stoi(c.output);
  // Clean up (subreaper_test covers the real way). Only a subreaper has to reap it.
  EXPECT_EQ(::kill(leftover, SIGKILL), 0);
  auto is_our_child = [&] {
    auto entry = read_proc_entry(leftover);
    return entry && entry->ppid == ::getpid();
  };
  while (is_our_child()) {
    ASSERT_TRUE(reap_orphans());
    ::usleep(1000);
  }
}

}  // namespace
}  // namespace pipewright::os
