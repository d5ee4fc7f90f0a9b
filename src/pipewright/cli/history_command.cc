// `pipewright history` (recent runs) and `pipewright logs RUN|last [JOB [STEP]]` (step
// logs as stored, i.e. masked), from the local history or, with --server, from a server
// (the API's records are read into the same records, so both print the same way).
// `logs RUN --follow` streams a server's live log. Exit codes: 0 shown, 2 unknown
// run/job/step, no store or server unreachable, 1 the server refused (remote.h).
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipewright/cli/api_records.h"
#include "pipewright/cli/commands.h"
#include "pipewright/cli/remote.h"
#include "pipewright/store/data_dir.h"
#include "pipewright/store/store.h"

namespace pipewright::cli {

namespace {

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

// The one table of runs, for the local history and a server alike.
void print_history(const std::vector<store::RunRecord>& runs) {
  std::printf("%-6s %-30s %-5s %-18s %-12s %s\n", "RUN", "WORKFLOW", "#", "EVENT", "RESULT",
              "DURATION");
  for (const store::RunRecord& run : runs)
    std::printf("%-6lld %-30s %-5lld %-18s %-12s %s\n", static_cast<long long>(run.id),
                run.workflow_name.c_str(), static_cast<long long>(run.run_number),
                run.event.c_str(), status_text(run.status, run.result).c_str(),
                duration_text(run.started_at, run.finished_at).c_str());
}

// The newest `limit` runs of a server, in pages of at most 100 (the API's cap).
std::expected<std::vector<store::RunRecord>, int> server_history(Remote& remote, int limit) {
  const int per_page = std::clamp(limit, 1, 100);
  std::vector<store::RunRecord> runs;
  for (int page = 1; static_cast<int>(runs.size()) < limit; ++page) {
    auto answer =
        remote.call("GET", fmt::format("/api/v1/runs?per_page={}&page={}", per_page, page));
    if (!answer) return std::unexpected(answer.error());
    auto records = runs_from_api(*answer);
    if (!records) return std::unexpected(remote.fail(k_exit_failure, records.error().message));
    for (store::RunRecord& run : *records)
      if (static_cast<int>(runs.size()) < limit) runs.push_back(std::move(run));
    if (static_cast<int>(records->size()) < per_page) break;  // the last page
  }
  return runs;
}

int show_history(const CLI::App& command, int limit, const std::string& database) {
  if (auto remote = Remote::open(command, "pipewright history")) {
    auto runs = server_history(*remote, limit);
    if (!runs) return runs.error();
    print_history(*runs);
    return 0;
  }
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
  print_history(*runs);
  return 0;
}

struct LogsOptions {
  std::string database;
  std::string run;
  std::string job;
  std::string job_option;  // --job, the same as the JOB argument
  std::string step;
  bool follow = false;
};

bool matches_job(const store::JobRecord& job, const std::string& wanted) {
  return wanted.empty() || job.job_id == wanted || job.name == wanted ||
         std::to_string(job.id) == wanted;
}

bool matches_step(const store::StepRecord& step, const std::string& wanted) {
  return wanted.empty() || step.name == wanted || std::to_string(step.index + 1) == wanted;
}

using Sink = std::function<void(std::string_view)>;

// Where log text comes from: the local history has each step's log, a server each
// job's (every step's log in one text, split into steps when it can be).
struct LogSource {
  std::function<util::Expected<void>(const store::StepRecord&, const Sink&)> step_log;
  // The job's whole log into `text`; 0, or the exit code once it has printed why not.
  std::function<int(const store::JobRecord&, std::string& text)> job_text;
};

std::string_view conclusion_text(const std::optional<store::Result>& result) {
  return result ? store::to_string(*result) : "unfinished";
}

// The one way logs are printed: "=== JOB / STEP (conclusion)" then the step's log. A
// server's job log that cannot be split into its steps is printed whole under
// "=== JOB (conclusion)" (and then a STEP cannot be chosen).
int print_logs(const store::RunDetail& detail, const LogsOptions& options,
               const LogSource& source) {
  Sink out = [](std::string_view chunk) {
    std::cout.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  };
  bool any = false;
  for (const store::JobDetail& job : detail.jobs) {
    if (!matches_job(job.job, options.job)) continue;
    std::optional<std::vector<std::string>> step_texts;
    if (source.job_text) {
      std::string text;
      if (int code = source.job_text(job.job, text); code != 0) return code;
      step_texts = split_job_log(text, job.steps);
      if (!step_texts) {
        if (!options.step.empty()) {
          std::cerr << "pipewright logs: the server's log of " << job.job.name
                    << " does not mark its steps; leave out STEP to see all of it\n";
          return k_exit_usage;
        }
        any = true;
        std::cout << "=== " << job.job.name << " (" << conclusion_text(job.job.result) << ")\n";
        out(text);
        if (!text.empty() && text.back() != '\n') out("\n");
        continue;
      }
    }
    for (size_t i = 0; i < job.steps.size(); ++i) {
      const store::StepRecord& step = job.steps[i];
      if (!matches_step(step, options.step)) continue;
      any = true;
      std::cout << "=== " << job.job.name << " / " << step.name << " ("
                << conclusion_text(step.conclusion) << ")\n";
      if (step_texts) {
        out((*step_texts)[i]);
        continue;
      }
      if (step.log_ref.empty()) continue;
      auto read = source.step_log(step, out);
      if (!read) std::cerr << "pipewright logs: " << read.error().message << "\n";
    }
  }
  if (!any) {
    std::cerr << "pipewright logs: nothing matches in run " << detail.run.id << "\n";
    return k_exit_usage;
  }
  return 0;
}

int local_logs(const LogsOptions& options) {
  if (options.follow) {
    std::cerr << "pipewright logs: --follow reads a server's live log; give --server URL "
                 "(or PIPEWRIGHT_SERVER)\n";
    return k_exit_usage;
  }
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
  LogSource source;
  source.step_log = [&s](const store::StepRecord& step, const Sink& sink) {
    return s.read_step_log(step.id, {}, sink);
  };
  return print_logs(**detail, options, source);
}

// A run with its jobs from a server; prints why and returns the exit code on failure.
std::expected<store::RunDetail, int> server_run(Remote& remote, int64_t run) {
  auto answer = remote.call("GET", fmt::format("/api/v1/runs/{}", run), {},
                            fmt::format("run {} not found", run));
  if (!answer) return std::unexpected(answer.error());
  auto detail = run_detail_from_api(*answer);
  if (!detail) return std::unexpected(remote.fail(k_exit_failure, detail.error().message));
  return std::move(*detail);
}

// A string field of an event's data; '' when absent or not a string.
std::string string_field(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// --follow: prints log lines as the server streams them ("JOB | line", as `run` prints
// them when not on a terminal) and job results, until the run completes. Exit codes:
// 0 the run completed (whatever its conclusion), 1 the server sent an error event.
int follow_logs(Remote& remote, const store::RunDetail& detail, const LogsOptions& options) {
  std::map<std::string, const store::JobRecord*> jobs;  // by numeric id and by key
  for (const store::JobDetail& job : detail.jobs) {
    jobs[std::to_string(job.job.id)] = &job.job;
    jobs.emplace(job.job.job_id, &job.job);
  }
  // The job an event names (its numeric id or key, under any of the names servers use),
  // and its display name: the event's "name", else the run's, else the key.
  auto job_of = [&](const nlohmann::json& data, std::string& name) {
    const store::JobRecord* found = nullptr;
    std::string key;
    for (const char* field : {"job_run_id", "id", "job_id", "job"}) {
      auto it = data.find(field);
      if (it == data.end() || !(it->is_string() || it->is_number_integer())) continue;
      std::string value = it->is_string() ? it->get<std::string>() : it->dump();
      if (key.empty()) key = value;
      if (auto known = jobs.find(value); known != jobs.end()) {
        found = known->second;
        break;
      }
    }
    name = string_field(data, "name");
    if (name.empty()) name = found ? found->name : key;
    return found;
  };
  auto wanted = [&](const store::JobRecord* job, const std::string& name) {
    if (options.job.empty()) return true;
    return job ? matches_job(*job, options.job) : name == options.job;
  };
  int code = 0;
  auto done = remote.client().stream_events(
      fmt::format("/api/v1/runs/{}/logs/stream", detail.run.id), [&](const http::SseEvent& e) {
        auto data = nlohmann::json::parse(e.data, nullptr, false);
        if (!data.is_object()) return true;
        std::string name;
        if (e.event == "log") {
          const store::JobRecord* job = job_of(data, name);
          auto line = data.find("line");
          if (!wanted(job, name) || line == data.end() || !line->is_string()) return true;
          std::cout << name << " | " << line->get<std::string>() << "\n" << std::flush;
        } else if (e.event == "job") {
          const store::JobRecord* job = job_of(data, name);
          if (string_field(data, "status") == "completed" && wanted(job, name))
            std::cout << "=== " << name << " (" << string_field(data, "conclusion") << ")\n"
                      << std::flush;
        } else if (e.event == "run") {
          if (string_field(data, "status") != "completed") return true;
          std::cout << "=== run " << detail.run.id << " (" << string_field(data, "conclusion")
                    << ")\n"
                    << std::flush;
          return false;
        } else if (e.event == "reset") {  // the server dropped events this client missed
          std::cerr << "pipewright logs: the server skipped lines this client fell behind on\n";
        } else if (e.event ==
                   "error") {  // a stream cannot change its 200 status: errors come as events
          std::string message = string_field(data, "message");
          code = remote.fail(k_exit_failure,
                             message.empty() ? "the server ended the stream" : message);
          return false;
        }
        return true;
      });
  if (!done) return remote.fail(k_exit_usage, done.error().message);
  return code;
}

int server_logs(Remote& remote, const LogsOptions& options) {
  auto run = remote.resolve_run(options.run);
  if (!run) return run.error();
  auto detail = server_run(remote, *run);
  if (!detail) return detail.error();
  if (options.follow) return follow_logs(remote, *detail, options);
  LogSource source;
  source.job_text = [&](const store::JobRecord& job, std::string& text) {
    auto answer =
        remote.call_text("GET", fmt::format("/api/v1/runs/{}/jobs/{}/logs", job.run_id, job.id),
                         fmt::format("no log for job {} of run {}", job.name, job.run_id));
    if (!answer) return answer.error();
    text = std::move(*answer);
    return 0;
  };
  return print_logs(*detail, options, source);
}

int show_logs(const CLI::App& command, LogsOptions options) {
  if (options.job.empty()) options.job = options.job_option;
  if (auto remote = Remote::open(command, "pipewright logs")) return server_logs(*remote, options);
  return local_logs(options);
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
  add_server_option(*history);
  history->callback([history, limit, database, &exit_code] {
    exit_code = show_history(*history, *limit, *database);
  });

  auto options = std::make_shared<LogsOptions>();
  auto* logs = app.add_subcommand("logs", "Step logs of a run as stored (masked)");
  logs->add_option("run", options->run, "A run id or last")->required();
  logs->add_option("job", options->job, "Job id or name (optional)");
  logs->add_option("step", options->step, "Step name or 1-based number (optional)");
  logs->add_option("--job", options->job_option, "Job id or name (the same as JOB)");
  logs->add_option("--database", options->database, database_help);
  logs->add_flag("-f,--follow", options->follow,
                 "Print a server's live log as it comes, until the run completes");
  logs->footer(
      "Examples: pipewright logs last build 2\n"
      "          pipewright --server http://127.0.0.1:8420 logs 12 --follow");
  add_server_option(*logs);
  logs->callback([logs, options, &exit_code] { exit_code = show_logs(*logs, *options); });
}

}  // namespace pipewright::cli
