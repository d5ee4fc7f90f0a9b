// This user's directory for short-lived files that belong in memory: servers' data
// dirs, step scripts and file-command files. Creating files on disk can cost far
// more than their use (on ext4 without a journal each create scans recently deleted
// inodes), so the directory is on a tmpfs wherever there is one.
#pragma once

#include <string>

#include "pipewright/util/error.h"

namespace pipewright::os {

// /run/pipewright for root when /run is a tmpfs, else $XDG_RUNTIME_DIR/pipewright,
// else /dev/shm/pipewright-<uid> when /dev/shm is a tmpfs, else /run/pipewright for
// root, else /tmp/pipewright-<uid>. Not created here.
std::string runtime_dir();

// runtime_dir(), created (mode 0755) when missing and checked: a real directory owned
// by us that nobody else may write, since under /dev/shm or /tmp anyone could have
// made it first. Fails saying what is wrong and what to do.
util::Expected<std::string> ensure_runtime_dir();

}  // namespace pipewright::os
