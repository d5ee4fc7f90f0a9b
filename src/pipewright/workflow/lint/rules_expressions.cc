// Rules about `${{ }}` expressions at every expression site of a workflow: contexts and
// functions allowed at the key, references to steps/needs/matrix/inputs/jobs that exist,
// known properties of fixed-shape contexts, and script injection into `run:`.
#include <cctype>
#include <charconv>

#include "pipewright/workflow/contexts.h"
#include "pipewright/workflow/lint/expression_check.h"
#include "pipewright/workflow/lint/rule.h"
#include "pipewright/workflow/yaml/position.h"

namespace pipewright::workflow::lint {

namespace {

// Where a site sits, from its path ("jobs.build.steps[2].with.script").
struct SitePlace {
  const Job* job = nullptr;
  std::optional<size_t> step;  // index in job->steps
  std::string rest;            // what follows the job (and step) part
};

SitePlace place_of(const Workflow& wf, std::string_view path) {
  SitePlace place;
  if (!path.starts_with("jobs.")) {
    place.rest = std::string(path);
    return place;
  }
  path.remove_prefix(5);
  size_t end = path.find_first_of(".[");
  place.job = wf.find_job(path.substr(0, end));
  path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
  if (path.starts_with(".steps[")) {
    path.remove_prefix(7);
    size_t n = 0;
    auto [ptr, ec] = std::from_chars(path.data(), path.data() + path.size(), n);
    if (ec == std::errc() && ptr < path.data() + path.size() && *ptr == ']') {
      place.step = n;
      path.remove_prefix(static_cast<size_t>(ptr - path.data()) + 1);
    }
  }
  place.rest = std::string(path);
  return place;
}

std::vector<std::string> ids_of_steps(const Job& job, size_t before) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < job.steps.size() && i < before; ++i)
    if (job.steps[i].id.present() && !job.steps[i].id.value.empty())
      ids.push_back(job.steps[i].id.value);
  return ids;
}

std::optional<std::vector<std::string>> needs_of(const Job& job) {
  std::vector<std::string> out;
  for (const Text& need : job.needs.items) {
    if (need.has_expressions()) return std::nullopt;
    out.push_back(need.value);
  }
  return out;
}

std::vector<std::string> workflow_inputs(const Workflow& wf) {
  std::vector<std::string> out;
  for (const Event& event : wf.on)
    for (const InputDefinition& input : event.inputs)
      out.push_back(input.id.value);
  return out;
}

bool is_github_script(const Step& step) {
  return step.uses.value.starts_with("actions/github-script@");
}

ExpressionScope scope_for(const Workflow& wf, const ExpressionSite& site) {
  const ContextRule& rule = context_rule(site.key);
  ExpressionScope scope;
  scope.key = site.path;
  for (std::string_view ctx : rule.contexts)
    scope.contexts.emplace_back(ctx);
  for (const FunctionSpec& fn : rule.functions) {
    if (iequals(fn.name, "hashFiles")) scope.hash_files = true;
    if (iequals(fn.name, "always") || iequals(fn.name, "success")) scope.status_functions = true;
  }
  scope.condition = site.is_condition;
  scope.inputs = workflow_inputs(wf);
  std::vector<std::string> jobs;
  for (const Job& job : wf.jobs) {
    jobs.push_back(job.id.value);
    // Outputs of a called workflow or given by one expression are not known here.
    if (job.is_reusable_call() || job.outputs.expression.present()) continue;
    std::vector<std::string> outputs;
    for (const auto& [key, value] : job.outputs.entries)
      outputs.push_back(key.value);
    std::string id = job.id.value;
    for (char& ch : id)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    scope.job_outputs[id] = std::move(outputs);
  }
  scope.jobs = jobs;
  SitePlace place = place_of(wf, site.path);
  if (place.job) {
    const Job& job = *place.job;
    scope.step_ids = ids_of_steps(job, place.step ? *place.step : job.steps.size());
    scope.needs = needs_of(job);
    scope.matrix_keys = matrix_keys(job);
    if (place.step && *place.step < job.steps.size()) {
      const Step& step = job.steps[*place.step];
      scope.injection_sink =
          place.rest == ".run" || (place.rest == ".with.script" && is_github_script(step));
    }
  }
  return scope;
}

}  // namespace

Location locate_in(const Workflow& workflow, const yaml::Node* scalar, const Location& fallback,
                   size_t offset) {
  if (!scalar || !workflow.document) return fallback;
  yaml::Mark mark = yaml::scalar_offset_mark(*scalar, workflow.document->source(), offset);
  return Location{fallback.file.empty() ? workflow.file : fallback.file, mark.line, mark.column};
}

void check_expressions(const LintContext& c) {
  for (const ExpressionSite& site : c.workflow.expressions) {
    // Parse errors and expressions where none are allowed are the loader's to report.
    if (site.error || site.key == KeyKind::none || !site.node || !site.node->is_scalar()) continue;
    ExpressionScope scope = scope_for(c.workflow, site);
    LocateFn locate = [&](size_t offset) {
      return locate_in(c.workflow, site.node, site.location, offset);
    };
    check_expressions(site.node->value, scope, locate, c.out);
  }
}

}  // namespace pipewright::workflow::lint
