// Security rules (warnings): privileged workflows that check out pull-request code, and
// secrets handed to third-party actions that are not pinned to a commit SHA. Script
// injection is checked with the other expression rules (expression_check.cc).
#include <fmt/format.h>

#include "pipewright/expr/analysis.h"
#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

constexpr std::string_view k_privileged_events[] = {"pull_request_target", "workflow_run"};
constexpr std::string_view k_first_party_owners[] = {"actions", "github"};

// Every context reference in the expressions of `text`.
std::vector<expr::ContextReference> references(const Text& text) {
  std::vector<expr::ContextReference> out;
  if (!text.tmpl) return out;
  for (const expr::Template::Part& part : text.tmpl->parts()) {
    if (!part.expression) continue;
    auto refs = expr::context_references(*part.expression);
    out.insert(out.end(), refs.begin(), refs.end());
  }
  return out;
}

// Does `ref` name the head (the contributor's code) of a pull request?
bool is_pr_head(const expr::ContextReference& ref) {
  if (!iequals(ref.context, "github") || ref.path.empty()) return false;
  const auto& p = ref.path;
  if (iequals(p[0], "head_ref")) return true;
  if (p.size() >= 3 && iequals(p[0], "event") && iequals(p[1], "pull_request") &&
      iequals(p[2], "head"))
    return true;
  if (p.size() >= 3 && iequals(p[0], "event") && iequals(p[1], "workflow_run") &&
      (iequals(p[2], "head_sha") || iequals(p[2], "head_branch") || iequals(p[2], "head_commit")))
    return true;
  return false;
}

bool uses_secrets(const Text& text) {
  for (const expr::ContextReference& ref : references(text))
    if (iequals(ref.context, "secrets")) return true;
  return false;
}

}  // namespace

void check_pr_checkout(const LintContext& c) {
  std::string_view trigger;
  for (std::string_view name : k_privileged_events)
    if (c.workflow.find_event(name)) trigger = name;
  if (trigger.empty()) return;
  for (const Job& job : c.workflow.jobs)
    for (const Step& step : job.steps) {
      if (!step.uses.value.starts_with("actions/checkout@")) continue;
      const Text* ref = step.with.find("ref");
      if (!ref) continue;
      for (const expr::ContextReference& r : references(*ref)) {
        if (!is_pr_head(r)) continue;
        c.warning(ref->location,
                  fmt::format("a '{}' workflow checks out the pull request's head code; it runs "
                              "with write access and secrets, so untrusted code can steal them",
                              trigger),
                  "untrusted-checkout",
                  "use 'pull_request' for building contributor code, or never run what this "
                  "checkout fetched");
        break;
      }
    }
}

void check_unpinned_secrets(const LintContext& c) {
  for (const Job& job : c.workflow.jobs)
    for (const Step& step : job.steps) {
      if (!step.uses.present() || step.uses.has_expressions()) continue;
      std::string error;
      auto ref = parse_uses(step.uses.value, error);
      if (!ref || ref->kind != UsesRef::Kind::remote || is_full_sha(ref->ref)) continue;
      bool first_party = false;
      for (std::string_view owner : k_first_party_owners)
        first_party = first_party || iequals(owner, ref->owner);
      if (first_party) continue;
      bool secrets = false;
      for (const auto& [key, value] : step.with.entries)
        secrets = secrets || uses_secrets(value);
      for (const auto& [key, value] : step.env.entries)
        secrets = secrets || uses_secrets(value);
      if (!secrets) continue;
      c.warning(step.uses.location,
                fmt::format("secrets are passed to third-party action '{}', which is pinned to "
                            "'{}' rather than a full commit SHA; whoever controls that ref gets "
                            "the secrets",
                            step.uses.value, ref->ref),
                "unpinned-action",
                fmt::format("pin it: {}/{}{}@<40-character commit SHA> # {}", ref->owner, ref->repo,
                            ref->path.empty() ? "" : "/" + ref->path, ref->ref));
    }
}

}  // namespace pipewright::workflow::lint
