// Host toolchains for the native setup-python / setup-node / setup-go / setup-java:
// finding installs (PATH, versioned names such as /usr/bin/python3.11, pyenv / nvm /
// JVM directories, the tool cache, `--tool` mappings), parsing version specs ('3.11',
// '3.x', '>=3.9 <4', '^18', '~1.21', '3.11.7'), resolving the actions' aliases
// (`latest`, `lts/*`, `lts/iron`, `lts/-1`, `stable`, `oldstable`) against the
// versions known, and picking the newest install that satisfies a spec — or
// GitHub-style guidance when none does. Version files: version_files.h; downloads:
// tool_downloads.h.
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

// `--tool python=3.12:/opt/py312/bin/python3`; `--tool node=*:/usr/bin/node` and
// `--tool node=host` map every requested version (to that executable, or to the
// install the host would pick for any version).
struct ToolMapping {
  Tool tool = Tool::python;
  std::optional<Version> version;  // nullopt: every version
  std::string path;                // '' for `host`
  std::string text;                // as given, for messages
};
util::Expected<ToolMapping> parse_tool_mapping(std::string_view text);

struct Install {
  Tool tool = Tool::python;
  Version version;         // what the executable reports
  std::string executable;  // absolute
  std::string bin_dir;     // what goes first on PATH
  std::string source;      // "PATH", "mapping", "pyenv", "tool cache", ...
  // Set when a --tool mapping stands in for a version it is not: "Node.js 18.x
  // requested, using 20.20.2 from /usr/bin/node (--tool node=host)".
  std::string warning{};
};

// A version an alias may resolve to: an install, or a release in an index.
struct Release {
  Version version;
  bool lts{false};         // Node.js: a long-term-support line
  std::string codename{};  // its LTS codename in lower case ("iron"), '' when unknown
};

// The LTS codename of a Node.js major ("iron" for 20), '' when it has none we know.
std::string_view node_lts_codename(int major);
// `release` with what is known of its LTS line filled in (even majors from 4 on).
Release node_release(Version version);

// Whether `spec` is an alias of `tool`'s setup action (see resolve_alias).
bool is_version_alias(Tool tool, std::string_view spec);
// What an alias stands for among `releases`: node `latest` / `current` / `node` → the
// newest; `lts/*` → the newest LTS major ("20"), `lts/-N` → the Nth LTS major below
// it, `lts/<codename>` → that major; go `stable` → the newest, `oldstable` → the
// newest of the minor line before it. nullopt when `spec` is not an alias; fails
// naming the alias and what `releases` has when nothing fits.
util::Expected<std::optional<std::string>> resolve_alias(Tool tool, std::string_view spec,
                                                         const std::vector<Release>& releases);

// The tool cache's name for this machine's architecture ("x64", "arm64").
std::string_view host_arch();

struct ToolchainOptions {
  std::vector<std::string> path_dirs;  // the PATH to search, in order
  std::string home;                    // for ~/.pyenv, ~/.nvm
  std::vector<ToolMapping> mappings;   // consulted first
  // The tool cache (<dir>/node/20.11.0/x64/bin/node, as GitHub's); '' for none.
  std::string tool_cache;
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
  // An install satisfying `spec` (an alias resolved against the mappings and the
  // installs found): a mapping for every version, else a matching mapping, then the
  // one found first on the PATH, then the newest found elsewhere. A mapping's install
  // reports its real version, with Install::warning when that does not satisfy the
  // spec. Fails with e.g. "Python 3.12 requested, host has 3.11.7; install it or map
  // the version with --tool python=3.12:/path".
  util::Expected<Install> select(Tool tool, std::string_view spec) const;

 private:
  util::Expected<Install> mapped(const ToolMapping& mapping, std::string_view spec,
                                 const std::vector<Install>& all) const;
  const Install* preferred(const std::vector<Install>& all, const VersionSpec* spec) const;

  ToolchainOptions m_options;
};

// PATH split on ':' (empty entries dropped).
std::vector<std::string> split_path_list(std::string_view path);

}  // namespace pipewright::exec::actions
