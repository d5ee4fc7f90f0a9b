// `pipewright lint [PATH...] [--format text|json|sarif|github]`: checks workflow files.
// Without PATH it checks `.github/workflows/*.y{a,}ml` of the repository around the
// current directory. Exit codes: 0 clean (warnings allowed), 1 errors found, 2 usage or
// I/O problems.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>

#include "pipewright/cli/commands.h"
#include "pipewright/cli/lint_output.h"
#include "pipewright/workflow/lint/lint.h"

namespace pipewright::cli {

namespace {

namespace fs = std::filesystem;

struct LintOptions {
  std::vector<std::string> paths;
  std::string format = "text";
};

bool is_yaml(const fs::path& p) {
  return p.extension() == ".yml" || p.extension() == ".yaml";
}

// The nearest directory at or above `start` that holds `.git`; empty when none.
fs::path find_repo_root(fs::path start) {
  std::error_code ec;
  start = fs::absolute(start, ec);
  for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / ".git", ec)) return dir;
    if (dir == dir.parent_path()) break;
  }
  return {};
}

// The workflow files directly in `dir`, sorted.
std::vector<std::string> yaml_files_in(const fs::path& dir, const fs::path& shown) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec) && is_yaml(entry.path()))
      out.push_back((shown / entry.path().filename()).string());
  std::sort(out.begin(), out.end());
  return out;
}

// A file as the user will see it: relative to the current directory when below it.
std::string shown_path(const fs::path& p) {
  std::error_code ec;
  fs::path rel = fs::absolute(p, ec).lexically_relative(fs::current_path(ec));
  if (rel.empty() || *rel.begin() == "..") return p.string();
  return rel.string();
}

int run_lint(const LintOptions& options) {
  auto format = parse_lint_format(options.format);
  if (!format) {
    std::cerr << "pipewright: unknown format '" << options.format
              << "' (use text, json, sarif or github)\n";
    return 2;
  }
  std::vector<std::string> files;
  fs::path root_hint = fs::current_path();
  std::error_code ec;
  if (options.paths.empty()) {
    fs::path root = find_repo_root(fs::current_path());
    if (root.empty()) {
      std::cerr << "pipewright: not inside a git repository (no .git found above the current "
                   "directory); pass workflow files or directories to lint\n";
      return 2;
    }
    fs::path dir = root / ".github" / "workflows";
    files = yaml_files_in(dir, shown_path(dir));
    if (files.empty()) {
      std::cerr << "pipewright: no workflow files in " << shown_path(dir) << "\n";
      return 2;
    }
    root_hint = root;
  }
  for (const std::string& path : options.paths) {
    if (fs::is_directory(path, ec)) {
      fs::path dir = path;
      if (fs::is_directory(dir / ".github" / "workflows", ec)) dir = dir / ".github" / "workflows";
      auto found = yaml_files_in(dir, dir);
      if (found.empty()) {
        std::cerr << "pipewright: no workflow files in " << path << "\n";
        return 2;
      }
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      std::cerr << "pipewright: no such file: " << path << "\n";
      return 2;
    }
  }
  if (!options.paths.empty()) {
    // `<root>/.github/workflows/x.yml` names its root; otherwise the enclosing repository.
    fs::path dir = fs::absolute(fs::path(files.front()), ec).parent_path();
    fs::path root;
    if (dir.filename() == "workflows" && dir.parent_path().filename() == ".github")
      root = dir.parent_path().parent_path();
    else
      root = find_repo_root(dir);
    if (!root.empty()) root_hint = root;
  }

  workflow::lint::LintResult result = workflow::lint::lint_files(files, root_hint.string());

  std::vector<RuleInfo> rules;
  for (const auto& r : workflow::lint::rule_descriptions())
    rules.push_back({std::string(r.id), std::string(r.description)});
  LintReport report{result.diagnostics, std::move(result.sources), result.files_checked, rules};
  std::cout << render_lint_report(report, *format);
  std::cout.flush();
  bool errors =
      std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                  [](const util::Diagnostic& d) { return d.severity == util::Severity::error; });
  return errors ? 1 : 0;
}

}  // namespace

void add_lint_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<LintOptions>();
  auto* cmd = app.add_subcommand(
      "lint", "Check workflow files (default: .github/workflows/*.y{a,}ml of this repository)");
  cmd->add_option("path", options->paths, "Workflow files or directories to check");
  cmd->add_option("--format", options->format, "Output format: text, json, sarif or github")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  cmd->callback([options, &exit_code] { exit_code = run_lint(*options); });
}

}  // namespace pipewright::cli
