// pidfd system calls, called directly: glibc 2.36's <sys/pidfd.h> lacks extern "C"
// (fixed in 2.37), so its wrappers cannot be linked from C++ on Debian bookworm.
#pragma once

#include <csignal>

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace pipewright::os::detail {

// A pidfd (close-on-exec) for `pid`, or -1 with errno set. Linux 5.3+.
inline int open_pidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// Sends `signal` to the process behind `pidfd`; 0, or -1 with errno set. Linux 5.1+.
inline int send_signal(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

}  // namespace pipewright::os::detail
