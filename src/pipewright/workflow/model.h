// The typed model of a workflow file and of action.yml metadata (gha-spec.md; GitHub's
// workflow schema workflow-v1.0.json). Every node keeps its Location and the YAML node it
// came from; ordered maps stay ordered. Values that may hold `${{ }}` keep their template,
// parsed once. Built by loader.h; the YAML document is owned by the model, so the
// yaml::Node pointers stay valid as long as the Workflow / Action lives.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/expr/error.h"
#include "pipewright/expr/parser.h"
#include "pipewright/expr/template.h"
#include "pipewright/util/error.h"
#include "pipewright/workflow/contexts.h"
#include "pipewright/workflow/yaml/node.h"

namespace pipewright::workflow {

using util::Location;

// A scalar as written. `node` is null when the key is absent.
struct Text {
  std::string value;
  Location location;
  const yaml::Node* node = nullptr;
  // Set when `value` contains `${{` and parsed; shared with the ExpressionSite.
  std::shared_ptr<const expr::Template> tmpl;

  bool present() const { return node != nullptr; }
  bool has_expressions() const { return tmpl && tmpl->has_expressions(); }
};

// A typed scalar (bool, number): the literal value, or an expression in `text`.
template <class T>
struct Typed {
  std::optional<T> value;  // nullopt when absent, an expression, or of the wrong type
  Text text;

  bool present() const { return text.present(); }
  bool is_expression() const { return text.has_expressions(); }
  T value_or(T fallback) const { return value ? *value : fallback; }
};
using Bool = Typed<bool>;
using Number = Typed<double>;

// A string or a list of strings, normalized to a list (`needs: a` → ["a"]).
struct TextList {
  std::vector<Text> items;
  Location location;
  const yaml::Node* node = nullptr;

  bool present() const { return node != nullptr; }
};

// An ordered map of string keys to scalar values (env, with, outputs, secrets).
struct TextMap {
  std::vector<std::pair<Text, Text>> entries;  // key, value
  Location location;
  const yaml::Node* node = nullptr;
  // Set when the whole map is one expression (`env: ${{ fromJSON(x) }}`).
  Text expression;

  bool present() const { return node != nullptr; }
  // The value for `key` (exact match), or nullptr.
  const Text* find(std::string_view key) const;
};

// Whether a mapping key is GitHub's `${{ insert }}` directive: its value (an expression
// giving a mapping) is merged into the mapping in its place. Allowed in mappings of
// strings that take expressions (env:, with:, outputs:, ...).
bool is_insert_directive(std::string_view key);

enum class PermissionLevel { none, read, write };
enum class PermissionShorthand { none, read_all, write_all };

struct Permission {
  Text scope;  // e.g. "contents"
  PermissionLevel level = PermissionLevel::none;
};

// `permissions: read-all | write-all | {scope: level}`. Unlisted scopes are none.
struct Permissions {
  PermissionShorthand shorthand = PermissionShorthand::none;  // when a string
  std::vector<Permission> scopes;                             // when a map
  Location location;
  const yaml::Node* node = nullptr;

  bool present() const { return node != nullptr; }
};

// `concurrency: group` or `{group, cancel-in-progress, queue}`.
struct Concurrency {
  Text group;
  Bool cancel_in_progress;
  Text queue;  // single | max
  Location location;
  const yaml::Node* node = nullptr;

  bool present() const { return node != nullptr; }
};

// `defaults.run`.
struct RunDefaults {
  Text shell;
  Text working_directory;
  Location location;
  const yaml::Node* node = nullptr;  // the `run` mapping
};

enum class InputType { string, boolean, number, choice, environment };

// An input of workflow_call or workflow_dispatch.
struct InputDefinition {
  Text id;  // the key
  Text description;
  Text type;  // as written
  std::optional<InputType> input_type;
  Bool required;
  Text default_value;                        // the scalar (may be an expression for workflow_call)
  const yaml::Node* default_node = nullptr;  // bool/number defaults keep their node
  TextList options;                          // choice
  Location location;
};

struct SecretDefinition {
  Text id;
  Text description;
  Bool required;
  Location location;
};

struct OutputDefinition {
  Text id;
  Text description;
  Text value;  // an expression over jobs.*
  Location location;
};

struct CronEntry {
  Text cron;
  Text timezone;
  Location location;
};

// One event under `on:`. Filters are absent (present() false) when not given.
struct Event {
  Text name;  // push, pull_request, ...
  const yaml::Node* config =
      nullptr;  // the event's value (null/mapping/sequence), for payload logic
  TextList types;
  TextList branches, branches_ignore, tags, tags_ignore, paths, paths_ignore;
  TextList workflows;        // workflow_run
  TextList names, versions;  // image_version
  std::vector<CronEntry> schedule;
  std::vector<InputDefinition> inputs;    // workflow_call, workflow_dispatch
  std::vector<SecretDefinition> secrets;  // workflow_call
  std::vector<OutputDefinition> outputs;  // workflow_call
  Location location;
};

// `runs-on`: a label, a list of labels, or {group, labels}.
struct RunsOn {
  TextList labels;
  Text group;
  Location location;
  const yaml::Node* node = nullptr;

