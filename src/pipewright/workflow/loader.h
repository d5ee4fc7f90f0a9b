// Loading workflow files and action.yml metadata: YAML → typed model + diagnostics.
// Never throws on user input; any bytes are accepted (fuzz-safe).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/diagnostic.h"
#include "pipewright/workflow/model.h"

namespace pipewright::workflow {

struct LoadResult {
  // Present whenever the file parsed as YAML with a mapping at the top (possibly partial
  // when diagnostics hold errors).
  std::optional<Workflow> workflow;
  std::vector<util::Diagnostic> diagnostics;  // sorted by position

  // No diagnostic of severity error.
  bool ok() const;
};

struct ActionLoadResult {
  std::optional<Action> action;
  std::vector<util::Diagnostic> diagnostics;

  bool ok() const;
};

// Reads `path` (at most 512,000 bytes, GitHub's limit for a workflow file) and loads it as a
// workflow: GitHub's reader rules (reader_rules.h), the schema, then its converter's rules
// (job_rules.h).
LoadResult load_workflow(const std::string& path);
// Loads `text` as a workflow; `file` names it in locations.
LoadResult load_workflow_text(std::string_view text, std::string file);

// Reads `path` (action.yml / action.yaml) and loads it as action metadata; locations
// name the file `shown_as` when given (a workspace copy shown by its repository path).
ActionLoadResult load_action(const std::string& path, const std::string& shown_as = {});
ActionLoadResult load_action_text(std::string_view text, std::string file);

}  // namespace pipewright::workflow
