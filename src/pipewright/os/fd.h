// Owned file descriptors (STYLE.md rule 5): a move-only Fd that closes on
// destruction, pipes whose ends are close-on-exec, and eventfds.
#pragma once

#include "pipewright/util/error.h"

namespace pipewright::os {

// A file descriptor with exactly one owner. Closes it on destruction; -1 means none.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(Fd&& other) noexcept : m_fd(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership without closing; returns the descriptor.
  int release();
  // Closes the current descriptor (if any) and owns `fd` instead.
  void reset(int fd = -1);

 private:
  int m_fd = -1;
};

// Whether a pipe's read end blocks. The write end always blocks: it is meant for a
// child's stdout/stderr, and programs do not expect EAGAIN there.
enum class ReadEnd { blocking, nonblocking };

struct Pipe {
  Fd read;
  Fd write;
};

// A pipe with both ends close-on-exec. Fails with the errno text.
util::Expected<Pipe> make_pipe(ReadEnd read_end = ReadEnd::blocking);

// A close-on-exec, non-blocking eventfd with counter 0. Fails with the errno text.
util::Expected<Fd> make_eventfd();

// Writes all of `size` bytes, retrying on EINTR and short writes. Fails with the errno
// text (EAGAIN included: meant for blocking descriptors).
util::Expected<void> write_all(int fd, const void* data, size_t size);

}  // namespace pipewright::os
