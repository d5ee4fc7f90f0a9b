// Host toolchains for the native setup-python / setup-node / setup-go / setup-java:
// finding installs (PATH, versioned names such as /usr/bin/python3.11, pyenv / nvm /
// JVM directories, `--tool python=3.12:/path` mappings), reading version files
// (.python-version, .nvmrc, go.mod, .java-version, .tool-versions), parsing version
// specs ('3.11', '3.x', '>=3.9 <4', '^18', '~1.21', '3.11.7', 'lts/*'-free) and picking
// the newest install that satisfies one — or GitHub-style guidance when none does.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

enum class Tool { python, node, go, java };

// "python", "node", "go", "java"; "Python", "Node.js", "Go", "Java" for messages.
std::string_view tool_id(Tool tool);
std::string_view tool_display(Tool tool);
// By id ("python"...); nullopt when unknown.
std::optional<Tool> parse_tool(std::string_view id);

// A version as numbers (1 to 3 of them): "3.11.7", "v20.1.0", "go1.22", "17.0.9+9".
struct Version {
  std::vector<int> parts;
  std::string text() const;  // "3.11.7"
  friend bool operator==(const Version&, const Version&) = default;
};
std::optional<Version> parse_version(std::string_view text);
// Compares with missing parts as 0.
int compare(const Version& a, const Version& b);

// A version spec: alternatives ("||") of conjunctions of comparators.
class VersionSpec {
 public:
  // Fails with the reason on a malformed spec.
  static util::Expected<VersionSpec> parse(std::string_view text);
  bool matches(const Version& version) const;
  const std::string& text() const { return m_text; }

 private:
  struct Comparator {
    enum class Op { eq_prefix, lt, le, gt, ge } op = Op::eq_prefix;
    Version version;
  };
  std::string m_text;
  std::vector<std::vector<Comparator>> m_alternatives;
};

// The version a version file asks for: .python-version / .nvmrc / .java-version
// (first non-comment line, "v" dropped), go.mod (`toolchain goX` or `go X`),
// .tool-versions (the line for `tool`). Fails naming the file.
util::Expected<std::string> read_version_file(Tool tool, const std::string& path);

// `--tool python=3.12:/opt/py312/bin/python3`.
struct ToolMapping {
  Tool tool = Tool::python;
  Version version;
  std::string path;
};
util::Expected<ToolMapping> parse_tool_mapping(std::string_view text);

struct Install {
  Tool tool = Tool::python;
  Version version;
  std::string executable;  // absolute
  std::string bin_dir;     // what goes first on PATH
  std::string source;      // "PATH", "mapping", "pyenv", ...
};

struct ToolchainOptions {
  std::vector<std::string> path_dirs;  // the PATH to search, in order
  std::string home;                    // for ~/.pyenv, ~/.nvm
  std::vector<ToolMapping> mappings;   // consulted first
  // Extra directories searched for versioned installs (default: /usr/bin,
  // /usr/local/bin, /usr/lib/jvm, /usr/local/go/bin, /usr/lib/go-*).
  std::vector<std::string> system_dirs = {"/usr/bin", "/usr/local/bin"};
  // Runs `executable` to learn its version (its whole --version output); the seam
  // tests replace. Default: runs it (no shell) and returns its output.
  std::function<util::Expected<std::string>(Tool, const std::string& executable)> probe;
};

class Toolchains {
 public:
  explicit Toolchains(ToolchainOptions options);

  // Every install of `tool` found, newest first, one per real executable.
  std::vector<Install> find_all(Tool tool) const;
  // An install satisfying `spec`: a matching mapping first, then the one found first
  // on the PATH, then the newest found elsewhere. Fails with e.g. "Python 3.12
  // requested, host has 3.11.7; install it or map the version with --tool
  // python=3.12:/path".
  util::Expected<Install> select(Tool tool, std::string_view spec) const;

 private:
  ToolchainOptions m_options;
};

// PATH split on ':' (empty entries dropped).
std::vector<std::string> split_path_list(std::string_view path);

}  // namespace pipewright::exec::actions
