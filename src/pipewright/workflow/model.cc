#include "pipewright/workflow/model.h"

#include <cctype>

namespace pipewright::workflow {

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

bool is_insert_directive(std::string_view key) {
  auto skip_spaces = [&] {
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.front())))
      key.remove_prefix(1);
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back())))
      key.remove_suffix(1);
  };
  skip_spaces();
  if (!key.starts_with("${{") || !key.ends_with("}}") || key.size() < 5) return false;
  key = key.substr(3, key.size() - 5);
  skip_spaces();
  return key == "insert";
}

const Text* TextMap::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.value == key) return &v;
  return nullptr;
}

const Job* Workflow::find_job(std::string_view id) const {
  for (const Job& job : jobs)
    if (equal_ignoring_case(job.id.value, id)) return &job;
  return nullptr;
}

const Event* Workflow::find_event(std::string_view name) const {
  for (const Event& event : on)
    if (event.name.value == name) return &event;
  return nullptr;
}

}  // namespace pipewright::workflow
