// CancelToken levels and the signal handlers that drive it, including a real SIGINT
// arriving while run_process() waits (signals blocked except inside ppoll).
#include "pipewright/os/signals.h"

#include <csignal>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include "pipewright/os/process.h"

namespace pipewright::os {
namespace {

using namespace std::chrono_literals;

bool readable(int fd) {
  pollfd pfd{fd, POLLIN, 0};
  return ::poll(&pfd, 1, 0) == 1;
}

sighandler_t current_handler(int signal) {
  struct sigaction action {};
  ::sigaction(signal, nullptr, &action);
  return action.sa_handler;
}

TEST(CancelTokenTest, LevelsRiseOneRequestAtATime) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  EXPECT_EQ(token->level(), CancelLevel::none);
  EXPECT_FALSE(readable(token->fd_for(CancelLevel::graceful)));
  token->request_cancel();
  EXPECT_EQ(token->level(), CancelLevel::graceful);
  EXPECT_TRUE(readable(token->fd_for(CancelLevel::graceful)));
  EXPECT_FALSE(readable(token->fd_for(CancelLevel::immediate)));
  token->request_cancel();
  token->request_cancel();
  EXPECT_EQ(token->level(), CancelLevel::immediate);
  EXPECT_TRUE(readable(token->fd_for(CancelLevel::immediate)));
  // Observing does not consume: still readable for the next wait.
  EXPECT_TRUE(readable(token->fd_for(CancelLevel::graceful)));
}

TEST(CancelTokenTest, KillRequestSkipsToImmediate) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  token->request_kill();
  EXPECT_EQ(token->level(), CancelLevel::immediate);
  EXPECT_TRUE(readable(token->fd_for(CancelLevel::graceful)));
  EXPECT_TRUE(readable(token->fd_for(CancelLevel::immediate)));
}

TEST(CancelTokenTest, ConcurrentRequestsFromManyThreads) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j)
        token->request_cancel();
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(token->level(), CancelLevel::immediate);
}

TEST(SignalsTest, HandlersCancelIgnoreSigpipeAndRestoreOnDestruction) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  ::signal(SIGCHLD, SIG_IGN);  // as if the engine had been started that way
  sighandler_t before_int = current_handler(SIGINT);
  sighandler_t before_pipe = current_handler(SIGPIPE);
  {
    auto handlers = CancelSignalHandlers::install(*token);
    ASSERT_TRUE(handlers) << handlers.error().message;
    EXPECT_EQ(current_handler(SIGPIPE), SIG_IGN);
    EXPECT_EQ(current_handler(SIGCHLD), SIG_DFL);
    EXPECT_FALSE(CancelSignalHandlers::install(*token));  // one at a time

    ::raise(SIGINT);
    EXPECT_EQ(token->level(), CancelLevel::graceful);
    ::raise(SIGTERM);
    EXPECT_EQ(token->level(), CancelLevel::immediate);
  }
  EXPECT_EQ(current_handler(SIGINT), before_int);
  EXPECT_EQ(current_handler(SIGPIPE), before_pipe);
  // Installable again once the previous instance is gone.
  auto again = CancelSignalHandlers::install(*token);
  EXPECT_TRUE(again);
}

TEST(SignalsTest, CtrlCWhileWaitingCancelsTheStepAndASecondOneKillsIt) {
  auto token = CancelToken::create();
  ASSERT_TRUE(token);
  auto handlers = CancelSignalHandlers::install(*token);
  ASSERT_TRUE(handlers) << handlers.error().message;

  SpawnOptions options;
  options.argv = {"bash", "-c",
                  "trap 'echo got INT' INT; trap 'echo got TERM' TERM; echo ready;"
                  " while :; do sleep 0.01; done"};
  options.env = {"PATH=/usr/bin:/bin"};
  std::string output;
  RunOptions run_options;
  run_options.timeout = 60s;  // safety net
  run_options.cancel = &*token;
  run_options.grace = {30s, 30s};  // only the second Ctrl-C can end it quickly
  run_options.on_output = [&](std::string_view chunk) {
    output.append(chunk);
    // Signals to ourselves, as a terminal's Ctrl-C would. SIGINT is blocked while
    // run_process runs our callback and is delivered inside its ppoll.
    if (output == "ready\n" || output == "ready\ngot INT\n") ::kill(::getpid(), SIGINT);
  };
  auto result = run(options, run_options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(token->level(), CancelLevel::immediate);
  EXPECT_EQ(result->reason, TerminationReason::cancelled);
  EXPECT_EQ(result->signal(), SIGKILL);
  EXPECT_TRUE(output.starts_with("ready\ngot INT\n")) << output;
  EXPECT_EQ(output.find("got TERM"), std::string::npos) << output;
}

}  // namespace
}  // namespace pipewright::os
