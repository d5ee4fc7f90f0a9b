// The `github` and `runner` contexts of a run, and the GITHUB_* / RUNNER_* environment
// variables GitHub sets from them (CI=true, GITHUB_ACTIONS=true; `ACT` is never set).
// The run-wide github context is built once; exec specializes it per job and per step
// with `with_overrides` (job, action, workspace, file-command paths).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/expr/value.h"
#include "pipewright/plan/event.h"
#include "pipewright/plan/repository.h"

namespace pipewright::plan {

// Run-level facts that do not come from git or the event.
struct RunInfo {
  std::string workflow;       // workflow name (or its file path when unnamed)
  std::string workflow_file;  // repository-relative, e.g. .github/workflows/ci.yml
  std::int64_t run_id = 1;
  std::int64_t run_number = 1;  // per workflow, from the local history
  int run_attempt = 1;
  std::string workspace;         // the run's default workspace (the repository root)
  std::string token;             // the GITHUB_TOKEN secret, "" when not given
  std::string triggering_actor;  // "" = the repository's actor
};

struct RunnerInfo {
  std::string name;  // host name
  std::string os = "Linux";
  std::string arch;  // X64, ARM64, ARM, X86
  std::string temp;
  std::string tool_cache;
  bool debug = false;
  std::string environment = "self-hosted";
};

// This host: name from uname, arch mapped to GitHub's names; temp is `temp_root` (else
// $RUNNER_TEMP, else the system temp dir); tool_cache is $RUNNER_TOOL_CACHE, else
// <temp>/tool-cache.
RunnerInfo detect_runner(const std::string& temp_root, bool debug);
// GitHub's arch name for a uname machine string ("x86_64" → "X64", "aarch64" → "ARM64").
std::string runner_arch(std::string_view machine);

// The run-wide `github` context: every field of issue 3 §2. `job`, `action` and the
// file-command paths are "" until with_overrides sets them.
expr::Value github_context(const RepositoryInfo& repository, const Event& event,
                           const RunInfo& run);
// The `runner` context.
expr::Value runner_context(const RunnerInfo& runner);

// Fields to replace in a github context; unset ones are kept.
struct GithubOverrides {
  std::optional<std::string> job, action, action_path, action_repository, workspace, event_path,
      env, path, output, state, step_summary, token;
};
// A copy of `github` with `overrides` applied.
expr::Value with_overrides(const expr::Value& github, const GithubOverrides& overrides);

// The default environment of a step: CI, GITHUB_ACTIONS and every GITHUB_* / RUNNER_*
// variable GitHub sets, from the (job/step-specialized) github and runner contexts.
// RUNNER_DEBUG only when debug. Order is stable (sorted by name).
std::vector<std::pair<std::string, std::string>> default_environment(const expr::Value& github,
                                                                     const expr::Value& runner);

}  // namespace pipewright::plan
