#include "pipewright/os/runtime_dir.h"

#include <cstdlib>

#include <linux/magic.h>
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

}  // namespace pipewright::os
