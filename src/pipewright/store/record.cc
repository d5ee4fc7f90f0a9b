#include "pipewright/store/record.h"

#include <array>
#include <utility>

namespace pipewright::store {

namespace {

template <class E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<Status, 4> k_status_names{{
    {Status::queued, "queued"},
    {Status::running, "running"},
    {Status::completed, "completed"},
    {Status::interrupted, "interrupted"},
}};

constexpr NameTable<Result, 4> k_result_names{{
    {Result::success, "success"},
    {Result::failure, "failure"},
    {Result::cancelled, "cancelled"},
    {Result::skipped, "skipped"},
}};

constexpr NameTable<Severity, 3> k_severity_names{{
    {Severity::notice, "notice"},
    {Severity::warning, "warning"},
    {Severity::error, "error"},
}};

template <class E, size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [entry, name] : table)
    if (entry == value) return name;
  return "unknown";
}

template <class E, size_t N>
std::optional<E> value_of(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [entry, entry_name] : table)
    if (entry_name == name) return entry;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Status status) {
  return name_of(k_status_names, status);
}
std::string_view to_string(Result result) {
  return name_of(k_result_names, result);
}
std::string_view to_string(Severity severity) {
  return name_of(k_severity_names, severity);
}

std::optional<Status> parse_status(std::string_view name) {
  return value_of(k_status_names, name);
}
std::optional<Result> parse_result(std::string_view name) {
  return value_of(k_result_names, name);
}
std::optional<Severity> parse_severity(std::string_view name) {
  return value_of(k_severity_names, name);
}

}  // namespace pipewright::store
