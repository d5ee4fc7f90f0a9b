// The table of lint rules: one row per rule id, in the order they run. Rows without a
// function name ids that the loader (or a neighbouring rule's function) reports.
#include "pipewright/workflow/lint/lint.h"
#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

const Rule k_rules[] = {
    // Reported by the loader (workflow/loader.h).
    {"syntax", "the file is valid YAML and a valid workflow structure", nullptr},
    {"limits", "file size, nesting depth and alias expansion stay within limits", nullptr},
    {"duplicate-key", "no key appears twice in one mapping", nullptr},
    {"unknown-key", "every key is one GitHub knows at that place", nullptr},
    {"type", "every value has the type GitHub expects", nullptr},
    {"required", "keys GitHub requires are present", nullptr},
    {"invalid-value",
     "values are among those GitHub allows (job ids, permission scopes and levels, ...)", nullptr},
    {"expression", "every ${{ }} expression parses (functions, argument counts)", nullptr},
    // Ours.
    {"id", "job and step ids are well-formed and unique, ignoring case", check_ids},
    {"needs", "needs names existing jobs and has no cycles", check_needs},
    {"expression-context", "expressions use only the contexts available at their key",
     check_expressions},
    {"expression-function", "status functions and hashFiles() only where GitHub allows them",
     nullptr},
    {"expression-reference",
     "steps, needs, matrix, inputs, jobs and fixed-shape context properties exist", nullptr},
    {"script-injection", "untrusted event data is not interpolated into run: or github-script",
     nullptr},
    {"runs-on", "runner labels are known GitHub-hosted labels or self-hosted", check_runs_on},
    {"runner-retired",
     "runs-on (and the matrix values it expands) names no runner image GitHub has retired",
     check_retired_runners},
    {"shell", "shell is a built-in shell or a custom command with {0}", check_shells},
    {"environment", "environment names and URLs are well-formed", check_environment},
    {"matrix", "matrix vectors are non-empty, unique, excludes match, at most 256 jobs",
     check_matrix},
    {"cron", "schedule cron expressions are valid POSIX cron as GitHub accepts it", check_events},
    {"cron-interval", "schedules fire at most once every 5 minutes, as GitHub runs them",
     check_cron_intervals},
    {"glob", "branch, tag and path filter patterns are valid", nullptr},
    {"filters", "a filter is not combined with its -ignore form for one event", nullptr},
    {"uses", "uses is owner/repo@ref, owner/repo/path@ref, ./path or docker://image", check_uses},
    {"local-action", "local actions exist", check_local_actions},
    {"action-inputs",
     "required inputs of local and popular actions (checkout, setup-*, cache, artifacts) are "
     "given; unknown and deprecated inputs are flagged",
     check_known_actions},
    {"action-version", "popular actions are not used at a major version GitHub switched off",
     nullptr},
    {"docker-inputs", "entrypoint and args are given only to Docker container actions",
     check_docker_inputs},
    {"image", "container and service images and docker:// steps name an image and a tag",
     check_images},
    {"env-name", "environment variable names hold no ${{ }}, '=' or whitespace", check_env_names},
    {"matrix-key", "matrix keys (and include/exclude keys) hold no ${{ }}", check_matrix_keys},
    {"deprecated-command",
     "run: scripts use environment files, not set-output/save-state/set-env/add-path",
     check_deprecated_commands},
    {"if-condition",
     "if: is not constant and not a string that is always true (text around ${{ }})",
     check_conditions},
    {"comparison",
     "comparisons are not between types that make them constant (object vs string, ordering "
     "of booleans, null or objects)",
     check_comparisons},
    {"reusable-workflow", "called workflows exist and get the inputs and secrets they declare",
     check_reusable_calls},
    {"untrusted-checkout", "pull_request_target/workflow_run workflows do not check out PR code",
     check_pr_checkout},
    {"unpinned-action", "secrets go only to third-party actions pinned to a commit SHA",
     check_unpinned_secrets},
};

std::vector<RuleDescription> make_descriptions() {
  std::vector<RuleDescription> out;
  for (const Rule& r : k_rules)
    out.push_back({r.id, r.description});
  return out;
}

}  // namespace

std::span<const Rule> rules() {
  return k_rules;
}

std::span<const RuleDescription> rule_descriptions() {
  static const std::vector<RuleDescription> descriptions = make_descriptions();
  return descriptions;
}

}  // namespace pipewright::workflow::lint
