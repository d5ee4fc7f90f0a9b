#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lint_fixture.h"

namespace pipewright::workflow::lint {
namespace {

using testing::dump;
using ::testing::ElementsAre;
using testing::findings;
using testing::TempRepo;

TEST(RulesCommandsTest, DeprecatedAndDisabledCommands) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: v
        run: |
          echo "::set-output name=version::1.2"
          echo "::save-state name=pid::12"
          echo "::debug::fine"
          echo "version=1.2" >> "$GITHUB_OUTPUT"
          # echo "::set-env name=OLD::way" (commented out: prints nothing)
      - run: echo "::set-env name=A::b" && echo "::add-path::/opt/bin"
      - run: echo "::set-env name=A::b"
        env:
          ACTIONS_ALLOW_UNSECURE_COMMANDS: true
      - run: echo "a::set-outputs b" "::set-output-x"
)");
  EXPECT_THAT(findings(r, "deprecated-command"),
              ElementsAre("8:17: workflow command 'set-output' is deprecated",
                          "9:17: workflow command 'save-state' is deprecated",
                          "13:20: workflow command 'set-env' is disabled; GitHub fails the step",
                          "13:50: workflow command 'add-path' is disabled; GitHub fails the step",
                          "14:20: workflow command 'set-env' is disabled; GitHub fails the step"))
      << dump(r);
  ASSERT_EQ(r.diagnostics.size(), 5u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].severity, util::Severity::warning);
  EXPECT_EQ(r.diagnostics[0].hint,
            R"(write to the environment file instead: echo "{name}={value}" >> "$GITHUB_OUTPUT")");
  EXPECT_EQ(r.diagnostics[2].severity, util::Severity::error);
  // Allowed explicitly: still reported, as a warning.
  EXPECT_EQ(r.diagnostics[4].severity, util::Severity::warning);
}

}  // namespace
}  // namespace pipewright::workflow::lint
