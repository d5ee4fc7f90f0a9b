// Internal to the linter: checks of the `${{ }}` expressions in one YAML scalar against
// what is available where the scalar sits (contexts, functions, the workflow's step
// ids, needs, matrix keys and inputs), plus the script-injection check for `run:`.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/diagnostic.h"

namespace pipewright::workflow::lint {

// What an expression at one site may refer to. A nullopt list means "not known
// statically" (e.g. a matrix built by fromJSON): references are then not checked.
struct ExpressionScope {
  std::string key;                    // where the scalar sits, for messages: "jobs.<id>.if"
  std::vector<std::string> contexts;  // allowed context names
  bool status_functions = false;      // success()/failure()/cancelled()/always()
  bool hash_files = false;            // hashFiles()
  std::optional<std::vector<std::string>> step_ids;  // steps with an id that ran before
  std::optional<std::vector<std::string>> needs;     // direct dependencies of the job
  // Declared `outputs` of jobs (lower-cased job id → output names), for
  // `needs.<id>.outputs.<name>` and `jobs.<id>.outputs.<name>`; a job missing here is not
  // checked.
  std::map<std::string, std::vector<std::string>> job_outputs;
  std::optional<std::vector<std::string>> matrix_keys;
  std::optional<std::vector<std::string>> inputs;  // workflow_call / workflow_dispatch
  // Where inputs are declared, for messages.
  std::string inputs_where = "under 'on.workflow_call.inputs' or 'on.workflow_dispatch.inputs'";
  std::optional<std::vector<std::string>> jobs;  // `jobs.<id>` in workflow_call outputs
  // The scalar runs in a shell (`run:`) or as a script (github-script `script:`): flag
  // untrusted input interpolated into it.
  bool injection_sink = false;
  // The scalar is an `if:` condition: without `${{ }}` it is one bare expression.
  bool condition = false;
};

// Maps a byte offset inside the scalar to its file location.
using LocateFn = std::function<util::Location(size_t offset)>;

// Checks every expression in `scalar`. A scalar whose expressions do not parse is left
// to the loader's syntax diagnostics. Appends findings to `out`.
void check_expressions(std::string_view scalar, const ExpressionScope& scope,
                       const LocateFn& locate, std::vector<util::Diagnostic>& out);

// The byte offset in `text` of the 1-based column `position` of an expression error or
// node, counted as GitHub does in UTF-16 code units (a 4-byte UTF-8 sequence is two units).
size_t byte_offset(std::string_view text, int position);

// The 0-based offset, in `text`, of element `index` of the property chain that starts
// with the context name at 1-based column `position` (`a.b['c']` → offsets of b, c);
// the context name's own offset when the element cannot be found.
size_t property_offset(std::string_view text, int position, size_t index);

}  // namespace pipewright::workflow::lint
