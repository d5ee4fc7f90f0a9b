// Our own description of the workflow and action.yml schemas, as C++ tables: one Def per
// schema definition we validate against, named like GitHub's workflow-v1.0.json where one
// exists. validate.h walks YAML against these tables; the schema coverage test compares
// them with GitHub's file.
#pragma once

#include <span>
#include <string_view>

#include "pipewright/workflow/contexts.h"
#include "pipewright/workflow/yaml/node.h"

namespace pipewright::workflow::schema {

enum class Shape {
  string,            // any scalar (null reads as "")
  non_empty_string,  // a non-empty scalar
  boolean,
  number,
  null,
  any,             // anything (expressions inside are still recorded)
  mapping,         // properties and/or loose keys
  sequence,        // items of one definition
  one_of,          // the alternative matching the node's kind
  allowed_values,  // a scalar from `values`
};

struct Def;

struct Property {
  std::string_view key;
  const Def* def = nullptr;
  bool required = false;
  // The docs call it required but the runner does not enforce it: a missing key is a
  // warning (action.yml `name`, `description`; gha-spec.md §13).
  bool recommended = false;
};

enum class KeyCheck { none, job_id };

struct Def {
  std::string_view name;  // the schema definition name ("job-factory")
  Shape shape = Shape::string;
  KeyKind context = KeyKind::none;  // set on definitions that carry a `context` array
  bool has_context = false;
  bool no_expressions = false;  // `${{` here is an error (step id/uses, workflow defaults.run)
  bool condition = false;       // an `if:` (the whole value is an expression)
  std::span<const Property> properties = {};
  const Def* loose_value = nullptr;  // mappings with free keys
  KeyCheck loose_key = KeyCheck::none;
  bool ignores_unknown_keys = false;  // the runner ignores other keys: they are warnings
  const Def* item = nullptr;          // sequences
  std::span<const Def* const> alternatives = {};
  std::span<const std::string_view> values = {};  // allowed_values
  // one_of with several mapping alternatives: picks one from the mapping's keys.
  const Def* (*select)(const yaml::Node& mapping) = nullptr;
};

// The root definitions.
const Def& workflow_root();
const Def& action_root();

// The definition named `name` (workflow and action tables), or nullptr.
const Def* find_definition(std::string_view name);

// Names of the events `on:` accepts, and the allowed activity types of one event
// (empty span when the event has no `types`).
std::span<const std::string_view> event_names();

}  // namespace pipewright::workflow::schema
