#include "pipewright/workflow/lint/known.h"

#include <cctype>

#include <fmt/format.h>

namespace pipewright::workflow::lint {

namespace {

constexpr std::string_view k_github_fields[] = {
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "action_status",
    "actor",
    "actor_id",
    "api_url",
    "base_ref",
    "env",
    "event",
    "event_name",
    "event_path",
    "graphql_url",
    "head_ref",
    "job",
    "job_workflow_sha",
    "output",
    "path",
    "ref",
    "ref_name",
    "ref_protected",
    "ref_type",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "repositoryurl",
    "retention_days",
    "run_attempt",
    "run_id",
    "run_number",
    "secret_source",
    "server_url",
    "sha",
    "state",
    "step_summary",
    "token",
    "triggering_actor",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "workspace",
};
constexpr std::string_view k_runner_fields[] = {
    "name", "os", "arch", "temp", "tool_cache", "debug", "environment",
};
constexpr std::string_view k_job_fields[] = {
    "status",       "container",           "services",           "check_run_id", "workflow_ref",
    "workflow_sha", "workflow_repository", "workflow_file_path",
};
constexpr std::string_view k_strategy_fields[] = {
    "fail-fast",
    "job-index",
    "job-total",
    "max-parallel",
};

struct ContextFields {
  std::string_view context;
  std::span<const std::string_view> fields;
};
const ContextFields k_context_fields[] = {
    {"github", k_github_fields},
    {"runner", k_runner_fields},
    {"job", k_job_fields},
    {"strategy", k_strategy_fields},
};

constexpr std::string_view k_runner_labels[] = {
    // GitHub-hosted
    "ubuntu-latest",
    "ubuntu-24.04",
    "ubuntu-22.04",
    "ubuntu-20.04",
    "ubuntu-24.04-arm",
    "ubuntu-22.04-arm",
    "windows-latest",
    "windows-2025",
    "windows-2022",
    "windows-2019",
    "windows-11-arm",
    "macos-latest",
    "macos-15",
    "macos-14",
    "macos-13",
    "macos-12",
    "macos-latest-large",
    "macos-15-large",
    "macos-14-large",
    "macos-13-large",
    "macos-latest-xlarge",
    "macos-15-xlarge",
    "macos-14-xlarge",
    "macos-13-xlarge",
    // self-hosted defaults
    "self-hosted",
    "linux",
    "windows",
    "macos",
    "x64",
    "x86",
    "arm",
    "arm64",
};

constexpr std::string_view k_shells[] = {"bash", "sh", "pwsh", "powershell", "python", "cmd"};

// Property chains under `github.` that carry text an outside contributor chooses.
// "*" matches any one element (an array index or a wildcard).
const std::vector<std::vector<std::string_view>> k_untrusted = {
    {"head_ref"},
    {"event", "issue", "title"},
    {"event", "issue", "body"},
    {"event", "pull_request", "title"},
    {"event", "pull_request", "body"},
    {"event", "pull_request", "head", "ref"},
    {"event", "pull_request", "head", "label"},
    {"event", "pull_request", "head", "repo", "default_branch"},
    {"event", "comment", "body"},
    {"event", "review", "body"},
    {"event", "review_comment", "body"},
    {"event", "discussion", "title"},
    {"event", "discussion", "body"},
    {"event", "pages", "*", "page_name"},
    {"event", "commits", "*", "message"},
    {"event", "commits", "*", "author", "email"},
    {"event", "commits", "*", "author", "name"},
    {"event", "head_commit", "message"},
    {"event", "head_commit", "author", "email"},
    {"event", "head_commit", "author", "name"},
    {"event", "head_commit", "committer", "email"},
    {"event", "head_commit", "committer", "name"},
    {"event", "workflow_run", "head_branch"},
    {"event", "workflow_run", "head_commit", "message"},
    {"event", "workflow_run", "head_commit", "author", "email"},
    {"event", "workflow_run", "head_commit", "author", "name"},
    {"event", "workflow_run", "pull_requests", "*", "head", "ref"},
};

bool valid_name_part(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '@') return false;
  return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::span<const std::string_view> known_context_fields(std::string_view context) {
  for (const ContextFields& row : k_context_fields)
    if (iequals(row.context, context)) return row.fields;
  return {};
}

bool is_known_runner_label(std::string_view label) {
  for (std::string_view known : k_runner_labels)
    if (iequals(known, label)) return true;
  return false;
}

std::span<const std::string_view> known_runner_labels() {
  return k_runner_labels;
}

std::optional<std::string> check_shell(std::string_view shell) {
  for (std::string_view known : k_shells)
    if (iequals(known, shell)) return std::nullopt;
  if (shell.find("{0}") != std::string_view::npos) return std::nullopt;
  return fmt::format(
      "shell '{}' is not a built-in shell (bash, sh, pwsh, powershell, python, cmd) and a custom "
      "shell command must contain '{{0}}' for the script path",
      shell);
}

std::optional<UsesRef> parse_uses(std::string_view uses, std::string& error) {
  UsesRef ref;
  if (uses.starts_with("./") || uses.starts_with(".\\")) {
    ref.kind = UsesRef::Kind::local;
    ref.path = std::string(uses.substr(2));
    if (ref.path.empty()) {
      error = "local action path './' names no directory";
      return std::nullopt;
    }
    return ref;
  }
  if (uses.starts_with("docker://")) {
    ref.kind = UsesRef::Kind::docker;
    ref.path = std::string(uses.substr(9));
    if (ref.path.empty()) {
      error = "'docker://' is missing the image name, e.g. docker://alpine:3.20";
      return std::nullopt;
    }
    return ref;
  }
  const std::string forms =
      "expected owner/repo@ref, owner/repo/path@ref, ./path or docker://image";
  size_t at = uses.find('@');
  if (at == std::string_view::npos) {
    error = fmt::format("'{}' is missing '@<ref>' (a tag, branch or commit SHA); {}", uses, forms);
    return std::nullopt;
  }
  ref.ref = std::string(uses.substr(at + 1));
  std::string_view name = uses.substr(0, at);
  size_t slash = name.find('/');
  ref.owner = std::string(name.substr(0, slash));
  if (slash != std::string_view::npos) {
    std::string_view rest = name.substr(slash + 1);
    size_t slash2 = rest.find('/');
    ref.repo = std::string(rest.substr(0, slash2));
    if (slash2 != std::string_view::npos) ref.path = std::string(rest.substr(slash2 + 1));
  }
  if (slash == std::string_view::npos || !valid_name_part(ref.owner) ||
      !valid_name_part(ref.repo) || !valid_name_part(ref.ref) ||
      (!ref.path.empty() && ref.path.find(' ') != std::string::npos) || name.ends_with('/')) {
    error = fmt::format("'{}' is not a valid action reference; {}", uses, forms);
    return std::nullopt;
  }
  return ref;
}

bool is_full_sha(std::string_view ref) {
  if (ref.size() != 40) return false;
  for (char c : ref)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool is_untrusted_github_path(std::span<const std::string> path) {
  for (const auto& pattern : k_untrusted) {
    if (pattern.size() != path.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < path.size() && ok; ++i)
      ok = pattern[i] == "*" || iequals(pattern[i], path[i]);
    if (ok) return true;
  }
  return false;
}

}  // namespace pipewright::workflow::lint
