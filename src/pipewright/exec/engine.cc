#include "pipewright/exec/engine.h"

#include <filesystem>
#include <optional>

#include <unistd.h>

#include "pipewright/exec/masking_sink.h"
#include "pipewright/exec/runner_image.h"
#include "pipewright/exec/workspace.h"
#include "pipewright/plan/contexts.h"

extern char** environ;

namespace pipewright::exec {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string workflow_display_name(const workflow::Workflow& workflow, const std::string& file) {
  if (workflow.name.present()) return workflow.name.value;
  return file.empty() ? workflow.file : file;
}

}  // namespace

EnvList host_environment() {
  EnvList env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(text.substr(0, eq));
    if (name.starts_with("GITHUB_") || name.starts_with("RUNNER_") || name == "ACT") continue;
    env.emplace_back(std::move(name), std::string(text.substr(eq + 1)));
  }
  return env;
}

util::Expected<ScheduleOutcome> run_workflow(const workflow::Workflow& workflow,
                                             const plan::Event& event,
                                             const plan::Repository& repository,
                                             const RunSettings& settings, EventSink& sink) {
  auto started = SteadyClock::now();
  std::string name = workflow_display_name(workflow, settings.workflow_file);

  // Contexts: github and runner for the whole run.
  plan::RunInfo info;
  info.workflow = name;
  info.workflow_file = settings.workflow_file;
  info.run_id = settings.run_id;
  info.run_number = settings.run_number;
  info.run_attempt = settings.run_attempt;
  info.workspace = repository.info().root;
  if (const expr::Value* token = settings.secrets.member("GITHUB_TOKEN"))
    info.token = token->to_display_string();
  std::error_code ec;
  // Run-wide runner files (the apt config, the sudo shim; the default tool cache), gone
  // when the run ends however it ends.
  std::string runner_dir = settings.jobs_dir + "/_runner";
  std::filesystem::create_directories(runner_dir, ec);
  struct RemovedAtEnd {
    const std::string& path;
    ~RemovedAtEnd() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } runner_files{runner_dir};
  plan::RunnerInfo runner = plan::detect_runner(runner_dir, settings.verbose);

  RunContext run;
  run.workflow = &workflow;
  run.workflow_name = name;
  run.github = plan::github_context(repository.info(), event, info);
  run.runner = plan::runner_context(runner);
  run.vars = settings.vars;
  run.secrets = settings.secrets;
  run.inputs = settings.inputs;
  run.masker = settings.masker;
  // Every event goes through the masker before any sink (masking_sink.h).
  std::optional<MaskingSink> masking;
  if (settings.masker) masking.emplace(sink, *settings.masker);
  EventSink& out = masking ? static_cast<EventSink&>(*masking) : sink;
  run.sink = &out;
  run.source_dir = repository.info().root;
  run.jobs_dir = settings.jobs_dir;
  run.repo_dir = workspace_repo_name(repository.info().repository);
  std::string scratch = scratch_root();
  if (!scratch.empty()) run.scratch_dir = scratch + "/" + std::to_string(settings.run_id);
  run.bind = settings.bind;
  run.keep = settings.keep;
  run.verbose = settings.verbose;
  run.actions = settings.actions;
  if (!settings.project_dir.empty() && settings.project_dir != run.source_dir) {
    std::string prefix =
        std::filesystem::path(settings.project_dir).lexically_relative(run.source_dir).string() +
        "/";
    run.source_dir = settings.project_dir;
    if (!settings.bind) {
      PW_TRY(files, repository.working_tree_files());
      for (const std::string& file : files)
        if (file.starts_with(prefix)) run.workspace_files.push_back(file.substr(prefix.size()));
    }
  } else if (!settings.bind) {
    PW_TRY(files, repository.working_tree_files());
    run.workspace_files = std::move(files);
  }
  // A data dir or work root inside the working tree (XDG_DATA_HOME=./.data, not ignored)
  // holds the jobs' own workspaces and history: copying it into each workspace would
  // snowball.
  for (const std::string& inside :
       {settings.data_dir, std::filesystem::path(settings.jobs_dir).parent_path().string()}) {
    if (inside.empty()) continue;
    std::string relative =
        std::filesystem::path(inside).lexically_relative(run.source_dir).string();
    if (!relative.empty() && !relative.starts_with("..") && relative != ".")
      std::erase_if(run.workspace_files,
                    [&](const std::string& file) { return file.starts_with(relative + "/"); });
  }
  run.base_env = host_environment();
  for (const auto& [k, v] : settings.extra_env)
    env_set(run.base_env, k, v);
  run.cli_env = settings.extra_env;
  for (auto& [k, v] : plan::default_environment(run.github, run.runner))
    env_set(run.base_env, std::move(k), std::move(v));
  // What a runner image gives every job (exec/runner_image.h), once for the run.
  RunnerImageOptions image_options;
  image_options.root = ::geteuid() == 0;
  image_options.host_path = env_lookup(run.base_env, "PATH").value_or("/usr/bin:/bin");
  image_options.host_apt_config = env_lookup(run.base_env, "APT_CONFIG").value_or("");
  PW_TRY(image, prepare_runner_image(runner_dir, image_options));
  for (const auto& [k, v] : image.env)
    env_set(run.base_env, k, v);
  if (!image.bin_dir.empty())
    env_set(run.base_env, "PATH", image.bin_dir + ":" + image_options.host_path);

  // The workflow's concurrency group (contexts: github, inputs, vars), taken before any
  // job starts and left when the run ends.
  SchedulerOptions scheduler = settings.scheduler;
  scheduler.concurrency = settings.concurrency;
  scheduler.run_label = "run " + std::to_string(settings.run_id) + " (" + name + ")";
  ConcurrencyTicket ticket;
  if (settings.concurrency) {
    expr::EvalContext ctx;
    ctx.set("github", run.github);
    ctx.set("inputs", run.inputs);
    ctx.set("vars", run.vars);
    PW_TRY(request, evaluate_concurrency(workflow.concurrency, ctx, scheduler.run_label));
    if (request) ticket = settings.concurrency->enter(*request);
    scheduler.run_ticket = &ticket;
  }

  out.run_started(
      RunStart{settings.workflow_file, name, event.name, event.ref, event.sha, Clock::now()});
  const os::CancelToken* cancel = settings.scheduler.cancel;
  TicketStatus admitted =
      ticket.wait([cancel] { return cancel && cancel->cancelled(); },
                  [&](const TicketStatus& s) { out.run_waiting(name, s.reason); });
  if (admitted.state != TicketState::running) {
    // Cancelled while pending (a newer run replaced it) or Ctrl-C: no job runs.
    ScheduleOutcome cancelled{Result::cancelled, true};
    std::string reason =
        admitted.state == TicketState::cancelled ? admitted.reason : "the run was cancelled";
    out.run_finished(
        RunEnd{Result::cancelled,
               std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started),
               reason, name});
    return cancelled;
  }
  auto executor = settings.dry_run ? make_plan_executor() : make_host_executor();
  auto outcome = [&] {
    DirectoryJanitor janitor;  // its destructor waits for the last job's directories
    run.janitor = &janitor;
    auto scheduled = schedule_run(run, *executor, scheduler);
    run.janitor = nullptr;
    return scheduled;
  }();
  if (!scratch.empty()) {
    std::filesystem::remove(run.scratch_dir, ec);
    std::filesystem::remove(scratch, ec);  // only when empty (no other run)
  }
  if (!outcome) return outcome;
  RunEnd end{outcome->result,
             std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started),
             "", name};
  if (TicketStatus held = ticket.status(); held.cancel_requested) end.reason = held.reason;
  ticket.release();
  out.run_finished(end);
  return outcome;
}

}  // namespace pipewright::exec
