// `pipewright lint`: load workflow files and run every lint rule over them.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/diagnostic.h"

namespace pipewright::workflow::lint {

// One lint rule as listed to users (SARIF's rule table, docs).
struct RuleDescription {
  std::string_view id;
  std::string_view description;
};

// Every rule id the linter can report, including the loader's own diagnostic rules.
std::span<const RuleDescription> rule_descriptions();

struct LintResult {
  std::vector<util::Diagnostic> diagnostics;   // sorted by file, line, column
  std::map<std::string, std::string> sources;  // file as reported → its text
  size_t files_checked = 0;                    // workflows plus local action files
};

// Loads each workflow file in `paths` and lints it; local actions (`uses: ./dir`) and
// local reusable workflows it references are read from `repo_root` (and local action
// metadata files are linted too, once each). Never throws on user input; unreadable
// files become diagnostics.
LintResult lint_files(std::span<const std::string> paths, const std::string& repo_root);

}  // namespace pipewright::workflow::lint
