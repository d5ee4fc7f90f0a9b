#include "pipewright/workflow/job_rules.h"

#include <string>
#include <string_view>

namespace pipewright::workflow {

namespace {

bool has_expression(const yaml::Node& node) {
  if (node.is_scalar()) return node.value.find("${{") != std::string::npos;
  for (const yaml::Node* item : node.items)
    if (has_expression(*item)) return true;
  for (const yaml::Pair& pair : node.pairs)
    if (has_expression(*pair.key) || has_expression(*pair.value)) return true;
  return false;
}

void error(std::vector<util::Diagnostic>& out, Location location, std::string message,
           std::string rule, std::string hint = {}) {
  out.push_back({util::Severity::error, std::move(location), std::move(message), std::move(rule),
                 std::move(hint)});
}

void check_jobs_present(const Workflow& wf, std::vector<util::Diagnostic>& out) {
  const yaml::Node* root = wf.document ? wf.document->root() : nullptr;
  if (!root || !root->is_mapping() || !wf.jobs.empty()) return;
  for (const yaml::Pair& pair : root->pairs)
    if (pair.key->is_scalar() && pair.key->value == "jobs" && pair.value->is_mapping())
      error(out, {wf.file, pair.key->mark.line, pair.key->mark.column},
            "the workflow must contain at least one job", "required", "add a job under `jobs:`");
}

// GitHub skips the check when an expression appears anywhere in the container. `key` is
// where the container is named (its key), for the location.
void check_image(const Container& container, std::string_view what, const yaml::Node* key,
                 const Workflow& wf, std::vector<util::Diagnostic>& out) {
  if (!container.present() || !container.node->is_mapping()) return;
  if (container.image.present() || has_expression(*container.node)) return;
  Location at = key ? Location{wf.file, key->mark.line, key->mark.column} : container.location;
  error(out, at, std::string(what) + ": missing required key 'image'", "required",
        "name the image to run (`image: postgres:16`)");
}

// The key of `name` in the mapping `node` (nullptr when absent).
const yaml::Node* key_of(const yaml::Node* node, std::string_view name) {
  if (!node || !node->is_mapping()) return nullptr;
  for (const yaml::Pair& pair : node->pairs)
    if (pair.key->is_scalar() && pair.key->value == name) return pair.key;
  return nullptr;
}

constexpr std::string_view k_group_prefixes[] = {"org", "organization", "ent", "enterprise"};

void check_group(const RunsOn& runs_on, std::vector<util::Diagnostic>& out) {
  const Text& group = runs_on.group;
  if (!group.present() || group.has_expressions() || !group.node->is_scalar()) return;
  const std::string& name = group.value;
  size_t slash = name.find('/');
  if (slash == std::string::npos) return;
  std::string_view prefix = std::string_view(name).substr(0, slash);
  bool known = false;
  for (std::string_view p : k_group_prefixes)
    known = known || prefix == p;
  if (!known || name.find('/', slash + 1) != std::string::npos)
    error(out, group.location,
          "invalid runs-on group name '" + name +
              "': use the 'organization/' or 'enterprise/' prefix to target a single runner group",
          "invalid-value");
  else if (slash + 1 == name.size())
    error(out, group.location, "invalid runs-on group name '" + name + "': the name is empty",
          "invalid-value");
}

// `queue: max` keeps many pending requests, which `cancel-in-progress: true` would cancel
// at once: GitHub refuses the pair when the workflow is validated. An expression is
// only known at run time (exec/concurrency.h refuses it there).
void check_concurrency(const Concurrency& c, std::vector<util::Diagnostic>& out) {
  if (!c.present() || c.queue.value != "max") return;
  if (!c.cancel_in_progress.value || !*c.cancel_in_progress.value) return;
  error(out, c.cancel_in_progress.text.location,
        "concurrency: 'queue: max' cannot be combined with 'cancel-in-progress: true'",
        "invalid-value",
        "remove cancel-in-progress to keep up to 100 pending runs in order, or remove "
        "'queue: max' to cancel the running one");
}

}  // namespace

void check_job_rules(const Workflow& workflow, std::vector<util::Diagnostic>& out) {
  check_jobs_present(workflow, out);
  check_concurrency(workflow.concurrency, out);
  for (const Job& job : workflow.jobs) {
    check_concurrency(job.concurrency, out);
    check_image(job.container, "container", key_of(job.node, "container"), workflow, out);
    for (const Container& service : job.services)
      check_image(service, "services." + service.id.value, service.id.node, workflow, out);
    check_group(job.runs_on, out);
  }
}

}  // namespace pipewright::workflow
