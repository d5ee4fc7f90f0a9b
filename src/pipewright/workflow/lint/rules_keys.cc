// Rules about names GitHub takes literally: container image references (an empty name or
// tag), environment variable names and matrix keys (a `${{ }}` there is never expanded).
#include <fmt/format.h>

#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

bool has_expression_text(std::string_view s) {
  return s.find("${{") != std::string_view::npos;
}

// Why `image` is not a usable image reference ([registry/]name[:tag][@digest]), or "".
std::string image_problem(std::string_view image) {
  if (image.find_first_not_of(" \t\r\n") == std::string_view::npos) return "is empty";
  if (image.find_first_of(" \t\r\n") != std::string_view::npos) return "contains whitespace";
  size_t at = image.find('@');
  if (at != std::string_view::npos) {
    if (at + 1 == image.size()) return "has an empty digest after '@'";
    image = image.substr(0, at);
  }
  // A ':' after the last '/' starts the tag; one before it is a registry port.
  size_t slash = image.rfind('/');
  size_t colon = image.find(':', slash == std::string_view::npos ? 0 : slash + 1);
  std::string_view name = image.substr(0, colon);
  if (name.empty() || name.ends_with('/')) return "has an empty image name";
  if (colon != std::string_view::npos && colon + 1 == image.size()) return "has an empty tag";
  return {};
}

void check_container(const LintContext& c, const Container& container) {
  if (!container.node || !container.image.present() || container.image.has_expressions()) return;
  // `container: ''` (often from a matrix) means "no container"; `image: ''` is refused by
  // the schema's non-empty-string rule already, one error is enough.
  if (container.image.value.empty()) return;
  std::string why = image_problem(container.image.value);
  if (why.empty()) return;
  std::string what = container.id.present()
                         ? fmt::format("image of service '{}'", container.id.value)
                         : std::string("container image");
  std::string quoted =
      why == "is empty" ? std::string() : fmt::format(" '{}'", container.image.value);
  c.error(container.image.location, fmt::format("{}{} {}", what, quoted, why), "image",
          "name an image such as 'postgres:16' or 'ghcr.io/owner/name:tag'");
}

void check_env(const LintContext& c, const TextMap& env) {
  for (const auto& [key, value] : env.entries) {
    const std::string& name = key.value;
    std::string why;
    if (has_expression_text(name))
      why = "contains '${{ }}', which GitHub does not expand in names";
    else if (name.find('=') != std::string::npos)
      why = "contains '='";
    else if (name.find_first_of(" \t\r\n") != std::string::npos)
      why = "contains whitespace";
    if (!why.empty())
      c.error(key.location, fmt::format("environment variable name '{}' {}", name, why), "env-name",
              "use a fixed name and put the expression in the value");
  }
}

void check_matrix_key(const LintContext& c, const yaml::Node* key) {
  if (!has_expression_text(key->value)) return;
  c.error(Location{c.workflow.file, key->mark.line, key->mark.column},
          fmt::format("matrix key '{}' contains '${{{{ }}}}', which GitHub does not expand in keys",
                      key->value),
          "matrix-key", "use a fixed key; a value may be an expression");
}

}  // namespace

void check_images(const LintContext& c) {
  // `on: image_version` watches the named images; an empty filter matches none.
  for (const Event& event : c.workflow.on)
    for (const TextList* list : {&event.names, &event.versions})
      if (list->present() && list->node->is_sequence() && list->items.empty())
        c.error(list->location,
                fmt::format("'{}' of event '{}' is empty, so the workflow never runs",
                            list == &event.names ? "names" : "versions", event.name.value),
                "image", "list at least one image name or version pattern, or drop the filter");
  for (const Job& job : c.workflow.jobs) {
    check_container(c, job.container);
    for (const Container& service : job.services)
      check_container(c, service);
    for (const Step& step : job.steps) {
      if (!step.uses.present() || step.uses.has_expressions() ||
          !step.uses.value.starts_with("docker://") || step.uses.value.size() == 9)
        continue;  // an empty docker:// is the uses rule's
      std::string why = image_problem(std::string_view(step.uses.value).substr(9));
      if (!why.empty())
        c.error(step.uses.location, fmt::format("image '{}' {}", step.uses.value, why), "image",
                "e.g. docker://alpine:3.20");
    }
  }
}

void check_env_names(const LintContext& c) {
  check_env(c, c.workflow.env);
  for (const Job& job : c.workflow.jobs) {
    check_env(c, job.env);
    check_env(c, job.container.env);
    for (const Container& service : job.services)
      check_env(c, service.env);
    for (const Step& step : job.steps)
      check_env(c, step.env);
  }
}

void check_matrix_keys(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    const yaml::Node* matrix = job.strategy.matrix;
    if (!matrix || !matrix->is_mapping()) continue;
    for (const yaml::Pair& p : matrix->pairs) {
      check_matrix_key(c, p.key);
      if ((p.key->value != "include" && p.key->value != "exclude") || !p.value->is_sequence())
        continue;
      for (const yaml::Node* entry : p.value->items)
        if (entry->is_mapping())
          for (const yaml::Pair& q : entry->pairs)
            check_matrix_key(c, q.key);
    }
  }
}

}  // namespace pipewright::workflow::lint
