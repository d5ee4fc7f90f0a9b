// Rules about the job graph: job and step id syntax and uniqueness, `needs`.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

constexpr size_t k_max_id_length = 100;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Why `id` is not a valid job/step id, or "".
std::string id_problem(std::string_view id) {
  if (id.empty()) return "is empty";
  auto head = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  auto tail = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  };
  if (!head(id[0])) return "must start with a letter or '_'";
  for (char c : id)
    if (!tail(c)) return fmt::format("contains '{}'; use only letters, digits, '-' and '_'", c);
  if (id.size() >= k_max_id_length)
    return fmt::format("is {} characters long; the limit is {}", id.size(), k_max_id_length - 1);
  if (id.starts_with("__")) return "starts with '__', which is reserved for generated ids";
  return {};
}

void check_step_ids(const LintContext& c, const Job& job) {
  std::map<std::string, const Text*> seen;
  for (const Step& step : job.steps) {
    if (!step.id.present()) continue;
    if (step.id.has_expressions()) continue;  // the loader rejects expressions here
    if (std::string why = id_problem(step.id.value); !why.empty()) {
      c.error(step.id.location, fmt::format("step id '{}' {}", step.id.value, why), "id");
      continue;
    }
    auto [it, fresh] = seen.emplace(lower(step.id.value), &step.id);
    if (!fresh)
      c.error(step.id.location,
              fmt::format("step id '{}' is already used in job '{}' (line {}); step ids must be "
                          "unique, ignoring case",
                          step.id.value, job.id.value, it->second->location.line),
              "id");
  }
}

}  // namespace

void check_ids(const LintContext& c) {
  for (const Job& job : c.workflow.jobs) {
    // The loader checks job id syntax and case-insensitive duplicates; the reserved
    // prefix is ours.
    if (job.id.value.starts_with("__"))
      c.error(job.id.location,
              fmt::format("job id '{}' starts with '__', which is reserved for generated ids",
                          job.id.value),
              "id");
    check_step_ids(c, job);
  }
}

void check_needs(const LintContext& c) {
  const Workflow& wf = c.workflow;
  std::vector<std::string> ids;
  for (const Job& job : wf.jobs)
    ids.push_back(job.id.value);

  // Edges by lower-cased id; unknown targets are reported and left out.
  std::map<std::string, std::vector<std::pair<std::string, const Text*>>> edges;
  for (const Job& job : wf.jobs) {
    for (const Text& need : job.needs.items) {
      if (need.has_expressions()) continue;
      const Job* target = wf.find_job(need.value);
      if (!target) {
        c.error(need.location,
                fmt::format("job '{}' depends on unknown job '{}'", job.id.value, need.value),
                "needs", suggestion(need.value, ids));
        continue;
      }
      if (target == &job) {
        c.error(need.location,
                fmt::format("job '{}' depends on itself: {} -> {}", job.id.value, job.id.value,
                            job.id.value),
                "needs");
        continue;
      }
      edges[lower(job.id.value)].emplace_back(lower(target->id.value), &need);
    }
  }

  // Depth-first search; a back edge closes a cycle, reported once per set of jobs at the
  // `needs` entry that closes it.
  std::map<std::string, int> state;  // 0 new, 1 on stack, 2 done
  std::vector<std::string> stack;
  std::set<std::set<std::string>> reported;
  auto display = [&wf](const std::string& id) { return wf.find_job(id)->id.value; };
  auto visit = [&](auto& self, const std::string& id) -> void {
    state[id] = 1;
    stack.push_back(id);
    for (const auto& [next, need] : edges[id]) {
      if (state[next] == 1) {
        auto from = std::find(stack.begin(), stack.end(), next);
        std::set<std::string> members(from, stack.end());
        if (!reported.insert(members).second) continue;
        std::string cycle;
        for (auto it = from; it != stack.end(); ++it)
          cycle += display(*it) + " -> ";
        cycle += display(next);
        c.error(need->location, fmt::format("jobs depend on each other in a cycle: {}", cycle),
                "needs");
      } else if (state[next] == 0) {
        self(self, next);
      }
    }
    stack.pop_back();
    state[id] = 2;
  };
  for (const Job& job : wf.jobs)
    if (state[lower(job.id.value)] == 0) visit(visit, lower(job.id.value));
}

}  // namespace pipewright::workflow::lint
