// Rules about `on:`: cron syntax, branch/tag/path filter pattern syntax, and filters used
// together with their `-ignore` form.
#include <fmt/format.h>

#include "pipewright/util/cron.h"
#include "pipewright/util/glob.h"
#include "pipewright/workflow/lint/rule.h"

namespace pipewright::workflow::lint {

namespace {

struct FilterPair {
  std::string_view name;
  TextList Event::*positive;
  TextList Event::*ignore;
};
const FilterPair k_filters[] = {
    {"branches", &Event::branches, &Event::branches_ignore},
    {"tags", &Event::tags, &Event::tags_ignore},
    {"paths", &Event::paths, &Event::paths_ignore},
};

void check_patterns(const LintContext& c, const TextList& list, std::string_view key) {
  for (const Text& item : list.items) {
    if (item.has_expressions()) continue;
    auto pattern = util::GlobPattern::compile(item.value);
    if (!pattern)
      c.error(c.at(item, pattern.error().offset),
              fmt::format("invalid {} pattern '{}': {}", key, item.value, pattern.error().message),
              "glob");
  }
}

}  // namespace

void check_events(const LintContext& c) {
  for (const Event& event : c.workflow.on) {
    for (const CronEntry& entry : event.schedule) {
      if (!entry.cron.present()) continue;
      auto schedule = util::CronSchedule::parse(entry.cron.value);
      if (!schedule)
        c.error(c.at(entry.cron, schedule.error().offset),
                fmt::format("invalid cron expression '{}': {}", entry.cron.value,
                            schedule.error().message),
                "cron");
    }
    for (const FilterPair& f : k_filters) {
      const TextList& positive = event.*(f.positive);
      const TextList& ignore = event.*(f.ignore);
      check_patterns(c, positive, f.name);
      check_patterns(c, ignore, std::string(f.name) + "-ignore");
      if (positive.present() && ignore.present())
        c.error(ignore.location,
                fmt::format("'{0}' and '{0}-ignore' cannot both be used for event '{1}'; use "
                            "'{0}' with '!' patterns instead",
                            f.name, event.name.value),
                "filters");
    }
  }
}

}  // namespace pipewright::workflow::lint
