#include "pipewright/exec/rerun.h"

#include <set>
#include <vector>

#include "pipewright/expr/casefold.h"

namespace pipewright::exec {

namespace {

// The upper-cased ids of `roots` and of every job that needs one of them, directly or not.
std::set<std::string> with_dependents(const workflow::Workflow& workflow,
                                      std::set<std::string> roots) {
  bool grew = true;
  while (grew) {
    grew = false;
    for (const workflow::Job& job : workflow.jobs) {
      std::string id = expr::to_upper(job.id.value);
      if (roots.contains(id)) continue;
      for (const workflow::Text& need : job.needs.items)
        if (roots.contains(expr::to_upper(need.value))) {
          roots.insert(id);
          grew = true;
          break;
        }
    }
  }
  return roots;
}

}  // namespace

util::Expected<PriorResults> jobs_to_carry_over(const workflow::Workflow& workflow,
                                                const PriorResults& prior, RerunMode mode,
                                                std::string_view job) {
  if (mode == RerunMode::all) return PriorResults{};
  std::set<std::string> roots;
  if (mode == RerunMode::one) {
    for (const workflow::Job& j : workflow.jobs)
      if (expr::equals_ignore_case(j.id.value, job)) roots.insert(expr::to_upper(j.id.value));
    if (roots.empty())
      return util::fail("job '" + std::string(job) + "' not found in " + workflow.file, {},
                        "name one of the workflow's `jobs:` keys");
  } else {
    for (const workflow::Job& j : workflow.jobs) {
      auto found = prior.find(j.id.value);
      // A job with no earlier result never ran to an end: it runs again like a failed one.
      if (found == prior.end() || found->second.result == Result::failure ||
          found->second.result == Result::cancelled)
        roots.insert(expr::to_upper(j.id.value));
    }
  }
  std::set<std::string> rerun = with_dependents(workflow, std::move(roots));
  PriorResults carried;
  for (const workflow::Job& j : workflow.jobs) {
    auto found = prior.find(j.id.value);
    if (found != prior.end() && !rerun.contains(expr::to_upper(j.id.value)))
      carried.emplace(j.id.value, found->second);
  }
  return carried;
}

}  // namespace pipewright::exec
