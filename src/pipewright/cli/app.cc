#include "pipewright/cli/app.h"

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "pipewright/cli/commands.h"
#include "pipewright/cli/remote.h"

namespace pipewright::cli {

// Registers `pipewright actions pull` (cli/actions_command.cc).
void add_actions_command(CLI::App& app, int& exit_code);
// Registers `pipewright artifacts` (cli/artifacts_command.cc).
void add_artifacts_command(CLI::App& app, int& exit_code);

namespace {
using AddCommand = void (*)(CLI::App&, int&);

// One row per subcommand (STYLE.md rule 8).
constexpr AddCommand k_commands[] = {
    add_lint_command,    add_eval_command,      add_run_command,     add_history_commands,
    add_actions_command, add_artifacts_command, add_backup_commands, add_server_commands,
    add_admin_commands,  add_serve_command,
};
}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"Pipewright: run GitHub Actions workflows natively", "pipewright"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pipewright 0.1.0");
  int exit_code = 0;
  add_server_option(app);
  for (AddCommand add : k_commands)
    add(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::cerr << "pipewright: internal error: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}

}  // namespace pipewright::cli
