// ConcurrencyGroups (exec/concurrency.h): GitHub's rules for a `concurrency:` group —
// one running and one pending, newer pending replaces older, cancel-in-progress,
// queue: max up to 100 in order, names ignoring case — and the evaluation of the key.
#include "pipewright/exec/concurrency.h"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::exec {
namespace {

ConcurrencyRequest request(std::string group, std::string holder, bool cancel = false,
                           QueueMode queue = QueueMode::single) {
  return ConcurrencyRequest{std::move(group), cancel, queue, std::move(holder)};
}

TEST(ConcurrencyGroups, TheSecondWaitsNamingTheHolderAndRunsWhenItLeaves) {
  ConcurrencyGroups groups;
  ConcurrencyTicket first = groups.enter(request("deploy", "run 1 (CI)"));
  ConcurrencyTicket second = groups.enter(request("deploy", "run 2 (CI)"));
  EXPECT_EQ(first.status().state, TicketState::running);
  TicketStatus waiting = second.status();
  EXPECT_EQ(waiting.state, TicketState::pending);
  EXPECT_EQ(waiting.reason, "waiting for concurrency group 'deploy', held by run 1 (CI)");
  EXPECT_EQ(waiting.position, 1u);
  first.release();
  EXPECT_EQ(second.status().state, TicketState::running);
  EXPECT_FALSE(second.status().cancel_requested);
}

TEST(ConcurrencyGroups, GroupNamesIgnoreCase) {
  ConcurrencyGroups groups;
  ConcurrencyTicket a = groups.enter(request("Prod-Deploy", "a"));
  ConcurrencyTicket b = groups.enter(request("prod-deploy", "b"));
  ConcurrencyTicket c = groups.enter(request("prod-deploy-2", "c"));
  EXPECT_EQ(b.status().state, TicketState::pending);
  EXPECT_EQ(c.status().state, TicketState::running);  // another group
  EXPECT_EQ(groups.pending("PROD-DEPLOY"), 1u);
  // Non-ASCII letters fold too (expr's casefold).
  ConcurrencyTicket d = groups.enter(request("ÉTAPE", "d"));
  ConcurrencyTicket e = groups.enter(request("étape", "e"));
  EXPECT_EQ(e.status().state, TicketState::pending);
}

TEST(ConcurrencyGroups, ANewerPendingRequestCancelsAndReplacesTheOlder) {
  ConcurrencyGroups groups;
  ConcurrencyTicket running = groups.enter(request("g", "a"));
  ConcurrencyTicket older = groups.enter(request("g", "b"));
  ConcurrencyTicket newer = groups.enter(request("G", "c"));
  TicketStatus replaced = older.status();
  EXPECT_EQ(replaced.state, TicketState::cancelled);
  EXPECT_EQ(replaced.reason, "Canceling since a higher priority waiting request for 'g' exists");
  EXPECT_EQ(newer.status().state, TicketState::pending);
  EXPECT_EQ(running.status().state, TicketState::running);
  EXPECT_FALSE(running.status().cancel_requested);  // not without cancel-in-progress
  running.release();
  EXPECT_EQ(newer.status().state, TicketState::running);
  EXPECT_EQ(older.status().state, TicketState::cancelled);  // never runs afterwards
}

TEST(ConcurrencyGroups, CancelInProgressAsksTheRunningOneToCancel) {
  ConcurrencyGroups groups;
  ConcurrencyTicket running = groups.enter(request("deploy", "a"));
  ConcurrencyTicket newer = groups.enter(request("DEPLOY", "b", /*cancel=*/true));
  TicketStatus asked = running.status();
  EXPECT_EQ(asked.state, TicketState::running);  // until it has ended
  EXPECT_TRUE(asked.cancel_requested);
  EXPECT_EQ(asked.reason, "Canceling since a higher priority waiting request for 'deploy' exists");
  EXPECT_EQ(newer.status().state, TicketState::pending);
  running.release();
  EXPECT_EQ(newer.status().state, TicketState::running);
  EXPECT_FALSE(newer.status().cancel_requested);
}

TEST(ConcurrencyGroups, QueueMaxKeepsAHundredPendingInOrderAndCancelsMore) {
  ConcurrencyGroups groups;
  ConcurrencyTicket running = groups.enter(request("q", "run 0"));
  std::vector<ConcurrencyTicket> queued;
  for (int i = 1; i <= 100; ++i)
    queued.push_back(groups.enter(request("q", "run " + std::to_string(i), false, QueueMode::max)));
  EXPECT_EQ(groups.pending("q"), 100u);
  TicketStatus third = queued[2].status();
  EXPECT_EQ(third.position, 3u);
  EXPECT_EQ(third.reason,
            "waiting for concurrency group 'q', held by run 0 (position 3 of 100 in its queue)");
  ConcurrencyTicket extra = groups.enter(request("q", "run 101", false, QueueMode::max));
  EXPECT_EQ(extra.status().state, TicketState::cancelled);
  EXPECT_EQ(extra.status().reason,
            "Canceling since the concurrency group 'q' already has 100 pending requests "
            "(queue: max)");
  // Leaving passes the group on in arrival order.
  running.release();
  for (size_t i = 0; i < queued.size(); ++i) {
    ASSERT_EQ(queued[i].status().state, TicketState::running) << i;
    if (i + 1 < queued.size()) {
      EXPECT_EQ(queued[i + 1].status().position, 1u);
      EXPECT_NE(queued[i + 1].status().reason.find("held by run " + std::to_string(i + 1)),
                std::string::npos);
    }
    queued[i].release();
  }
  EXPECT_EQ(groups.pending("q"), 0u);
}

TEST(ConcurrencyGroups, APendingRequestThatLeavesFreesItsPlace) {
  ConcurrencyGroups groups;
  ConcurrencyTicket running = groups.enter(request("g", "a"));
  {
    ConcurrencyTicket pending = groups.enter(request("g", "b", false, QueueMode::max));
    EXPECT_EQ(groups.pending("g"), 1u);
  }  // Ctrl-C while waiting: the ticket is destroyed
  EXPECT_EQ(groups.pending("g"), 0u);
  running.release();
  ConcurrencyTicket next = groups.enter(request("g", "c"));
  EXPECT_EQ(next.status().state, TicketState::running);
  EXPECT_EQ(ConcurrencyTicket().status().state, TicketState::running);  // no group
}

TEST(ConcurrencyGroups, WaitReportsWhyThenReturnsWhenTheHolderLeaves) {
  ConcurrencyGroups groups;
  ConcurrencyTicket holder = groups.enter(request("g", "run 7 (Deploy)"));
  ConcurrencyTicket waiter = groups.enter(request("g", "run 8 (Deploy)"));
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> reasons;
  TicketStatus final;
  std::thread thread([&] {
    final = waiter.wait(nullptr, [&](const TicketStatus& s) {
      std::lock_guard lock(mutex);
      reasons.push_back(s.reason);
      cv.notify_all();
    });
  });
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return !reasons.empty(); });  // it waits, and said why
  }
  holder.release();
  thread.join();
  EXPECT_EQ(final.state, TicketState::running);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "waiting for concurrency group 'g', held by run 7 (Deploy)");
}

