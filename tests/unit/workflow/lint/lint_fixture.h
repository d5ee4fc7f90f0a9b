// Test helper: a temporary repository with files, linted through the public API.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "pipewright/workflow/lint/lint.h"

namespace pipewright::workflow::lint::testing {

class TempRepo {
 public:
  TempRepo() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pw-lint-XXXXXX").string();
    m_root = mkdtemp(pattern.data());
    std::filesystem::create_directories(m_root / ".git");
  }
  ~TempRepo() {
    std::error_code ec;
    std::filesystem::remove_all(m_root, ec);
  }
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;

  // Writes `content` to `<root>/<path>` and returns the full path.
  std::string write(const std::string& path, const std::string& content) {
    std::filesystem::path full = m_root / path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full) << content;
    return full.string();
  }
  std::string root() const { return m_root.string(); }

  // Lints the workflow `content` (written to .github/workflows/ci.yml).
  LintResult lint(const std::string& content) {
    std::vector<std::string> paths{write(".github/workflows/ci.yml", content)};
    return lint_files(paths, root());
  }

 private:
  std::filesystem::path m_root;
};

// The diagnostics of one rule, as "line:col: message" strings (easy to compare).
inline std::vector<std::string> findings(const LintResult& result, const std::string& rule) {
  std::vector<std::string> out;
  for (const util::Diagnostic& d : result.diagnostics)
    if (d.rule == rule)
      out.push_back(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) +
                    ": " + d.message);
  return out;
}

// Every diagnostic as "rule line:col: message" (for failure output).
inline std::string dump(const LintResult& result) {
  std::string out;
  for (const util::Diagnostic& d : result.diagnostics)
    out += d.rule + " " + std::to_string(d.location.line) + ":" +
           std::to_string(d.location.column) + ": " + d.message + "\n";
  return out;
}

}  // namespace pipewright::workflow::lint::testing