  bool present() const { return node != nullptr; }
};

// `environment`: a name or {name, url, deployment}.
struct Environment {
  Text name;
  Text url;
  Bool deployment;
  Location location;
  const yaml::Node* node = nullptr;

  bool present() const { return node != nullptr; }
};

// `container` or one entry of `services` (a string is the image).
struct Container {
  Text id;  // service id (the key); empty for `container`
  Text image;
  Text options;
  TextMap env;
  TextList ports;
  TextList volumes;
  Text username;  // credentials
  Text password;
  Text entrypoint;  // services only
  Text command;     // services only
  Location location;
  const yaml::Node* node = nullptr;

  bool present() const { return node != nullptr; }
};

// `strategy`. The matrix stays a YAML node (or an expression) for plan/ to expand.
struct Strategy {
  const yaml::Node* matrix = nullptr;
  Text matrix_expression;  // `matrix: ${{ ... }}`
  Bool fail_fast;
  Number max_parallel;
  Text expression;  // `strategy: ${{ ... }}`
  Location location;
  const yaml::Node* node = nullptr;

  bool present() const { return node != nullptr; }
};

// `snapshot` (custom runner images): a string or {image-name, if, version}.
struct Snapshot {
  Text image_name;
  Text if_condition;
  Text version;
  Location location;
  const yaml::Node* node = nullptr;
};

enum class StepKind { run, uses, wait, wait_all, cancel, parallel, invalid };

struct Step {
  StepKind kind = StepKind::invalid;
  Text id;
  Text if_condition;
  Text name;
  Text uses;
  Text run;
  Text working_directory;
  Text shell;
  TextMap with;
  TextMap env;
  Bool continue_on_error;
  Number timeout_minutes;
  Bool background;             // experimental
  TextList wait;               // experimental: wait for background step ids
  Bool wait_all;               // experimental
  Text cancel;                 // experimental
  std::vector<Step> parallel;  // experimental
  Location location;
  const yaml::Node* node = nullptr;
};

struct Job {
  Text id;  // the key; unique ignoring case
  Text name;
  TextList needs;
  Text if_condition;
  Permissions permissions;
  RunsOn runs_on;
  Environment environment;
  Concurrency concurrency;
  TextMap outputs;
  TextMap env;
  RunDefaults defaults;
  std::vector<Step> steps;
  Number timeout_minutes;
  Number cancel_timeout_minutes;
  Strategy strategy;
  Bool continue_on_error;
  Container container;
  std::vector<Container> services;
  Snapshot snapshot;
  // Reusable-workflow caller jobs.
  Text uses;
  TextMap with;
  TextMap secrets;
  bool secrets_inherit = false;
  Location location;
  const yaml::Node* node = nullptr;

  bool is_reusable_call() const { return uses.present(); }
};

// Every `${{ }}`-bearing value of a document (and every `if:` condition), for the linter.
struct ExpressionSite {
  const yaml::Node* node = nullptr;
  Location location;                           // of the scalar
  KeyKind key = KeyKind::none;                 // which contexts/functions are allowed
  std::string path;                            // e.g. "jobs.build.steps[0].with.ref"
  std::shared_ptr<const expr::Template> tmpl;  // null when the template failed to parse
  // `if:` keys: the condition (with or without `${{ }}`) parsed by expr::parse_condition
  // with any named value allowed; null when not a condition or on error.
  std::shared_ptr<const expr::Expression> condition;
  bool is_condition = false;
  std::optional<expr::ExprError> error;  // parse error (already reported as a Diagnostic)
  Location error_location;               // where the error points inside the scalar
};

struct Workflow {
  std::string file;
  Text name;
  Text description;
  Text run_name;
  std::vector<Event> on;
  Location on_location;
  TextMap env;
  RunDefaults defaults;
  Permissions permissions;
  Concurrency concurrency;
  std::vector<Job> jobs;  // in file order

  std::vector<ExpressionSite> expressions;
  std::shared_ptr<const yaml::Document> document;

  // The job with id `id` (ignoring case), or nullptr.
  const Job* find_job(std::string_view id) const;
  // The event named `name` under `on:`, or nullptr.
  const Event* find_event(std::string_view name) const;
};

// action.yml -------------------------------------------------------------------------

struct ActionInput {
  Text id;
  Text description;
  Bool required;
  Text default_value;
  Text deprecation_message;
  Location location;
};

struct ActionOutput {
  Text id;
  Text description;
  Text value;  // composite actions: an expression
  Location location;
};

enum class ActionUsing { composite, node12, node16, node20, node24, docker, unknown };

struct ActionRuns {
  Text using_text;
  ActionUsing using_kind = ActionUsing::unknown;
  // JavaScript
  Text main, pre, post, pre_if, post_if;
  // Composite
  std::vector<Step> steps;
  // Docker
  Text image, entrypoint, pre_entrypoint, post_entrypoint;
  TextList args;
  TextMap env;
  Location location;
  const yaml::Node* node = nullptr;
};

struct Action {
  std::string file;
  Text name;
  Text author;
  Text description;
  std::vector<ActionInput> inputs;
  std::vector<ActionOutput> outputs;
  ActionRuns runs;
  Text branding_icon;
  Text branding_color;

  std::vector<ExpressionSite> expressions;
  std::shared_ptr<const yaml::Document> document;
};

}  // namespace pipewright::workflow
