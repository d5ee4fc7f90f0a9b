// Placeholder until the expression engine lands; replaced by the real command.
#include <CLI/CLI.hpp>

#include "pipewright/cli/commands.h"

namespace pipewright::cli {

void add_eval_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a ${{ }} expression");
  cmd->callback([&exit_code] { exit_code = 2; });
}

}  // namespace pipewright::cli
