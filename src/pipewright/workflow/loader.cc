// load: read (bounded) → parse YAML (limits, duplicates) → validate against the schema
// tables (types, keys, expressions) → build the typed model. Every failure a user can
// cause becomes a Diagnostic; nothing here throws on user input.
#include "pipewright/workflow/loader.h"

#include <filesystem>
#include <system_error>

#include "pipewright/os/file.h"
#include "pipewright/workflow/build.h"
#include "pipewright/workflow/job_rules.h"
#include "pipewright/workflow/reader_rules.h"
#include "pipewright/workflow/schema.h"
#include "pipewright/workflow/validate.h"
#include "pipewright/workflow/yaml/parser.h"

namespace pipewright::workflow {

namespace {

// GitHub's limits on a workflow file: 500 KB, that is 512,000 bytes (docs: "Actions
// limits"), and 50 levels of mappings and sequences (the runner's TemplateMemory). Its
// template memory of 10 MiB (reader_rules.h) can hold at most 10 MiB / 24 tokens, so
// counting nodes up to that never refuses what GitHub accepts.
constexpr yaml::Limits k_workflow_limits{
    .max_bytes = 512000,
    .max_depth = 50,
    .max_nodes = k_max_template_bytes / 24 + 1,
    .max_expanded_nodes = k_max_template_bytes / 24 + 1,
    .size_hint =
        "GitHub runs no workflow file over 500 KB (512,000 bytes); move long scripts "
        "into files of the repository"};

bool no_errors(const std::vector<util::Diagnostic>& diagnostics) {
  for (const util::Diagnostic& d : diagnostics)
    if (d.severity == util::Severity::error) return false;
  return true;
}

// The parsed document when its root is a mapping; otherwise diagnostics say why.
std::shared_ptr<const yaml::Document> parse_mapping(std::string_view text, const std::string& file,
                                                    std::string_view what,
                                                    std::vector<util::Diagnostic>& diagnostics,
                                                    const yaml::Limits& limits = {}) {
  yaml::ParseResult parsed = yaml::parse(text, file, limits);
  diagnostics.insert(diagnostics.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
  if (!parsed.document) return nullptr;
  const yaml::Node* root = parsed.document->root();
  if (!root->is_mapping()) {
    diagnostics.push_back({util::Severity::error,
                           {file, root->mark.line, root->mark.column},
                           std::string(what) + " must be a mapping, got " +
                               (root->is_null() ? std::string("an empty document")
                                                : "a " + std::string(node_kind_name(root->kind))),
                           "type",
                           {}});
    return nullptr;
  }
  return parsed.document;
}

// Reads `path` within the size limit; on failure adds a diagnostic and returns nullopt.
std::optional<std::string> read_bounded(const std::string& path,
                                        std::vector<util::Diagnostic>& diagnostics,
                                        const yaml::Limits& limits = {}) {
  const size_t limit = limits.max_bytes;
  auto content = os::read_file(path, limit);
  if (content) return std::move(*content);
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > limit)
    diagnostics.push_back(
        {util::Severity::error,
         {path, 1, 1},
         "the file is " + std::to_string(size) + " bytes; the limit is " + std::to_string(limit),
         "limits",
         std::string(limits.size_hint)});
  else
    diagnostics.push_back({util::Severity::error, {path, 0, 0}, content.error().message, "io", {}});
  return std::nullopt;
}

// The key each kind of action needs under `runs:` (metadata syntax docs).
struct RunsRequirement {
  ActionUsing using_kind;
  std::string_view key;
  bool present(const ActionRuns& runs) const {
    if (key == "steps") return runs.node && runs.node->find("steps");
    if (key == "main") return runs.main.present();
    return runs.image.present();
  }
};

constexpr RunsRequirement k_runs_requirements[] = {
    {ActionUsing::composite, "steps"}, {ActionUsing::node12, "main"},
    {ActionUsing::node16, "main"},     {ActionUsing::node20, "main"},
    {ActionUsing::node24, "main"},     {ActionUsing::docker, "image"},
};

void check_runs(const Action& action, std::vector<util::Diagnostic>& diagnostics) {
  const ActionRuns& runs = action.runs;
  for (const RunsRequirement& requirement : k_runs_requirements)
    if (runs.using_kind == requirement.using_kind && !requirement.present(runs))
      diagnostics.push_back({util::Severity::error,
                             runs.using_text.location,
                             "runs: a '" + runs.using_text.value + "' action needs '" +
                                 std::string(requirement.key) + "'",
                             "required",
                             {}});
}

}  // namespace

bool LoadResult::ok() const {
  return no_errors(diagnostics);
}

bool ActionLoadResult::ok() const {
  return no_errors(diagnostics);
}

LoadResult load_workflow_text(std::string_view text, std::string file) {
  LoadResult result;
  auto document = parse_mapping(text, file, "a workflow", result.diagnostics, k_workflow_limits);
  if (document) {
    check_reader_rules(*document, result.diagnostics);
    Validation validation;
    validate(*document, schema::workflow_root(), validation);
    result.workflow = build_workflow(*document, validation);
    result.workflow->document = document;
    result.diagnostics.insert(result.diagnostics.end(), validation.diagnostics.begin(),
                              validation.diagnostics.end());
    check_job_rules(*result.workflow, result.diagnostics);
  }
  util::sort_diagnostics(result.diagnostics);
  return result;
}

LoadResult load_workflow(const std::string& path) {
  LoadResult result;
  auto text = read_bounded(path, result.diagnostics, k_workflow_limits);
  if (!text) return result;
  return load_workflow_text(*text, path);
}

ActionLoadResult load_action_text(std::string_view text, std::string file) {
  ActionLoadResult result;
  auto document = parse_mapping(text, file, "action metadata", result.diagnostics);
  if (document) {
    Validation validation;
    validate(*document, schema::action_root(), validation, Typing::text);
    result.action = build_action(*document, validation);
    result.action->document = document;
    check_runs(*result.action, result.diagnostics);
    result.diagnostics.insert(result.diagnostics.end(), validation.diagnostics.begin(),
                              validation.diagnostics.end());
  }
  util::sort_diagnostics(result.diagnostics);
  return result;
}

ActionLoadResult load_action(const std::string& path, const std::string& shown_as) {
  ActionLoadResult result;
  auto text = read_bounded(path, result.diagnostics);
  if (!text) return result;
  return load_action_text(*text, shown_as.empty() ? path : shown_as);
}

}  // namespace pipewright::workflow
