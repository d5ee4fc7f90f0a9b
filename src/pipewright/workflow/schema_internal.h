// Definitions shared between the schema table files (schema.cc, schema_events.cc,
// schema_action.cc). Not part of the layer's API.
#pragma once

#include <span>

#include "pipewright/workflow/schema.h"

namespace pipewright::workflow::schema {

extern const Def k_string;
extern const Def k_non_empty_string;
extern const Def k_boolean;
extern const Def k_number;
extern const Def k_null;
extern const Def k_any;
extern const Def k_sequence_of_string;
extern const Def k_sequence_of_non_empty_string;
extern const Def k_string_or_list;
extern const Def k_on;
extern const Def k_action;

// Every named definition of one table file (for find_definition).
std::span<const Def* const> workflow_definitions();
std::span<const Def* const> event_definitions();
std::span<const Def* const> action_definitions();

}  // namespace pipewright::workflow::schema
