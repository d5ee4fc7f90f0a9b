// Subcommands. Each lives in its own <name>_command.cc and adds itself to the
// CLI11 app; its handler returns the process exit code through `exit_code`.
#pragma once

namespace CLI {
class App;
}

namespace pipewright::cli {

// Registers `pipewright eval` (cli/eval_command.cc).
void add_eval_command(CLI::App& app, int& exit_code);
// Registers `pipewright lint` (cli/lint_command.cc).
void add_lint_command(CLI::App& app, int& exit_code);
// Registers `pipewright run` (cli/run_command.cc).
void add_run_command(CLI::App& app, int& exit_code);
// Registers `pipewright history` and `pipewright logs` (cli/history_command.cc).
void add_history_commands(CLI::App& app, int& exit_code);
// Registers `pipewright backup` and `pipewright restore` (cli/backup_command.cc).
void add_backup_commands(CLI::App& app, int& exit_code);

// Registers `pipewright cancel`, `rerun` and `dispatch` (cli/server_commands.cc).
void add_server_commands(CLI::App& app, int& exit_code);
// Registers `pipewright repo`, `secret`, `var` and `token` (cli/admin_commands.cc).
void add_admin_commands(CLI::App& app, int& exit_code);

// Registers `pipewright serve` (cli/serve_command.cc).
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace pipewright::cli
