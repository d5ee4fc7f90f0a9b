// An exclusive advisory lock (flock) on a lock file, held for the object's lifetime,
// so that several pipewright processes can share a cache or data directory.
#pragma once

#include <string>

#include "pipewright/os/fd.h"
#include "pipewright/util/error.h"

namespace pipewright::os {

class FileLock {
 public:
  // Creates `path` (and its parent directories) when missing and blocks until the
  // exclusive lock is ours. Fails, naming the path, when it cannot be created or locked.
  static util::Expected<FileLock> acquire(const std::string& path);

 private:
  explicit FileLock(Fd fd) : m_fd(std::move(fd)) {}
  Fd m_fd;
};

}  // namespace pipewright::os
