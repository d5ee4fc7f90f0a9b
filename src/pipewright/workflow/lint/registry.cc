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
    {"shell", "shell is a built-in shell or a custom command with {0}", check_shells},
    {"environment", "environment names and URLs are well-formed", check_environment},
    {"matrix", "matrix vectors are non-empty, unique, excludes match, at most 256 jobs",
     check_matrix},
    {"cron", "schedule cron expressions are valid POSIX cron as GitHub accepts it", check_events},
    {"glob", "branch, tag and path filter patterns are valid", nullptr},
    {"filters", "a filter is not combined with its -ignore form for one event", nullptr},
    {"uses", "uses is owner/repo@ref, owner/repo/path@ref, ./path or docker://image", check_uses},
    {"local-action", "local actions exist", check_local_actions},
    {"action-inputs", "required action inputs are given and unknown inputs are flagged", nullptr},
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
