// GitHub's output limits (exec/output_limits.h): sizes as UTF-16, the run's budget.
#include "pipewright/exec/output_limits.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace pipewright::exec {
namespace {

TEST(OutputLimits, SizesAreCountedAsUtf16) {
  EXPECT_EQ(output_size(""), 0u);
  EXPECT_EQ(output_size("abc"), 6u);
  EXPECT_EQ(output_size("\xC3\xA9"), 2u);          // é: one unit
  EXPECT_EQ(output_size("\xE2\x82\xAC"), 2u);      // €: one unit
  EXPECT_EQ(output_size("\xF0\x9F\x98\x80"), 4u);  // an emoji: a surrogate pair
}

TEST(OutputLimits, MessagesUseGitHubsTextAndNumbers) {
  EXPECT_EQ(format_byte_count(0), "0");
  EXPECT_EQ(format_byte_count(999), "999");
  EXPECT_EQ(format_byte_count(1000), "1,000");
  EXPECT_EQ(format_byte_count(52428800), "52,428,800");
  EXPECT_EQ(job_outputs_too_large_message(), "Job outputs exceed 1,048,576 bytes");
  EXPECT_EQ(run_outputs_too_large_message(), "Workflow run outputs exceed 52,428,800 bytes");
}

TEST(OutputLimits, BudgetRefusesWhatDoesNotFitAndTakesNothingThen) {
  OutputBudget budget(100);
  EXPECT_TRUE(budget.take(60));
  EXPECT_FALSE(budget.take(41));
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_TRUE(budget.take(40));
  EXPECT_FALSE(budget.take(1));
  EXPECT_FALSE(OutputBudget(10).take(UINT64_MAX));  // no overflow
}

TEST(OutputLimits, BudgetIsSharedSafelyByJobs) {
  OutputBudget budget(1000);
  std::vector<std::thread> threads;
  std::atomic<int> taken{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (budget.take(7)) ++taken;
    });
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(taken.load(), 142);  // 1000 / 7
  EXPECT_EQ(budget.used(), 994u);
}

}  // namespace
}  // namespace pipewright::exec
