// The command-line front end: parses arguments and dispatches to a subcommand.
#pragma once

namespace pipewright::cli {

// Runs the program; returns the process exit code (0 ok, 1 failure found, 2 bad usage
// or input). The only place that turns exceptions into an exit code.
int run(int argc, char** argv);

}  // namespace pipewright::cli
