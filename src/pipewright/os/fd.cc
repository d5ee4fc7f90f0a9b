#include "pipewright/os/fd.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace pipewright::os {

namespace {
std::unexpected<util::Error> errno_failure(const char* what) {
  return util::fail(fmt::format("{}: {}", what, std::strerror(errno)));
}
}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int Fd::release() {
  int fd = m_fd;
  m_fd = -1;
  return fd;
}

void Fd::reset(int fd) {
  // close() is not retried on EINTR: on Linux the descriptor is released either way.
  if (m_fd >= 0) ::close(m_fd);
  m_fd = fd;
}

util::Expected<Pipe> make_pipe(ReadEnd read_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno_failure("cannot create a pipe");
  Pipe pipe{Fd(fds[0]), Fd(fds[1])};
  if (read_end == ReadEnd::nonblocking) {
    int flags = ::fcntl(pipe.read.get(), F_GETFL);
    if (flags < 0 || ::fcntl(pipe.read.get(), F_SETFL, flags | O_NONBLOCK) != 0)
      return errno_failure("cannot make a pipe non-blocking");
  }
  return pipe;
}

util::Expected<Fd> make_eventfd() {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return errno_failure("cannot create an eventfd");
  return Fd(fd);
}

util::Expected<void> write_all(int fd, const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, bytes, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_failure("cannot write");
    }
    bytes += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

}  // namespace pipewright::os
