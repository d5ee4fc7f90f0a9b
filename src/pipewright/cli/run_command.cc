// `pipewright run [EVENT]`: runs the repository's workflows for an event, natively
// (issue 3). Reads like DESIGN.md's data flow: load, select, plan + schedule, report;
// everything but the flags and the printing is pipeline/'s, shared with the server.
// Exit codes: 0 every required job succeeded, 1 a job failed, 2 invalid input or
// usage, 130 cancelled.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include "pipewright/cli/commands.h"
#include "pipewright/cli/run_inputs.h"
#include "pipewright/exec/actions/tool_downloads.h"
#include "pipewright/exec/actions/toolchains.h"
#include "pipewright/exec/console.h"
#include "pipewright/exec/engine.h"
#include "pipewright/exec/live_board.h"
#include "pipewright/exec/terminal.h"
#include "pipewright/os/engine_leftovers.h"
#include "pipewright/os/file.h"
#include "pipewright/os/signals.h"
#include "pipewright/pipeline/execute.h"
#include "pipewright/pipeline/host.h"
#include "pipewright/pipeline/workflows.h"
#include "pipewright/plan/event.h"
#include "pipewright/plan/graph.h"
#include "pipewright/plan/triggers.h"
#include "pipewright/store/store.h"

namespace pipewright::cli {

namespace {

namespace fs = std::filesystem;
using expr::Object;
using expr::Value;

struct RunOptions {
  std::string event = "push";
  std::string workflows;
  std::vector<std::string> jobs;
  std::string event_path;
  std::vector<std::string> inputs, secrets, vars, envs, matrix, platforms;
  std::string secret_file, var_file, env_file;
  int parallel = 0;
  bool dry_run = false, list = false, json = false, bind = false, keep = false, verbose = false;
  std::optional<std::string> graph;  // --graph[=text|mermaid|dot]
  // uses: (issue 4): --actions-url, --offline, --no-builtins[=LIST], --tool (repeatable).
  std::string actions_url;
  bool offline = false;
  std::optional<std::string> no_builtins;
  std::vector<std::string> tools;
  std::vector<std::string> tool_mirrors;  // --tool-mirror [TOOL=]URL (repeatable)
  std::string work_dir;                   // --work-dir, else $PIPEWRIGHT_WORK_DIR
};

constexpr int k_exit_failure = 1;
constexpr int k_exit_usage = 2;
constexpr int k_exit_cancelled = 130;

void error(const std::string& message) {
  // One write: lines from job threads on stdout never land inside it.
  std::cerr << ("pipewright run: " + message + "\n") << std::flush;
}

// secrets: -s NAME=VALUE, -s NAME (from our environment), --secret-file.
util::Expected<Object> collect_secrets(const RunOptions& options) {
  Object secrets;
  if (!options.secret_file.empty()) {
    PW_TRY(text, os::read_file(options.secret_file, 16 * 1024 * 1024));
    PW_TRY(pairs, parse_dotenv(text, options.secret_file));
    for (auto& [k, v] : pairs)
      secrets.set(k, Value(v));
  }
  for (const std::string& item : options.secrets) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      const char* value = std::getenv(item.c_str());
      if (!value) return util::fail("-s " + item + ": no such environment variable");
      secrets.set(item, Value(std::string(value)));
    } else {
      PW_TRY(pair, split_pair(item, '=', "-s/--secret"));
      secrets.set(pair.first, Value(pair.second));
    }
  }
  return secrets;
}

