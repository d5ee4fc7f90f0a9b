#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lint_fixture.h"

namespace pipewright::workflow::lint {
namespace {

using testing::dump;
using ::testing::ElementsAre;
using testing::findings;
using ::testing::IsEmpty;
using testing::TempRepo;

TEST(RulesKeysTest, ContainerAndServiceImages) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    container:
      image: 'node:'
    services:
      pg:
        image: ' '
      redis:
        image: redis@
      local:
        image: localhost:5000/team/app:1.2
      mc:
        image: ':11'
      digest:
        image: ghcr.io/o/app@sha256:0123abcd
    steps:
      - uses: 'docker://alpine:'
      - uses: docker://alpine:3.20
  b:
    runs-on: ubuntu-latest
    container: ''
    steps: [{run: x}]
  c:
    runs-on: ubuntu-latest
    container: ${{ matrix.image }}
    strategy: {matrix: {image: ['python:3.12', '']}}
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "image"),
              ElementsAre("6:14: container image 'node:' has an empty tag",
                          "9:16: image of service 'pg' is empty",
                          "11:16: image of service 'redis' 'redis@' has an empty digest after '@'",
                          "15:16: image of service 'mc' ':11' has an empty image name",
                          "19:15: image 'docker://alpine:' has an empty tag"))
      << dump(r);
}

TEST(RulesKeysTest, EnvironmentVariableNames) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
env:
  ${{ vars.NAME }}: x
  GOOD_NAME: ${{ vars.VALUE }}
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      A=B: x
    services:
      pg:
        image: postgres:16
        env:
          POSTGRES PASSWORD: x
    steps:
      - run: x
        env:
          PREFIX_${{ matrix.os }}: x
          lower_and-dash.ok: y
)");
  EXPECT_THAT(
      findings(r, "env-name"),
      ElementsAre("3:3: environment variable name '${{ vars.NAME }}' contains '${{ }}', which "
                  "GitHub does not expand in names",
                  "9:7: environment variable name 'A=B' contains '='",
                  "14:11: environment variable name 'POSTGRES PASSWORD' contains whitespace",
                  "18:11: environment variable name 'PREFIX_${{ matrix.os }}' contains '${{ }}', "
                  "which GitHub does not expand in names"))
      << dump(r);
}

TEST(RulesKeysTest, MatrixKeys) {
  TempRepo repo;
  auto r = repo.lint(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        ${{ vars.KEY }}: [1, 2]
        os: [ubuntu-latest]
        include:
          - os: ubuntu-latest
            ${{ github.ref }}: x
            extra: ${{ github.ref }}
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "matrix-key"),
              ElementsAre("7:9: matrix key '${{ vars.KEY }}' contains '${{ }}', which GitHub "
                          "does not expand in keys",
                          "11:13: matrix key '${{ github.ref }}' contains '${{ }}', which GitHub "
                          "does not expand in keys"))
      << dump(r);
}

TEST(RulesKeysTest, EmptyImageVersionFilters) {
  TempRepo repo;
  auto r = repo.lint(R"(on:
  image_version:
    names: []
    versions: ["1.*"]
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: x}]
)");
  EXPECT_THAT(findings(r, "image"),
              ElementsAre("3:12: 'names' of event 'image_version' is empty, so the workflow "
                          "never runs"))
      << dump(r);
}

}  // namespace
}  // namespace pipewright::workflow::lint
