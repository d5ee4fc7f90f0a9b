// hashFiles(): the filesystem side of GitHub's hashFiles() (gha-spec.md §2.6).
#pragma once

#include <string>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::os {

// Hashes the files under `workspace` matched by `patterns` (@actions/glob semantics:
// `!` negates, `*` matches dotfiles, a matched directory includes its descendants;
// directories and files outside the workspace are skipped). Files are visited depth-first,
// children in strcmp order; each file's SHA-256 digest (raw 32 bytes) feeds one outer
// SHA-256. Returns its lowercase hex, or '' when nothing matched.
util::Expected<std::string> hash_files(const std::string& workspace,
                                       const std::vector<std::string>& patterns,
                                       bool follow_symlinks);

}  // namespace pipewright::os
