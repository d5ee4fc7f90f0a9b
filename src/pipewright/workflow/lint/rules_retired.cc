// GitHub-hosted runner images GitHub has retired, and lists of labels naming two hosted
// images: a job asking for either is never picked up. Checks `runs-on` labels and, for `runs-on:
// ${{ matrix.<key> }}`, the matrix values.
#include <fmt/format.h>

#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

struct RetiredImage {
  std::string_view label;
  std::string_view since;
  std::string_view replacement;
};

constexpr RetiredImage k_retired[] = {
    {"ubuntu-16.04", "2021-09-20", "ubuntu-24.04"},
    {"ubuntu-18.04", "2023-04-03", "ubuntu-24.04"},
    {"ubuntu-20.04", "2025-04-15", "ubuntu-24.04 (or ubuntu-22.04)"},
    {"macos-10.15", "2022-08-30", "macos-15"},
    {"macos-11", "2024-06-28", "macos-15"},
    {"macos-12", "2024-12-03", "macos-15 (or macos-14)"},
    {"macos-12-large", "2024-12-03", "macos-15-large"},
    {"macos-13", "2025-12-04", "macos-15 (arm64) or macos-15-intel"},
    {"macos-13-large", "2025-12-04", "macos-15-large"},
    {"macos-13-xlarge", "2025-12-04", "macos-15-xlarge"},
    {"windows-2016", "2022-03-15", "windows-2025 (or windows-2022)"},
    {"windows-2019", "2025-06-30", "windows-2025 (or windows-2022)"},
};

const RetiredImage* find_retired(std::string_view label) {
  for (const RetiredImage& image : k_retired)
    if (iequals(image.label, label)) return &image;
  return nullptr;
}

void report(const LintContext& c, const Location& where, std::string_view label,
            const RetiredImage& image) {
  c.error(where,
          fmt::format("runner image '{}' was retired by GitHub on {}; jobs asking for it never "
                      "start",
                      label, image.since),
          "runner-retired", fmt::format("use {}", image.replacement));
}

// `key` when `text` is exactly `${{ matrix.<key> }}`.
std::optional<std::string> matrix_key_of(const Text& text) {
  std::string_view v = text.value;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
      s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
      s.remove_suffix(1);
    return s;
  };
  v = trim(v);
  if (!v.starts_with("${{") || !v.ends_with("}}")) return std::nullopt;
  v = trim(v.substr(3, v.size() - 5));
  if (!v.starts_with("matrix.")) return std::nullopt;
  v.remove_prefix(7);
  for (char ch : v)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-')
      return std::nullopt;
  return std::string(v);
}

// Scalar values of matrix `key`, from its vector and from include entries.
std::vector<const yaml::Node*> matrix_values(const Job& job, const std::string& key) {
  std::vector<const yaml::Node*> out;
  const yaml::Node* matrix = job.strategy.matrix;
  if (!matrix || !matrix->is_mapping()) return out;
  auto add = [&out](const yaml::Node* value) {
    if (value && value->is_scalar()) out.push_back(value);
  };
  for (const yaml::Pair& p : matrix->pairs) {
    if (p.key->value == key && p.value->is_sequence())
      for (const yaml::Node* item : p.value->items)
        add(item);
    if (p.key->value == "include" && p.value->is_sequence())
      for (const yaml::Node* entry : p.value->items)
        if (entry->is_mapping()) add(entry->find(key));
  }
  return out;
}

// The operating system of a GitHub-hosted image label ("ubuntu-24.04" → "ubuntu"), or "".
std::string_view hosted_os(std::string_view label) {
  for (std::string_view os : {"ubuntu-", "windows-", "macos-"})
    if (label.size() > os.size() && iequals(label.substr(0, os.size()), os))
      return os.substr(0, os.size() - 1);
  return {};
}

// Labels select a runner that has all of them: two GitHub-hosted images never match.
void check_conflicts(const LintContext& c, const RunsOn& runs_on) {
  const Text* first = nullptr;
  for (const Text& label : runs_on.labels.items) {
    if (label.has_expressions() || hosted_os(label.value).empty()) continue;
    if (!first) {
      first = &label;
      continue;
    }
    if (hosted_os(label.value) == hosted_os(first->value)) continue;
    c.error(label.location,
            fmt::format("runner labels '{}' and '{}' name GitHub-hosted images of two systems; "
                        "no runner has both, so the job never starts",
                        first->value, label.value),
            "runs-on", "to run on each, use a matrix: runs-on: ${{ matrix.os }}");
  }
}

}  // namespace

void check_retired_runners(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    const RunsOn& runs_on = job.runs_on;
    if (!runs_on.present() || runs_on.group.present()) continue;
    bool self_hosted = false;
    for (const Text& label : runs_on.labels.items)
      self_hosted = self_hosted || iequals(label.value, "self-hosted");
    if (self_hosted) continue;  // a self-hosted runner may carry any label
    check_conflicts(c, runs_on);
    for (const Text& label : runs_on.labels.items) {
      if (!label.has_expressions()) {
        if (const RetiredImage* image = find_retired(label.value))
          report(c, label.location, label.value, *image);
        continue;
      }
      auto key = matrix_key_of(label);
      if (!key) continue;
      for (const yaml::Node* value : matrix_values(job, *key))
        if (const RetiredImage* image = find_retired(value->value))
          report(c, Location{c.workflow.file, value->mark.line, value->mark.column}, value->value,
                 *image);
    }
  }
}

}  // namespace pipewright::workflow::lint
