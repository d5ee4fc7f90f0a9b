#include "pipewright/os/file.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pipewright::os {

namespace {
util::Error io_error(const std::string& path, std::string_view what) {
  return util::Error{
      fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)), util::Location{path}, {}};
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

util::Expected<std::string> read_file(const std::string& path, size_t max_bytes) {
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return std::unexpected(io_error(path, "read"));
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return std::unexpected(io_error(path, "read"));
  if (S_ISDIR(st.st_mode))
    return util::fail(fmt::format("cannot read {}: it is a directory", path), {path});
  auto too_large = [&] {
    return util::fail(fmt::format("{} is larger than the limit of {} bytes", path, max_bytes),
                      {path}, "split the file or remove unneeded content");
  };
  if (S_ISREG(st.st_mode) && static_cast<unsigned long long>(st.st_size) > max_bytes)
    return too_large();
  std::string out;
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(file.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_error(path, "read"));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) return too_large();
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

namespace {

// Writes all of `content` to `fd`; false (errno set) on failure.
bool write_all(int fd, std::string_view content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

util::Expected<void> write_file(const std::string& path, std::string_view content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    Fd file{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (file.fd < 0) return std::unexpected(io_error(tmp, "write"));
    if (!write_all(file.fd, content)) {
      auto error = io_error(tmp, "write");
      ::unlink(tmp.c_str());
      return std::unexpected(error);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto error = io_error(path, "write");
    ::unlink(tmp.c_str());
    return std::unexpected(error);
  }
  return {};
}

util::Expected<void> create_file(const std::string& path, std::string_view content) {
  Fd file{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
  if (file.fd < 0) return std::unexpected(io_error(path, "create"));
  if (!write_all(file.fd, content)) {
    auto error = io_error(path, "write");
    ::unlink(path.c_str());
    return std::unexpected(error);
  }
  return {};
}

}  // namespace pipewright::os
