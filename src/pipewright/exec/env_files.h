// The environment files a step writes (gha-spec.md §9, the runner's
// FileCommandManager): GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_PATH
// and the GITHUB_STEP_SUMMARY size limit. Pure: the caller reads the files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/output_limits.h"
#include "pipewright/util/error.h"

namespace pipewright::exec {

enum class EnvFileKind { env, output, state };

// Line breaks: the Linux runner splits on LF only (a CR stays in the value);
// the Windows runner also accepts CRLF.
enum class NewlineMode { lf, crlf };

struct EnvFileEntry {
  std::string name{};
  std::string value{};
  int line = 0;  // 1-based line of NAME=VALUE or NAME<<DELIM
};

// Something to report as an error annotation; the step does not fail for it.
struct EnvFileIssue {
  std::string message{};
  int line = 0;
};

struct EnvFileResult {
  std::vector<EnvFileEntry> entries{};  // in file order; a later entry wins
  std::vector<EnvFileIssue> issues{};
  // Set when parsing stopped at a malformed line: the step fails, with
  // env_file_failure_message() then this error. As on GitHub, the entries
  // before it still apply.
  std::optional<util::Error> error{};
};

// Parses the content of a GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE file.
// Lines are NAME=VALUE (split at the first '='; empty value allowed, nothing
// trimmed) or NAME<<DELIM followed by the value's lines up to a line exactly
// equal to DELIM (the line break before DELIM is not part of the value).
// Empty lines are skipped. Errors (with the line in error.location, `file`
// as its file): "Invalid format '...'", "Invalid format '...'. Name must not
// be empty[ and delimiter must not be empty]", "Invalid value. Matching
// delimiter not found '...'", "Invalid value. EOF marker missing new line.".
// For GITHUB_ENV, NODE_OPTIONS (any case) is not set but reported as an issue.
// A value larger than `max_value` (UTF-16 bytes, output_limits.h) stops parsing, before
// it is copied, with "Invalid value. 'NAME' in GITHUB_OUTPUT exceeds 1,048,576 bytes, …".
EnvFileResult parse_env_file(std::string_view text, EnvFileKind kind,
                             NewlineMode newlines = NewlineMode::lf, std::string_view file = {},
                             uint64_t max_value = k_value_limit);

// "GITHUB_ENV", "GITHUB_OUTPUT" or "GITHUB_STATE".
std::string_view env_file_variable(EnvFileKind kind);

// The runner's name of the file command: "env", "output" or "state".
std::string_view env_file_context(EnvFileKind kind);

// "Unable to process file command 'env' successfully." (and output, state).
std::string env_file_failure_message(EnvFileKind kind);
// The same for any file command, by its runner name ("path", …).
std::string file_command_failure_message(std::string_view context);

// The non-empty lines of a GITHUB_PATH file (split on LF, CRLF or CR).
std::vector<std::string> parse_path_file(std::string_view text);

// Adds `lines` to the job's prepend list: each line is removed where it
// already is, then appended (so the list has no duplicates).
void add_to_prepend_path(std::vector<std::string>& prepend, const std::vector<std::string>& lines);

// The PATH for later steps: the prepend list reversed (the last line written
// first), then `old_path`, joined with ':'.
std::string compose_path(const std::vector<std::string>& prepend, std::string_view old_path);

inline constexpr uint64_t k_step_summary_limit = 1024 * 1024;
inline constexpr int k_step_summaries_shown_per_job = 20;

// GitHub's error message when a step summary of `size` bytes is over the
// limit (the summary is dropped; the step result is unchanged), or nullopt.
std::optional<std::string> check_step_summary_size(uint64_t size);

}  // namespace pipewright::exec
