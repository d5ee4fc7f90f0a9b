#include "pipewright/os/cpu_step_aside.h"

#include <gtest/gtest.h>

namespace pipewright::os {
namespace {

cpu_set_t allowed_now() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(::sched_getaffinity(0, sizeof set, &set), 0);
  return set;
}

TEST(CpuStepAsideTest, LeavesTheCurrentCpuForTheOthersAndComesBack) {
  const cpu_set_t before = allowed_now();
  if (CPU_COUNT(&before) < 2) GTEST_SKIP() << "needs two CPUs to step aside";
  {
    int here = ::sched_getcpu();
    CpuStepAside aside;
    cpu_set_t during = allowed_now();
    EXPECT_FALSE(CPU_ISSET(here, &during));
    EXPECT_EQ(CPU_COUNT(&during), CPU_COUNT(&before) - 1);
    EXPECT_NE(::sched_getcpu(), here);
  }
  const cpu_set_t after = allowed_now();
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
}

TEST(CpuStepAsideTest, StaysPutWhenItsCpuIsTheOnlyOneAllowed) {
  const cpu_set_t before = allowed_now();
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(::sched_getcpu(), &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
  {
    CpuStepAside aside;
    cpu_set_t during = allowed_now();
    EXPECT_TRUE(CPU_EQUAL(&during, &one));
  }
  ASSERT_EQ(::sched_setaffinity(0, sizeof before, &before), 0);
}

}  // namespace
}  // namespace pipewright::os
