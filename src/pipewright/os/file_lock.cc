#include "pipewright/os/file_lock.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>

namespace pipewright::os {

util::Expected<FileLock> FileLock::acquire(const std::string& path) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return util::fail(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
  int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    return util::fail(fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
  Fd owned(fd);
  while (::flock(fd, LOCK_EX) != 0)
    if (errno != EINTR)
      return util::fail(fmt::format("cannot lock {}: {}", path, std::strerror(errno)));
  return FileLock(std::move(owned));
}

}  // namespace pipewright::os
