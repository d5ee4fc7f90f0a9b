// The `path:` inputs of actions/cache and upload-artifact: @actions/glob patterns
// (one per line; `#` comments; `!` excludes; `~` is the home directory; relative
// patterns start at a base directory; `*`, `?`, `[...]` within a segment, `**` across
// segments; `*` matches dotfiles; a matched directory brings all its descendants; the
// last matching pattern decides). Symbolic links are listed, never followed.
//
// NOTE: os/hash_files.cc walks the same patterns but only exposes a digest (and keeps
// to the workspace); this walk lists paths, and may leave the base directory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::exec::actions {

struct GlobOptions {
  std::string base_dir;        // absolute; relative patterns are joined to it
  std::string home;            // what `~` expands to; '' refuses `~`
  bool include_hidden = true;  // false: skip files and directories whose name starts with '.'
};

struct GlobResult {
  // Matched files and symlinks (never directories), absolute, sorted, without duplicates.
  std::vector<std::string> files;
  // Each include pattern's literal part (the search path): absolute, normalised, in
  // pattern order, without duplicates.
  std::vector<std::string> search_paths;
};

// Expands `patterns` (newline-separated). Fails on a pattern that is empty after `!`,
// on `~` without a home, and on unreadable directories other than missing ones.
util::Expected<GlobResult> expand_globs(std::string_view patterns, const GlobOptions& options);

// One name against one pattern segment (`*`, `?`, `[...]`, `\x`; `*` matches a
// leading '.'), e.g. download-artifact's `pattern` against artifact names.
bool glob_match_name(std::string_view pattern, std::string_view name);

// The deepest directory containing every path (absolute, normalised): "/" at worst.
std::string common_ancestor(const std::vector<std::string>& paths);

// `path` made absolute against `base` and normalised lexically ('.', '..', '//').
std::string normalize_path(std::string_view path, std::string_view base);

// Whether `path` equals `root` or lies below it (both normalised absolute paths).
bool path_within(std::string_view path, std::string_view root);

}  // namespace pipewright::exec::actions
