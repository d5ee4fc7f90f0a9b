// Rules GitHub's converter applies after the schema: at least one job, an image for every
// container and service (unless built by an expression), runs-on group prefixes.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipewright/workflow/loader.h"

namespace pipewright::workflow {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> findings(std::string_view text) {
  std::vector<std::string> out;
  for (const util::Diagnostic& d : load_workflow_text(text, "w.yml").diagnostics)
    out.push_back(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " +
                  d.message + " [" + d.rule + "]");
  return out;
}

// A one-job workflow with `extra` (job keys, indented by four) added to the job.
std::string job_with(std::string_view extra) {
  return "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n" + std::string(extra);
}

TEST(JobRules, AWorkflowNeedsAJob) {
  EXPECT_THAT(findings("on: push\njobs: {}\n"),
              ElementsAre("2:1: the workflow must contain at least one job [required]"));
  // `jobs:` with nothing is not a mapping at all: the schema says so.
  EXPECT_THAT(findings("on: push\njobs:\n"),
              ElementsAre("2:1: jobs: expected a mapping, got null [type]"));
}

TEST(JobRules, AContainerNeedsAnImage) {
  EXPECT_THAT(findings(job_with("    container:\n      options: --cpus 1\n")),
              ElementsAre("6:5: container: missing required key 'image' [required]"));
  EXPECT_THAT(findings(job_with("    services:\n      db:\n        ports: ['5432']\n")),
              ElementsAre("7:7: services.db: missing required key 'image' [required]"));
  EXPECT_THAT(findings(job_with("    container:\n      image: node:20\n")), IsEmpty());
  EXPECT_THAT(findings(job_with("    container: node:20\n")), IsEmpty());
  // GitHub skips the check when an expression may supply the image.
  EXPECT_THAT(findings(job_with("    container:\n      env: {A: '${{ github.sha }}'}\n")),
              IsEmpty());
}

TEST(JobRules, RunsOnGroupPrefixes) {
  auto group = [](std::string_view name) {
    return "on: push\njobs:\n  a:\n    runs-on:\n      group: " + std::string(name) +
           "\n    steps: [{run: echo}]\n";
  };
  for (std::string_view ok : {"my-group", "org/my-group", "organization/g", "ent/g", "enterprise/g",
                              "${{ inputs.group }}"})
    EXPECT_THAT(findings(group(ok)), IsEmpty()) << ok;
  EXPECT_THAT(findings(group("team/my-group")),
              ElementsAre("5:14: invalid runs-on group name 'team/my-group': use the "
                          "'organization/' or 'enterprise/' prefix to target a single runner "
                          "group [invalid-value]"));
  EXPECT_THAT(findings(group("org/a/b")),
              ElementsAre(::testing::HasSubstr("invalid runs-on group name 'org/a/b'")));
  EXPECT_THAT(findings(group("org/")),
              ElementsAre("5:14: invalid runs-on group name 'org/': the name is empty "
                          "[invalid-value]"));
}

TEST(JobRules, QueueMaxRefusesCancelInProgress) {
  const std::string k_error =
      "concurrency: 'queue: max' cannot be combined with 'cancel-in-progress: true' "
      "[invalid-value]";
  // Workflow level, then job level: the location is the cancel-in-progress value.
  EXPECT_THAT(findings("on: push\nconcurrency:\n  group: g\n  queue: max\n"
                       "  cancel-in-progress: true\njobs:\n  a:\n    runs-on: x\n"
                       "    steps: [{run: echo}]\n"),
              ElementsAre("5:23: " + k_error));
  EXPECT_THAT(findings(job_with("    concurrency:\n      group: g\n      queue: max\n"
                                "      cancel-in-progress: true\n")),
              ElementsAre("9:27: " + k_error));
  // Either one alone, or false, is fine; an expression is checked at run time.
  for (std::string_view ok : {"      queue: max\n", "      cancel-in-progress: true\n",
                              "      queue: max\n      cancel-in-progress: false\n",
                              "      queue: single\n      cancel-in-progress: true\n",
                              "      queue: max\n      cancel-in-progress: ${{ inputs.c }}\n"})
    EXPECT_THAT(findings(job_with("    concurrency:\n      group: g\n" + std::string(ok))),
                IsEmpty())
        << ok;
}

}  // namespace
}  // namespace pipewright::workflow
