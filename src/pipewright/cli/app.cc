#include "pipewright/cli/app.h"

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

namespace pipewright::cli {

int run(int argc, char** argv) {
  CLI::App app{"Pipewright: run GitHub Actions workflows natively", "pipewright"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pipewright 0.1.0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::cerr << "pipewright: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace pipewright::cli
