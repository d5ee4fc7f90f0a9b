#include "pipewright/pipeline/execute.h"

#include <chrono>
#include <filesystem>

#include "pipewright/exec/workspace.h"
#include "pipewright/pipeline/run_recorder.h"

namespace pipewright::pipeline {

namespace {

store::TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(store::Clock::now());
}

// The record gets the run's result; a dry run has none.
void finish(const RunRequest& request, store::Store& store, store::Result result,
            RunOutcome& outcome) {
  if (request.dry_run) return;
  if (auto r = store.finish_run(request.id, result, now()); !r && outcome.recording_error.empty())
    outcome.recording_error = r.error().message;
}

}  // namespace

std::vector<std::string> add_secrets(exec::Masker& masker, const expr::Object& secrets) {
  std::vector<std::string> warnings;
  for (const auto& [name, value] : secrets)
    for (const exec::MaskWarning& w : masker.add_secret(value.to_display_string()))
      warnings.push_back("secret " + name + ": " + w.message);
  return warnings;
}

util::Expected<store::RunRecord> begin_run(store::Store& store, const LoadedWorkflow& w,
                                           const plan::Event& event) {
  return store.begin_run(
      store::NewRun{w.relative, workflow_name(w), event.name, event.ref, event.sha, now()});
}

exec::RunSettings to_run_settings(const RunRequest& request, const HostSettings& host,
                                  const std::string& jobs_dir) {
  const LoadedWorkflow& w = *request.workflow;
  exec::RunSettings settings;
  settings.workflow_file = w.relative;
  settings.run_id = request.id;
  settings.run_number = request.run_number;
  settings.run_attempt = request.run_attempt;
  settings.concurrency = request.concurrency;
  settings.scheduler.carried_over = request.carried_over;
  settings.secrets = request.secrets;
  settings.vars = request.vars;
  settings.inputs = request.inputs;
  settings.extra_env = request.env;
  settings.scheduler.parallel = host.parallel;
  settings.scheduler.slots = host.slots;
  settings.scheduler.platforms = host.platforms;
  settings.scheduler.matrix_filters = request.matrix_filters;
  settings.scheduler.only_jobs = request.only_jobs;
  settings.scheduler.cancel = request.cancel;
  settings.project_dir = project_dir(w.file, request.repository->info().root);
  settings.jobs_dir = jobs_dir;
  settings.data_dir = host.data_dir;
  settings.dry_run = request.dry_run;
  settings.bind = request.bind;
  settings.keep = request.keep;
  settings.verbose = request.verbose;
  settings.masker = request.masker;
  settings.actions = host.actions;
  return settings;
}

RunOutcome execute_run(const RunRequest& request, const HostSettings& host, store::Store& store,
                       exec::EventSink& sink) {
  RunOutcome outcome;
  outcome.schedule.result = exec::Result::failure;
  if (request.cancel && request.cancel->cancelled()) {  // cancelled while it waited
    outcome.schedule = {exec::Result::cancelled, true};
    finish(request, store, store::Result::cancelled, outcome);
    return outcome;
  }
  outcome.started = true;
  auto run_dir = exec::create_run_directory(host.work_root, request.id);
  if (!run_dir) {
    outcome.error = run_dir.error().message;
    finish(request, store, store::Result::failure, outcome);
    return outcome;
  }

  RunRecorder recorder(store, request.id);
  exec::MultiSink sinks;
  sinks.add(&sink);
  if (!request.dry_run) sinks.add(&recorder);
  exec::RunSettings settings = to_run_settings(request, host, *run_dir);
  // Without the caller's masker, one of our own: the secrets never go out unmasked.
  exec::Masker own_masker;
  if (!settings.masker) {
    if (request.secrets.kind() == expr::Kind::object)
      (void)add_secrets(own_masker, request.secrets.as_object());
    settings.masker = &own_masker;
  }
  auto ran = exec::run_workflow(request.workflow->workflow, *request.event, *request.repository,
                                settings, sinks);
  store::Result result = store::Result::failure;
  if (!ran) {
    outcome.error = settings.masker->mask(util::format_error(ran.error()));
  } else {
    outcome.schedule = *ran;
    result = static_cast<store::Result>(ran->result);
  }
  finish(request, store, result, outcome);
  if (std::string error = recorder.error(); !error.empty()) outcome.recording_error = error;
  std::error_code ec;
  std::filesystem::remove(*run_dir, ec);  // only when empty (no kept workspace)
  return outcome;
}

}  // namespace pipewright::pipeline
