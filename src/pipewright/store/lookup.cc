#include "pipewright/store/lookup.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "pipewright/util/suggest.h"

namespace pipewright::store {

namespace {

// A positive decimal number, or nullopt.
std::optional<int64_t> parse_number(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// "did you mean 'x'?" when one of `names` is close to `spec`, else the list of names.
std::string hint_for(std::string_view spec, const std::vector<std::string_view>& names) {
  std::string close = util::closest_match(spec, names);
  if (!close.empty()) return fmt::format("did you mean '{}'?", close);
  if (names.empty()) return "there are none";
  return fmt::format("choose one of: '{}'", fmt::join(names, "', '"));
}

}  // namespace

util::Expected<RunId> resolve_run(Store& store, std::string_view spec) {
  if (spec == "last") {
    PW_TRY(last, store.last_run());
    if (!last) return util::fail("there are no runs yet", {}, "start one with `pipewright run`");
    return *last;
  }
  auto id = parse_number(spec);
  if (!id)
    return util::fail(fmt::format("'{}' is not a run id", spec), {},
                      "give a run id from `pipewright history`, or 'last'");
  PW_TRY(detail, store.run_detail(*id));
  if (!detail)
    return util::fail(fmt::format("there is no run {}", *id), {},
                      "see `pipewright history` for the recorded runs");
  return *id;
}

util::Expected<const JobDetail*> find_job(const RunDetail& run, std::string_view spec) {
  for (const JobDetail& job : run.jobs)
    if (job.job.name == spec) return &job;
  const JobDetail* by_id = nullptr;
  int instances = 0;
  for (const JobDetail& job : run.jobs) {
    if (job.job.job_id != spec) continue;
    by_id = &job;
    ++instances;
  }
  if (instances == 1) return by_id;
  std::vector<std::string_view> names;
  for (const JobDetail& job : run.jobs)
    names.push_back(job.job.name);
  if (instances > 1)
    return util::fail(fmt::format("job '{}' ran {} times in run {}", spec, instances, run.run.id),
                      {}, fmt::format("name one instance: '{}'", fmt::join(names, "', '")));
  if (auto position = parse_number(spec); position && *position <= std::ssize(run.jobs))
    return &run.jobs[static_cast<size_t>(*position - 1)];
  return util::fail(fmt::format("run {} has no job '{}'", run.run.id, spec), {},
                    hint_for(spec, names));
}

util::Expected<const StepRecord*> find_step(const JobDetail& job, std::string_view spec) {
  if (auto number = parse_number(spec)) {
    for (const StepRecord& step : job.steps)
      if (step.index + 1 == *number) return &step;
  }
  for (const StepRecord& step : job.steps)
    if (step.name == spec) return &step;
  std::vector<std::string_view> names;
  for (const StepRecord& step : job.steps)
    names.push_back(step.name);
  return util::fail(fmt::format("job '{}' has no step '{}'", job.job.name, spec), {},
                    hint_for(spec, names));
}

}  // namespace pipewright::store