TEST(ConcurrencyGroups, WaitGivesUpWhenAskedTo) {
  ConcurrencyGroups groups;
  ConcurrencyTicket holder = groups.enter(request("g", "a"));
  ConcurrencyTicket waiter = groups.enter(request("g", "b"));
  TicketStatus status = waiter.wait([] { return true; }, nullptr);
  EXPECT_EQ(status.state, TicketState::pending);
}

workflow::Workflow load(std::string_view text) {
  auto loaded = workflow::load_workflow_text(text, "ci.yml");
  EXPECT_TRUE(loaded.ok());
  return std::move(*loaded.workflow);
}

TEST(EvaluateConcurrency, EvaluatesTheGroupAndCancelInProgress) {
  workflow::Workflow wf = load(R"(on: push
concurrency:
  group: deploy-${{ github.ref }}
  cancel-in-progress: ${{ github.ref != 'refs/heads/main' }}
jobs:
  a: {runs-on: x, steps: [{run: echo}]}
)");
  expr::EvalContext ctx;
  expr::Object github;
  github.set("ref", expr::Value("refs/heads/feature"));
  ctx.set("github", expr::Value(github));
  auto request = evaluate_concurrency(wf.concurrency, ctx, "run 3 (CI)");
  ASSERT_TRUE(request.has_value());
  ASSERT_TRUE(request->has_value());
  EXPECT_EQ((*request)->group, "deploy-refs/heads/feature");
  EXPECT_TRUE((*request)->cancel_in_progress);
  EXPECT_EQ((*request)->queue, QueueMode::single);
  EXPECT_EQ((*request)->holder, "run 3 (CI)");

  workflow::Workflow plain = load(
      "on: push\nconcurrency: ci\njobs:\n  a: {runs-on: x, steps: "
      "[{run: echo}]}\n");
  auto simple = evaluate_concurrency(plain.concurrency, ctx, "r");
  ASSERT_TRUE(simple.has_value() && simple->has_value());
  EXPECT_EQ((*simple)->group, "ci");
  EXPECT_FALSE((*simple)->cancel_in_progress);
}

TEST(EvaluateConcurrency, NoGroupAndErrors) {
  expr::EvalContext ctx;
  ctx.set("inputs", expr::Value(expr::Object{}));
  workflow::Workflow none = load("on: push\njobs:\n  a: {runs-on: x, steps: [{run: echo}]}\n");
  auto absent = evaluate_concurrency(none.concurrency, ctx, "r");
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->has_value());
  // An expression that gives '' means no group.
  workflow::Workflow empty = load(
      "on: push\nconcurrency: ${{ inputs.group }}\njobs:\n  a: {runs-on: x, steps: [{run: "
      "echo}]}\n");
  auto nothing = evaluate_concurrency(empty.concurrency, ctx, "r");
  ASSERT_TRUE(nothing.has_value());
  EXPECT_FALSE(nothing->has_value());
  // queue: max with a cancel-in-progress expression that turns out true: refused, at it.
  workflow::Workflow both = load(R"(on: push
concurrency:
  group: g
  queue: max
  cancel-in-progress: ${{ !inputs.keep }}
jobs:
  a: {runs-on: x, steps: [{run: echo}]}
)");
  auto refused = evaluate_concurrency(both.concurrency, ctx, "r");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message,
            "concurrency: 'queue: max' cannot be combined with cancel-in-progress");
  EXPECT_EQ(refused.error().location.line, 5);
}

}  // namespace
}  // namespace pipewright::exec
