#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipewright/workflow/lint/known_actions.h"

#include "lint_fixture.h"

namespace pipewright::workflow::lint {
namespace {

using testing::dump;
using ::testing::ElementsAre;
using testing::findings;
using ::testing::IsEmpty;
using testing::TempRepo;

TEST(KnownActionsTest, MajorVersionOfTagsOnly) {
  EXPECT_EQ(major_version("v4"), 4);
  EXPECT_EQ(major_version("v4.1.2"), 4);
  EXPECT_EQ(major_version("3"), 3);
  EXPECT_EQ(major_version("main"), std::nullopt);
  EXPECT_EQ(major_version("11bd71901bbe5b1630ceea73d27597364c9af683"), std::nullopt);
  EXPECT_EQ(major_version("v4-beta"), std::nullopt);
  EXPECT_EQ(major_version("release/v1"), 1);
}

TEST(KnownActionsTest, RowsByMajorVersion) {
  ASSERT_NE(find_known_action("Actions/Checkout", 4), nullptr);
  EXPECT_EQ(find_known_action("actions/checkout", 1), nullptr);  // not in the table
  ASSERT_NE(find_known_action("actions/upload-artifact", 3), nullptr);
  EXPECT_FALSE(find_known_action("actions/upload-artifact", 3)->retired.empty());
  EXPECT_TRUE(find_known_action("actions/upload-artifact", 4)->retired.empty());
}

TEST(RulesPopularTest, UnknownRequiredAndDeprecatedInputs) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch_depth: 0
      - uses: actions/cache@v4
        with:
          path: ~/.npm
          keys: x
          save-always: true
      - uses: actions/setup-node@v4.1.0
        with:
          version: 20
      - uses: actions/upload-artifact@v4
        with:
          name: dist
)");
  EXPECT_THAT(findings(r, "action-inputs"),
              ElementsAre("8:11: input 'fetch_depth' is not defined by action "
                          "'actions/checkout@v4'",
                          "9:15: input 'key' is required by action 'actions/cache@v4' but not "
                          "given in 'with'",
                          "12:11: input 'keys' is not defined by action 'actions/cache@v4'",
                          "13:11: input 'save-always' of action 'actions/cache@v4' is deprecated",
                          "16:11: input 'version' is not defined by action "
                          "'actions/setup-node@v4.1.0'",
                          "17:15: input 'path' is required by action "
                          "'actions/upload-artifact@v4' but not given in 'with'"))
      << dump(r);
  EXPECT_EQ(r.diagnostics[0].hint, "did you mean 'fetch-depth'?");
  EXPECT_EQ(r.diagnostics[4].hint, "use 'node-version'");
  EXPECT_EQ(r.diagnostics[3].severity, util::Severity::warning);
}

TEST(RulesPopularTest, InputsAreCaseInsensitiveAndUnknownVersionsAreNotChecked) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@main
        with: {anything: 1}
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with: {anything: 1}
      - uses: actions/cache@v4
        with: {PATH: a, Key: b, enableCrossOsArchive: true}
      - uses: actions/cache@v4
        with: ${{ fromJSON(vars.CACHE) }}
      - uses: actions/setup-python@v5
        with: {python-version: '3.12', cache: pip, allow-prereleases: true}
      - uses: someone/checkout@v4
        with: {anything: 1}
)");
  EXPECT_THAT(findings(r, "action-inputs"), IsEmpty()) << dump(r);
}

TEST(RulesPopularTest, RetiredVersions) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/upload-artifact@v3
        with: {path: x}
      - uses: actions/cache@v2
        with: {path: x, key: y}
      - uses: actions/download-artifact@v4
)");
  EXPECT_THAT(findings(r, "action-version"),
              ElementsAre("6:15: 'actions/upload-artifact@v3' no longer runs on GitHub",
                          "8:15: 'actions/cache@v2' no longer runs on GitHub"))
      << dump(r);
  EXPECT_THAT(findings(r, "action-inputs"), IsEmpty()) << dump(r);
}

TEST(RulesPopularTest, DockerOnlyInputs) {
  TempRepo repo;
  repo.write("js/action.yml", "name: js\ndescription: d\nruns:\n  using: node20\n  main: i.js\n");
  repo.write("comp/action.yml",
             "name: c\ndescription: d\ninputs:\n  args: {description: own input}\n"
             "runs:\n  using: composite\n  steps: [{run: x, shell: bash}]\n");
  repo.write("dock/action.yml",
             "name: d\ndescription: d\nruns:\n  using: docker\n  image: Dockerfile\n");
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {args: --depth 1}
      - uses: ./js
        with: {entrypoint: /bin/sh}
      - uses: ./comp
        with: {args: fine}
      - uses: ./dock
        with: {args: fine, entrypoint: /bin/sh}
      - uses: docker://alpine:3.20
        with: {args: echo hi}
      - uses: other/action@v1
        with: {args: unknown}
)");
  EXPECT_THAT(
      findings(r, "docker-inputs"),
      ElementsAre("7:16: 'args' is only passed to Docker container actions; "
                  "'actions/checkout@v4' is not a Docker container action, so it is ignored",
                  "9:16: 'entrypoint' is only passed to Docker container actions; './js' "
                  "is a JavaScript action (runs.using: node20), so it is ignored"))
      << dump(r);
}

TEST(RulesPopularTest, RenamedInputsOfPypiPublishOnItsReleaseBranch) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          packages_dir: dist/
          repository-url: https://test.pypi.org/legacy/
)");
  EXPECT_THAT(findings(r, "action-inputs"),
              ElementsAre("8:11: input 'packages_dir' of action "
                          "'pypa/gh-action-pypi-publish@release/v1' is deprecated"))
      << dump(r);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.diagnostics[0].hint, "renamed; use 'packages-dir'");
}

}  // namespace
}  // namespace pipewright::workflow::lint
