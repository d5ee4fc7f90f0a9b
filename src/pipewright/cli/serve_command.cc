// `pipewright serve`: runs the team server in the foreground (issue 12). One structured
// line per event on stderr; SIGTERM/SIGINT drain (no new runs, running jobs get the
// grace period, then are cancelled as GitHub does); SIGHUP reloads. Exit codes: 0 after
// a drain, 2 when the server cannot start (address in use, unusable data dir, bad key).
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>

#include "pipewright/cli/commands.h"
#include "pipewright/server/server.h"
#include "pipewright/store/data_dir.h"

namespace pipewright::cli {

namespace {

struct ServeFlags {
  server::ServeOptions options;
  int grace_seconds = 600;
};

int run_serve(ServeFlags& flags) {
  server::ServeOptions& options = flags.options;
  if (options.data_dir.empty()) {
    auto dir = store::default_data_dir();
    if (!dir) {
      std::cerr << "pipewright serve: no data directory (give --data-dir or set XDG_DATA_HOME)\n";
      return 2;
    }
    options.data_dir = *dir;
  }
  auto log_mutex = std::make_shared<std::mutex>();
  options.log = [log_mutex](std::string_view line) {
    std::lock_guard lock(*log_mutex);
    std::cerr << line << '\n' << std::flush;
  };
  // The signals are taken by sigwait below; every thread the server starts inherits
  // the block (step processes get a clean mask from os::spawn).
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP})
    sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = server::Server::start(options);
  if (!server) {
    std::cerr << "pipewright serve: " << util::format_error(server.error()) << "\n";
    if (!server.error().hint.empty()) std::cerr << "  " << server.error().hint << "\n";
    return 2;
  }
  std::cout << "pipewright serve: listening on "
            << options.listen.substr(0, options.listen.rfind(':')) << ":" << (*server)->port()
            << std::endl;
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      (*server)->reload();
      continue;
    }
    break;
  }
  (*server)->drain(std::chrono::seconds(flags.grace_seconds));
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "Run the team server: webhooks, cron, queue, API");
  cmd->footer(
      "Signals: SIGTERM/SIGINT drain (running jobs get --grace, then are cancelled), SIGHUP "
      "reloads.\nExamples:\n"
      "  pipewright serve --listen 127.0.0.1:8420 --data-dir /var/lib/pipewright\n"
      "  pipewright token create --role admin --name me --data-dir /var/lib/pipewright");
  cmd->add_option("--listen", flags->options.listen,
                  "Address to listen on (default 127.0.0.1:8420)");
  cmd->add_option("--data-dir", flags->options.data_dir,
                  "History, logs, mirrors and the secret key (default: the user's data dir)");
  cmd->add_option("--database", flags->options.database,
                  "The store: sqlite (default, in the data dir) or postgresql://...");
  cmd->add_option("--work-dir", flags->options.work_dir, "Where job workspaces go");
  cmd->add_option("-p,--parallel", flags->options.parallel,
                  "Jobs running at once (default: cores)");
  cmd->add_option(
      "--public-url", flags->options.public_url,
      "How users reach this server (run links in the log), e.g. https://ci.example.com");
  cmd->add_flag("--requeue-interrupted", flags->options.requeue_interrupted,
                "Run again (as a new attempt) the runs a crash interrupted");
  cmd->add_option("--retention-days", flags->options.retention_days,
                  "Runs, logs and artifacts older than this go, hourly (default 90)");
  cmd->add_option("--retention-keep", flags->options.retention_keep,
                  "...except the newest N runs of each workflow (default 10)");
  cmd->add_option("--grace", flags->grace_seconds,
                  "Seconds running jobs get to finish on SIGTERM before they are cancelled "
                  "(default 600)");
  cmd->callback([flags, &exit_code] { exit_code = run_serve(*flags); });
}

}  // namespace pipewright::cli
