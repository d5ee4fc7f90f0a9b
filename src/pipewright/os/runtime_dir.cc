#include "pipewright/os/runtime_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace pipewright::os {

namespace {

bool on_tmpfs(const char* path) {
  struct statfs info {};
  return ::statfs(path, &info) == 0 && info.f_type == TMPFS_MAGIC;
}

}  // namespace

std::string runtime_dir() {
  // /run is a tmpfs on most systems; when it is not (containers), /dev/shm is.
  std::string uid = std::to_string(::geteuid());
  if (::geteuid() == 0 && on_tmpfs("/run")) return "/run/pipewright";
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
    return std::string(xdg) + "/pipewright";
  if (on_tmpfs("/dev/shm")) return "/dev/shm/pipewright-" + uid;
  if (::geteuid() == 0) return "/run/pipewright";
  return "/tmp/pipewright-" + uid;
}

util::Expected<std::string> ensure_runtime_dir() {
  std::string dir = runtime_dir();
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return util::fail("cannot create " + dir + ": " + std::strerror(errno));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return util::fail("cannot use " + dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0)
    return util::fail(dir +
                      " is not a directory of this user that only it can write: remove it, or "
                      "set XDG_RUNTIME_DIR to a private directory");
  return dir;
}

}  // namespace pipewright::os
