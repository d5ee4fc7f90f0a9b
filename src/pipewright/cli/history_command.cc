// `pipewright history` (recent runs) and `pipewright logs RUN|last [JOB [STEP]]` (step
// logs as stored, i.e. masked). Exit codes: 0 shown, 2 unknown run/job/step or no store.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "pipewright/cli/commands.h"
#include "pipewright/store/data_dir.h"
#include "pipewright/store/store.h"

namespace pipewright::cli {

namespace {

constexpr int k_exit_usage = 2;

// `database`: --database ("" = SQLite in the data dir, or a postgresql:// URL).
util::Expected<std::unique_ptr<store::Store>> open_store(const std::string& database) {
  PW_TRY(dir, store::default_data_dir());
  PW_TRY_VOID(store::prepare_data_dir(dir));
  return store::open_store(database, dir);
}

std::string duration_text(const std::optional<store::TimePoint>& from,
                          const std::optional<store::TimePoint>& to) {
  if (!from || !to) return "-";
  auto ms = (*to - *from).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  return buf;
}

std::string status_text(store::Status status, const std::optional<store::Result>& result) {
  if (status == store::Status::completed && result) return std::string(store::to_string(*result));
  return std::string(store::to_string(status));
}

int show_history(int limit, const std::string& database) {
  auto history = open_store(database);
  if (!history) {
    std::cerr << "pipewright history: " << util::format_error(history.error()) << "\n";
    return k_exit_usage;
  }
  auto runs = (*history)->recent_runs(limit);
  if (!runs) {
    std::cerr << "pipewright history: " << runs.error().message << "\n";
    return k_exit_usage;
  }
  std::printf("%-6s %-30s %-5s %-18s %-12s %s\n", "RUN", "WORKFLOW", "#", "EVENT", "RESULT",
              "DURATION");
  for (const store::RunRecord& run : *runs)
    std::printf("%-6lld %-30s %-5lld %-18s %-12s %s\n", static_cast<long long>(run.id),
                run.workflow_name.c_str(), static_cast<long long>(run.run_number),
                run.event.c_str(), status_text(run.status, run.result).c_str(),
                duration_text(run.started_at, run.finished_at).c_str());
  return 0;
}

struct LogsOptions {
  std::string database;
  std::string run;
  std::string job;
  std::string step;
};

bool matches_step(const store::StepRecord& step, const std::string& wanted) {
  return wanted.empty() || step.name == wanted || std::to_string(step.index + 1) == wanted;
}

int show_logs(const LogsOptions& options) {
  auto history = open_store(options.database);
  if (!history) {
    std::cerr << "pipewright logs: " << util::format_error(history.error()) << "\n";
    return k_exit_usage;
  }
  store::Store& s = **history;
  std::optional<store::RunId> run_id;
  if (options.run == "last") {
    auto last = s.last_run();
    if (last) run_id = *last;
  } else {
    try {
      run_id = std::stoll(options.run);
    } catch (...) {
    }
  }
  if (!run_id) {
    std::cerr << "pipewright logs: no run '" << options.run << "' (a run id or 'last')\n";
    return k_exit_usage;
  }
  auto detail = s.run_detail(*run_id);
  if (!detail || !*detail) {
    std::cerr << "pipewright logs: no run " << *run_id << "\n";
    return k_exit_usage;
  }
  bool any = false;
  for (const store::JobDetail& job : (*detail)->jobs) {
    if (!options.job.empty() && job.job.job_id != options.job && job.job.name != options.job)
      continue;
    for (const store::StepRecord& step : job.steps) {
      if (!matches_step(step, options.step)) continue;
      any = true;
      std::cout << "=== " << job.job.name << " / " << step.name << " ("
                << (step.conclusion ? store::to_string(*step.conclusion) : "unfinished") << ")\n";
      if (step.log_ref.empty()) continue;
      auto read = s.read_step_log(step.id, {}, [](std::string_view chunk) {
        std::cout.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      });
      if (!read) std::cerr << "pipewright logs: " << read.error().message << "\n";
    }
  }
  if (!any) {
    std::cerr << "pipewright logs: nothing matches in run " << *run_id << "\n";
    return k_exit_usage;
  }
  return 0;
}

}  // namespace

void add_history_commands(CLI::App& app, int& exit_code) {
  constexpr const char* database_help =
      "The history database: postgresql://user:password@host:port/db (default: SQLite in "
      "the data dir)";
  auto limit = std::make_shared<int>(20);
  auto database = std::make_shared<std::string>();
  auto* history = app.add_subcommand("history", "Recent runs, newest first");
  history->add_option("-n,--limit", *limit, "How many runs (default 20), e.g. -n 5");
  history->add_option("--database", *database, database_help);
  history->callback([limit, database, &exit_code] { exit_code = show_history(*limit, *database); });

  auto options = std::make_shared<LogsOptions>();
  auto* logs = app.add_subcommand("logs", "Step logs of a run as stored (masked)");
  logs->add_option("run", options->run, "A run id or last")->required();
  logs->add_option("job", options->job, "Job id or name (optional)");
  logs->add_option("step", options->step, "Step name or 1-based number (optional)");
  logs->add_option("--database", options->database, database_help);
  logs->footer("Example: pipewright logs last build 2");
  logs->callback([options, &exit_code] { exit_code = show_logs(*options); });
}

}  // namespace pipewright::cli
