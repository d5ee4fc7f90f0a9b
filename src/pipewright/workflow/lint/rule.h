// Internal to the linter: what a rule sees (the loaded workflow, the repository, a place
// for findings) and the registry of rules. Each rules_*.cc holds one group of rules.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/diagnostic.h"
#include "pipewright/workflow/lint/known.h"
#include "pipewright/workflow/loader.h"
#include "pipewright/workflow/model.h"

namespace pipewright::workflow::lint {

// Local files a workflow refers to, loaded once per lint run.
class LocalFiles {
 public:
  explicit LocalFiles(std::string repo_root) : m_root(std::move(repo_root)) {}

  // The action metadata in `<root>/<dir>/action.y{a,}ml`, or nullptr when there is none;
  // `file` receives the path that was found (for reporting).
  const ActionLoadResult* action(const std::string& dir, std::string* file = nullptr);
  // The workflow at `<root>/<path>`, or nullptr when missing.
  const LoadResult* workflow(const std::string& path);
  const std::string& root() const { return m_root; }
  // Every action file loaded so far (file → result), for linting them too.
  const std::map<std::string, ActionLoadResult>& actions() const { return m_actions; }

 private:
  std::string m_root;
  std::map<std::string, std::string> m_action_files;  // dir → file ("" when none)
  std::map<std::string, ActionLoadResult> m_actions;  // file → result
  std::map<std::string, std::optional<LoadResult>> m_workflows;
};

Location locate_in(const Workflow& workflow, const yaml::Node* scalar, const Location& fallback,
                   size_t offset);

struct LintContext {
  const Workflow& workflow;
  LocalFiles& files;
  std::vector<util::Diagnostic>& out;

  void report(util::Severity severity, const Location& where, std::string message,
              std::string_view rule, std::string hint = {}) const {
    out.push_back({severity, where, std::move(message), std::string(rule), std::move(hint)});
  }
  void error(const Location& where, std::string message, std::string_view rule,
             std::string hint = {}) const {
    report(util::Severity::error, where, std::move(message), rule, std::move(hint));
  }
  void warning(const Location& where, std::string message, std::string_view rule,
               std::string hint = {}) const {
    report(util::Severity::warning, where, std::move(message), rule, std::move(hint));
  }
  // The location of byte `offset` inside scalar `text`.
  Location at(const Text& text, size_t offset) const {
    return locate_in(workflow, text.node, text.location, offset);
  }
};

using RuleFn = void (*)(const LintContext& context);

struct Rule {
  std::string_view id;
  std::string_view description;
  RuleFn check;  // null for ids reported by the loader or by another rule's function
};

// The registry (registry.cc), in the order rules run.
std::span<const Rule> rules();

// Rule functions, one group per file.
void check_ids(const LintContext& c);                  // rules_jobs.cc
void check_needs(const LintContext& c);                // rules_jobs.cc
void check_expressions(const LintContext& c);          // rules_expressions.cc
void check_runs_on(const LintContext& c);              // rules_runner.cc
void check_shells(const LintContext& c);               // rules_runner.cc
void check_environment(const LintContext& c);          // rules_runner.cc
void check_matrix(const LintContext& c);               // rules_matrix.cc
void check_events(const LintContext& c);               // rules_events.cc
void check_uses(const LintContext& c);                 // rules_uses.cc
void check_local_actions(const LintContext& c);        // rules_uses.cc
void check_reusable_calls(const LintContext& c);       // rules_uses.cc
void check_pr_checkout(const LintContext& c);          // rules_security.cc
void check_unpinned_secrets(const LintContext& c);     // rules_security.cc
void check_cron_intervals(const LintContext& c);       // rules_schedule.cc
void check_retired_runners(const LintContext& c);      // rules_retired.cc
void check_deprecated_commands(const LintContext& c);  // rules_commands.cc
void check_known_actions(const LintContext& c);        // rules_popular.cc
void check_docker_inputs(const LintContext& c);        // rules_popular.cc
void check_images(const LintContext& c);               // rules_keys.cc
void check_env_names(const LintContext& c);            // rules_keys.cc
void check_matrix_keys(const LintContext& c);          // rules_keys.cc
void check_conditions(const LintContext& c);           // rules_conditions.cc
void check_comparisons(const LintContext& c);          // rules_conditions.cc
// Lints a local action's metadata (rules_actions.cc).
void lint_action(const Action& action, std::vector<util::Diagnostic>& out);

// Helpers shared by rule files.
// The keys `matrix.<key>` may use in `job` (vectors and include keys); nullopt when the
// matrix is built by an expression (rules_matrix.cc).
std::optional<std::vector<std::string>> matrix_keys(const Job& job);
// The location of byte `offset` inside the value of `scalar` (a YAML scalar node).
Location locate_in(const Workflow& workflow, const yaml::Node* scalar, const Location& fallback,
                   size_t offset);
// A local `uses` path without its leading "./" and trailing "/" (rules_uses.cc).
std::string without_dot_slash(std::string_view path);
// "did you mean 'x'?" for the closest candidate, or "".
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace pipewright::workflow::lint