util::Expected<Pairs> collect_pairs(const std::vector<std::string>& items, const std::string& file,
                                    char separator, std::string_view option) {
  Pairs pairs;
  if (!file.empty()) {
    PW_TRY(text, os::read_file(file, 16 * 1024 * 1024));
    PW_TRY(parsed, parse_dotenv(text, file));
    pairs = std::move(parsed);
  }
  for (const std::string& item : items) {
    PW_TRY(pair, split_pair(item, separator, option));
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

void print_list(const std::vector<pipeline::LoadedWorkflow>& loaded,
                const std::map<std::string, std::string>& platforms) {
  std::vector<plan::ListRow> rows;
  for (const pipeline::LoadedWorkflow& w : loaded)
    for (plan::ListRow& row : plan::list_rows(w.workflow, w.trigger)) {
      row.workflow_file = w.relative;
      if (const workflow::Job* job = w.workflow.find_job(row.job_id); job && !row.job_id.empty())
        row.skip = exec::known_skip_reason(*job, platforms);
      rows.push_back(std::move(row));
    }
  std::cout << plan::render_list(rows);
}

// `--graph[=FORMAT]`: the job DAG of every triggered workflow. Returns the exit code.
int print_graphs(const std::vector<pipeline::LoadedWorkflow>& loaded,
                 const std::string& format_text) {
  auto format = plan::parse_graph_format(format_text.empty() ? "text" : format_text);
  if (!format) {
    error("--graph=" + format_text + ": expected text, mermaid or dot");
    return k_exit_usage;
  }
  for (const pipeline::LoadedWorkflow& w : loaded) {
    if (!w.trigger.matched) continue;
    auto graph = plan::JobGraph::build(w.workflow);
    if (!graph) {
      error(util::format_error(graph.error()));
      return k_exit_usage;
    }
    std::cout << plan::render_graph(*graph, *format, pipeline::workflow_name(w));
  }
  return 0;
}

// The `uses:` settings from --actions-url, --offline, --no-builtins, --tool and
// --tool-mirror (the stores in the data dir are pipeline::prepare_host's). Fails on a
// malformed --tool or --tool-mirror.
util::Expected<exec::actions::ActionSettings> action_settings(const RunOptions& options) {
  exec::actions::ActionSettings settings;
  if (!options.actions_url.empty()) settings.actions_url = options.actions_url;
  settings.offline = options.offline;
  if (options.no_builtins && options.no_builtins->empty()) settings.builtins = false;
  if (options.no_builtins) {
    std::string_view list = *options.no_builtins;
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      while (!item.empty() && item.front() == ' ')
        item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ')
        item.remove_suffix(1);
      if (!item.empty()) settings.no_builtins.emplace_back(item);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  for (const std::string& tool : options.tools) {
    auto mapping = exec::actions::parse_tool_mapping(tool);
    if (!mapping) return util::fail("--tool " + tool + ": " + mapping.error().message);
  }
  settings.tools = options.tools;
  for (const std::string& mirror : options.tool_mirrors)
    if (auto parsed = exec::actions::parse_tool_mirror(mirror); !parsed)
      return util::fail(parsed.error().message);
  settings.tool_mirrors = options.tool_mirrors;
  return settings;
}

// Adopts orphans and ends the processes of engines that died mid-step, saying which on
// stderr.
void take_over_processes() {
  auto report = pipeline::take_over_processes();
  if (!report) {
    error("cannot look for processes of crashed runs: " + report.error().message);
    return;
  }
  if (report->ended.empty()) return;
  std::cerr << "pipewright run: ended " << report->ended.size()
            << " process(es) left running by engines that died:\n";
  for (const os::EndedLeftover& p : report->ended)
    std::cerr << "  pid " << p.pid << " " << p.name << " (engine pid " << p.engine_pid << ")\n";
}

int run_run(const RunOptions& options) {
  // Process control: we adopt orphans, end crashed engines' leftovers; Ctrl-C cancels.
  take_over_processes();
  auto cancel = os::CancelToken::create();
  if (!cancel) {
    error(cancel.error().message);
    return k_exit_usage;
  }
  auto handlers = os::CancelSignalHandlers::install(*cancel);

  // Inputs from the command line.
  auto secrets = collect_secrets(options);
  auto vars = collect_pairs(options.vars, options.var_file, '=', "--var");
  auto envs = collect_pairs(options.envs, options.env_file, '=', "--env");
  auto matrix = collect_pairs(options.matrix, "", ':', "--matrix");
  auto platforms = collect_pairs(options.platforms, "", '=', "-P/--platform");
  auto inputs = collect_pairs(options.inputs, "", '=', "--input");
  for (const util::Error* e :
       {secrets ? nullptr : &secrets.error(), vars ? nullptr : &vars.error(),
        envs ? nullptr : &envs.error(), matrix ? nullptr : &matrix.error(),
        platforms ? nullptr : &platforms.error(), inputs ? nullptr : &inputs.error()}) {
    if (!e) continue;
    error(util::format_error(*e));
    return k_exit_usage;
  }
  for (const auto& [label, target] : *platforms)
    if (target != "host" && target != "skip") {
      error("-P " + label + "=" + target + ": the target must be 'host' or 'skip'");
      return k_exit_usage;
    }

  // 1. Load: the repository and every workflow file.
  auto repository = plan::Repository::open(fs::current_path().string());
  if (!repository) {
    error(repository.error().message);
    return k_exit_usage;
  }
  auto workflows = pipeline::load_workflows(repository->info().root, options.workflows);
  if (!workflows) {
    error(workflows.error().message);
    return k_exit_usage;
  }
  std::cerr << workflows->rendered_errors;
  if (workflows->invalid) return k_exit_usage;

  // 2. Select: the event, and the workflows whose `on:` matches it.
  plan::EventOptions event_options;
  event_options.name = options.event;
  event_options.event_path = options.event_path;
  event_options.inputs = *inputs;
  auto event = plan::build_event(event_options, *repository);
  if (!event) {
    error(util::format_error(event.error()));
    return k_exit_usage;
  }
  if (auto selected = pipeline::select_workflows(*workflows, *event); !selected) {
    error(util::format_error(selected.error()));
    return k_exit_usage;
  }
  if (options.list) {
    print_list(workflows->list, {platforms->begin(), platforms->end()});
    return 0;
  }
  if (options.graph) return print_graphs(workflows->list, *options.graph);
  if (pipeline::triggered_count(*workflows) == 0) {
    std::cerr << "pipewright run: no workflow runs on " << options.event << ":\n";
    for (const pipeline::LoadedWorkflow& w : workflows->list)
      std::cerr << "  " << w.relative << ": " << w.trigger.reason << "\n";
    return 0;
  }

  // The host (data dir, work root, `uses:` settings, job slots) and the run history.
  auto actions = action_settings(options);
  if (!actions) {
    error(util::format_error(actions.error()));
    return k_exit_usage;
  }
  pipeline::HostOptions host_options;
  host_options.work_dir = options.work_dir;
  host_options.actions = std::move(*actions);
  host_options.parallel = options.parallel > 0 ? options.parallel : 0;
  host_options.platforms = {platforms->begin(), platforms->end()};
  auto host = pipeline::prepare_host(host_options);
  if (!host) {
    error(util::format_error(host.error()));
    return k_exit_usage;
  }
  auto history = store::open_sqlite_store(host->data_dir);
  if (!history) {
    error(history.error().message);
    return k_exit_usage;
  }

  exec::Masker masker;
  for (const std::string& warning : pipeline::add_secrets(masker, *secrets))
    std::cerr << "warning: " << warning << "\n";

  exec::PlainConsole plain(stdout, exec::ConsoleOptions{options.verbose});
  exec::JsonConsole json(stdout);
  exec::EventSink& console = options.json ? static_cast<exec::EventSink&>(json) : plain;
  // On a terminal (not --json, not CI=true): the live board instead of plain lines.
  std::unique_ptr<exec::LiveBoard> board;
  if (!options.json && !options.dry_run && exec::board_wanted())
    board = std::make_unique<exec::LiveBoard>(
        exec::stdout_terminal(), exec::BoardOptions{options.verbose, exec::colour_wanted()});
  std::mutex report_mutex;
  auto report_error = [&](const std::string& message) {
    if (board) return board->print_above("pipewright run: " + message);
    std::lock_guard lock(report_mutex);
    error(message);
  };

  Object vars_object;
  for (const auto& [k, v] : *vars)
    vars_object.set(k, Value(v));

  // The triggered workflows, each with its inputs and its run record.
  struct PendingRun {
    pipeline::RunRequest request;
    std::unique_ptr<exec::EventSink> console_sink;  // the board's or --json's for this run
    pipeline::RunOutcome outcome;
  };
  exec::ConcurrencyGroups groups;
  std::vector<PendingRun> runs;
  for (const pipeline::LoadedWorkflow& w : workflows->list) {
    if (!w.trigger.matched) continue;
    auto run_inputs = pipeline::run_inputs(w, *event);
    if (!run_inputs) {
      error(util::format_error(run_inputs.error()));  // its location names the file
      return k_exit_usage;
    }
    pipeline::RunRequest& request = runs.emplace_back().request;
    request.workflow = &w;
    request.event = &*event;
    request.repository = &*repository;
    request.inputs = std::move(*run_inputs);
    request.secrets = Value(*secrets);
    request.vars = Value(vars_object);
    request.env = *envs;
    request.matrix_filters = *matrix;
    request.only_jobs = options.jobs;
    request.cancel = &*cancel;      // Ctrl-C cancels every run
    request.concurrency = &groups;  // `concurrency:` groups span the workflows run at once
    request.masker = &masker;
    request.dry_run = options.dry_run;
    request.bind = options.bind;
    request.keep = options.keep;
    request.verbose = options.verbose;
  }
  for (PendingRun& run : runs) {
    const pipeline::LoadedWorkflow& w = *run.request.workflow;
    if (options.dry_run) {  // -n walks the plan: nothing is recorded
      plain.summary().add_run(pipeline::workflow_name(w));
      continue;
    }
    auto record = pipeline::begin_run(**history, w, *event);
    if (!record) {
      error(record.error().message);
      for (const PendingRun& begun : runs)
        if (begun.request.id != 0)
          (void)(*history)->finish_run(
              begun.request.id, store::Result::failure,
              std::chrono::time_point_cast<std::chrono::milliseconds>(store::Clock::now()));
      return k_exit_usage;
    }
    run.request.id = record->id;
    run.request.run_number = record->run_number;
    // The summary lists the workflows in file order, whichever starts first.
    plain.summary().add_run(pipeline::workflow_name(w));
    if (board)
      run.console_sink = board->run_sink(run.request.id, pipeline::workflow_name(w));
    else if (options.json)
      run.console_sink = json.run_sink(run.request.id, pipeline::workflow_name(w));
  }

  // 3-5. Plan, schedule, record: every triggered workflow at once, each with its own
  // run id; they share the -p limit (the host's job slots) and Ctrl-C.
  auto run_one = [&](PendingRun& run) {
    exec::EventSink& sink = run.console_sink ? *run.console_sink : console;
    run.outcome = pipeline::execute_run(run.request, *host, **history, sink);
    if (!run.outcome.error.empty()) report_error(run.outcome.error);
    if (!run.outcome.recording_error.empty())
      report_error("recording the run: " + run.outcome.recording_error);
  };
  if (board) board->start();
  if (options.dry_run && !options.json)
    std::cout << "Dry run: the plan of each job, its steps and what is skipped; nothing runs.\n";
  if (runs.size() == 1) {
    run_one(runs.front());
  } else {
    std::vector<std::thread> threads;
    for (PendingRun& run : runs)
      threads.emplace_back([&run_one, &run] { run_one(run); });
    for (std::thread& thread : threads)
      thread.join();
  }
  if (board) board->stop();

  // 6. Report: the summary table, counts, annotations and step summaries, then where
  // each run's logs are.
  bool any_failed = false, cancelled = false;
  for (const PendingRun& run : runs) {
    any_failed |= run.outcome.schedule.result == exec::Result::failure;
    cancelled |= run.outcome.schedule.cancelled;
  }
  if (!options.json) {
    std::string summary =
        board ? board->summary().render(exec::colour_wanted()) : plain.summary().render();
    std::fwrite(summary.data(), 1, summary.size(), stdout);
    for (const PendingRun& run : runs)
      if (!options.dry_run)
        std::printf("run %lld: logs with `pipewright logs %lld` (%s; stored in %s)\n",
                    static_cast<long long>(run.request.id), static_cast<long long>(run.request.id),
                    pipeline::workflow_name(*run.request.workflow).c_str(), host->data_dir.c_str());
    std::fflush(stdout);
  }
  if (cancelled) return k_exit_cancelled;
  return any_failed ? k_exit_failure : 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run the repository's workflows for an event, natively");
  cmd->footer(
      "Exit codes: 0 every required job succeeded, 1 a job failed, 2 invalid input or usage,\n"
      "130 cancelled (Ctrl-C; a second Ctrl-C kills at once).\n"
      "Examples:\n"
      "  pipewright run                        # push: every workflow whose on: matches\n"
      "  pipewright run pull_request -l        # which workflows/jobs a PR would run, and why\n"
      "  pipewright run -W .github/workflows/ci.yml -j test -s TOKEN=abc --json\n"
      "  pipewright run --offline --no-builtins=actions/cache --tool "
      "python=3.12:/opt/py312/bin/python3");
  cmd->add_option("event", options->event, "Event to run for (default push), e.g. pull_request");
  cmd->add_option("-W,--workflows", options->workflows,
                  "Workflow file or directory (default .github/workflows), e.g. -W ci.yml");
  cmd->add_option("-j,--job", options->jobs,
                  "Run only this job and what it needs (repeatable), e.g. -j test");
  cmd->add_option("-e,--eventpath", options->event_path,
                  "Event payload JSON merged over the synthesized one, e.g. -e pr.json");
  cmd->add_option("--input", options->inputs,
                  "workflow_dispatch input (repeatable), e.g. --input level=debug");
  cmd->add_option("-s,--secret", options->secrets,
                  "Secret NAME=VALUE, or NAME to read it from the environment, e.g. -s TOKEN");
  cmd->add_option(
      "--secret-file", options->secret_file,
      "Secrets from a dotenv file (multi-line values quoted), e.g. --secret-file .secrets");
  cmd->add_option("--var", options->vars, "Configuration variable (vars.*), e.g. --var REGION=eu");
  cmd->add_option("--var-file", options->var_file,
                  "Variables from a dotenv file, e.g. --var-file .vars");
  cmd->add_option("--env", options->envs,
                  "Environment variable for every step, e.g. --env DEBUG=1");
  cmd->add_option("--env-file", options->env_file,
                  "Environment from a dotenv file, e.g. --env-file .env");
  cmd->add_option("--matrix", options->matrix,
                  "Keep only matrix legs with this value (repeatable), e.g. --matrix python:3.12");
  cmd->add_option("-P,--platform", options->platforms,
                  "Map a runs-on label to this host or skip it, e.g. -P gpu=host -P macos-14=skip");
  cmd->add_option("-p,--parallel", options->parallel,
                  "Jobs running at once (default: number of cores), e.g. -p 2");
  cmd->add_flag("-n,--dry-run", options->dry_run,
                "Walk the plan: every job and matrix leg with its steps, what would be skipped "
                "and why; nothing runs or is recorded");
  cmd->add_flag("-l,--list", options->list,
                "Table of workflows and jobs: triggered or not, and why");
  cmd->add_option("-g,--graph", options->graph,
                  "Print the job graph: text, mermaid or dot, e.g. --graph=mermaid")
      ->expected(0, 1);
  cmd->add_flag("--json", options->json, "One JSON event per line on stdout (run.started, ...)");
  cmd->add_flag("--bind", options->bind, "Run in the working copy instead of a per-job copy of it");
  cmd->add_flag("--keep", options->keep, "Keep job workspaces after the run");
  cmd->add_option("--work-dir", options->work_dir,
                  "Where job workspaces go: DIR/<run>/<job>/<repo>/<repo> (also "
                  "PIPEWRIGHT_WORK_DIR); no hidden directory in the path");
  cmd->add_flag("-v,--verbose", options->verbose, "Show ::debug:: lines and more detail");
  cmd->add_option("--actions-url", options->actions_url,
                  "Where remote actions are cloned from (default https://github.com), e.g. "
                  "--actions-url file:///srv/mirror");
  cmd->add_flag("--offline", options->offline,
                "Use only actions already in the action cache (see `pipewright actions pull`)");
  cmd->add_option("--no-builtins", options->no_builtins,
                  "Run the real actions instead of the native built-ins (all, or a list), e.g. "
                  "--no-builtins=actions/cache,actions/checkout")
      ->expected(0, 1);
  cmd->add_option("--tool", options->tools,
                  "Map a toolchain version to an install (repeatable), e.g. "
                  "--tool python=3.12:/opt/py312/bin/python3, --tool node=host (every version)");
  cmd->add_option("--tool-mirror", options->tool_mirrors,
                  "Release index setup-node (bare URL, layout of https://nodejs.org/dist) or "
                  "setup-go (go=URL) downloads missing versions from, e.g. --tool-mirror "
                  "file:///srv/node-dist");
  cmd->callback([options, cmd, &exit_code] {
    if (cmd->count("--graph") > 0 && !options->graph) options->graph = "text";
    if (cmd->count("--no-builtins") > 0 && !options->no_builtins) options->no_builtins = "";
    exit_code = run_run(*options);
  });
}

}  // namespace pipewright::cli
