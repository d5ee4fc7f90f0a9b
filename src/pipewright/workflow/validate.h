// Structural validation of a YAML document against the schema tables (schema.h): unknown
// keys, wrong types, missing keys, invalid constants, job ids, and every `${{ }}` value,
// parsed once and recorded as an ExpressionSite.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "pipewright/util/diagnostic.h"
#include "pipewright/workflow/model.h"
#include "pipewright/workflow/schema.h"
#include "pipewright/workflow/yaml/node.h"

namespace pipewright::workflow {

struct Validation {
  std::vector<util::Diagnostic> diagnostics;
  std::vector<ExpressionSite> sites;
  // The parsed template of every scalar that holds `${{` and parsed (shared with sites).
  std::unordered_map<const yaml::Node*, std::shared_ptr<const expr::Template>> templates;
};

// How scalars get their type: GitHub's workflow reader types plain scalars only (a quoted
// '5' is a string); action.yml has long been read by the text alone (`required: 'true'`).
enum class Typing { yaml_core, text };

// Walks `document` against `root`, appending to `out`. Bounded by the document's
// expanded size (yaml::Limits).
void validate(const yaml::Document& document, const schema::Def& root, Validation& out,
              Typing typing = Typing::yaml_core);

// The byte offset inside `scalar` where a failed Template::parse(scalar) points.
size_t template_error_offset(std::string_view scalar, const expr::ExprError& error);

}  // namespace pipewright::workflow
