#include "pipewright/pipeline/workflows.h"

#include <algorithm>
#include <filesystem>

#include "pipewright/os/file.h"
#include "pipewright/pipeline/workflow_files.h"
#include "pipewright/util/diagnostic.h"
#include "pipewright/workflow/loader.h"

namespace pipewright::pipeline {

namespace {

namespace fs = std::filesystem;

constexpr size_t k_max_workflow_file = 1024 * 1024;

std::string relative_to(const std::string& path, const std::string& root) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  fs::path rel = abs.lexically_relative(root);
  if (rel.empty() || rel.string().starts_with("..")) return path;
  return rel.string();
}

}  // namespace

util::Expected<Workflows> load_workflows(const std::string& root, const std::string& selector) {
  PW_TRY(files, workflow_files(selector, root));
  Workflows out;
  for (const std::string& file : files) {
    // Locations name the file relative to the repository root, as everywhere else;
    // workflow.file keeps the real path (reusable-workflow identity, project dir).
    std::string relative = relative_to(file, root);
    auto source = os::read_file(file, k_max_workflow_file);
    workflow::LoadResult result =
        source ? workflow::load_workflow_text(*source, relative) : workflow::load_workflow(file);
    if (result.workflow) result.workflow->file = file;
    for (const util::Diagnostic& d : result.diagnostics)
      if (d.severity == util::Severity::error) {
        out.rendered_errors += util::render_diagnostic(d, source ? *source : "");
        out.invalid = true;
      }
    if (!result.ok() || !result.workflow) continue;
    out.list.push_back(LoadedWorkflow{file, relative, std::move(*result.workflow), {}});
  }
  return out;
}

util::Expected<void> select_workflows(Workflows& workflows, const plan::Event& event) {
  for (LoadedWorkflow& w : workflows.list) {
    PW_TRY(trigger, plan::match_triggers(w.workflow, event));
    w.trigger = std::move(trigger);
  }
  return {};
}

size_t triggered_count(const Workflows& workflows) {
  return std::ranges::count_if(workflows.list,
                               [](const LoadedWorkflow& w) { return w.trigger.matched; });
}

std::string workflow_name(const LoadedWorkflow& w) {
  return w.workflow.name.present() ? w.workflow.name.value : w.relative;
}

util::Expected<expr::Value> run_inputs(const LoadedWorkflow& w, const plan::Event& event) {
  if (event.name != "workflow_dispatch" && event.name != "workflow_call") return expr::Value();
  const workflow::Event* definition = w.workflow.find_event(event.name);
  if (!definition) return expr::Value();
  // As on GitHub: the payload's `inputs` (run's --input values were merged over them).
  expr::Object given;
  const expr::Value* payload_inputs = event.payload.member("inputs");
  if (payload_inputs && payload_inputs->kind() == expr::Kind::object)
    given = payload_inputs->as_object();
  PW_TRY(resolved, plan::resolve_dispatch_inputs(*definition, given));
  return std::move(resolved.inputs);
}

std::string project_dir(const std::string& file, const std::string& root) {
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(file, ec), ec);
  fs::path workflows = abs.parent_path();
  if (workflows.filename() != "workflows" || workflows.parent_path().filename() != ".github")
    return root;
  fs::path dir = workflows.parent_path().parent_path();
  fs::path rel = dir.lexically_relative(root);
  if (rel.empty() || rel.string().starts_with("..")) return root;
  return dir.string();
}

}  // namespace pipewright::pipeline
