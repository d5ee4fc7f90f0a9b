// Worker threads behind archive.cc, internal to it: FileWriters writes extracted small
// files in parallel; Prefetcher reads the files to archive ahead of the tar writer.
// Both are bounded by bytes in flight, so memory stays small whatever the tree.
#pragma once

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipewright/exec/actions/archive.h"
#include "pipewright/os/fd.h"
#include "pipewright/util/error.h"

namespace pipewright::exec::actions::archive_detail {

inline std::string errno_text() {
  return std::strerror(errno);
}

inline bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Writes small files on worker threads while the main thread parses the archive:
// file creation is syscall-bound, so a few writers keep the disk and the decoder
// busy (tar writes one file at a time). A path is never written by two jobs at once:
// callers settle() a path before touching it again.
class FileWriters {
 public:
  struct Job {
    std::string path;
    std::vector<char> data;
    mode_t mode = 0644;
    bool has_mtime = false;
    struct timespec mtime {};
  };

  explicit FileWriters(size_t threads) {
    for (size_t i = 0; i < threads; ++i)
      m_threads.emplace_back([this] { work(); });
  }
  ~FileWriters() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_changed.notify_all();
    for (std::thread& t : m_threads)
      t.join();
  }
  FileWriters(const FileWriters&) = delete;
  FileWriters& operator=(const FileWriters&) = delete;

  // Queues `job` (waits while too much data is queued). Fails with a writer's first error.
  util::Expected<void> submit(Job job) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_queued_bytes < k_max_queued || !m_error.empty(); });
    if (!m_error.empty()) return util::fail(m_error);
    m_queued_bytes += job.data.size();
    m_pending.insert(job.path);
    m_jobs.push_back(std::move(job));
    m_changed.notify_all();
    return {};
  }

  // Waits until no job for `path` is queued or running.
  void settle(const std::string& path) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_pending.contains(path); });
  }

  // Waits for every job; the first error, if any.
  util::Expected<void> drain() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_pending.empty(); });
    if (!m_error.empty()) return util::fail(m_error);
    return {};
  }

  // Writes one file: created exclusively (never through a symlink); an existing one is
  // truncated (or replaced when it is a symlink or a busy binary) and re-moded.
  static std::string write(const std::string& path, const char* data, size_t size, mode_t mode,
                           const struct timespec* mtime) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    bool existed = fd < 0 && errno == EEXIST;
    if (existed) {
      fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && (errno == ELOOP || errno == ETXTBSY)) {
        ::unlink(path.c_str());
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
      }
    }
    if (fd < 0) return fmt::format("cannot write {}: {}", path, errno_text());
    os::Fd owned(fd);
    if (!write_all(fd, data, size)) return fmt::format("cannot write {}: {}", path, errno_text());
    if (mtime) {
      struct timespec times[2] = {{0, UTIME_OMIT}, *mtime};
      ::futimens(fd, times);
    }
    if (existed) ::fchmod(fd, mode);
    return {};
  }

 private:
  static constexpr size_t k_max_queued = size_t{32} << 20;

  void work() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_changed.wait(lock, [&] { return !m_jobs.empty() || m_stop; });
      if (m_jobs.empty()) return;
      Job job = std::move(m_jobs.front());
      m_jobs.pop_front();
      lock.unlock();
      std::string error = write(job.path, job.data.data(), job.data.size(), job.mode,
                                job.has_mtime ? &job.mtime : nullptr);
      lock.lock();
      if (!error.empty() && m_error.empty()) m_error = std::move(error);
      m_queued_bytes -= job.data.size();
      m_pending.erase(job.path);
      m_changed.notify_all();
    }
  }

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Job> m_jobs;
  std::unordered_set<std::string> m_pending;
  size_t m_queued_bytes = 0;
  std::string m_error;
  bool m_stop = false;
  std::vector<std::thread> m_threads;
};

// Reads the inputs of write_archive() ahead on its own thread (stat, symlink target,
// the whole content of files up to k_whole_file), so that file-system calls overlap
// with tar formatting and compression on the caller's thread. Bounded by bytes.
class Prefetcher {
 public:
  struct Item {
    struct stat st {};
    std::string error;   // '' when read
    std::string target;  // symlinks
    std::vector<char> data;
    bool whole = false;  // data holds the whole file (else the caller streams it)
  };

  explicit Prefetcher(const std::vector<PackInput>& inputs) : m_inputs(inputs) {
    m_thread = std::thread([this] { produce(); });
  }
  ~Prefetcher() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
  }
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next input's item, in order.
  Item next() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_items.empty(); });
    Item item = std::move(m_items.front());
    m_items.pop_front();
    m_buffered -= item.data.size();
    m_changed.notify_all();
    return item;
  }

  static constexpr uint64_t k_whole_file = 4 << 20;

 private:
  static constexpr size_t k_max_buffered = size_t{64} << 20;

  static Item load(const PackInput& input) {
    Item item;
    if (::lstat(input.source.c_str(), &item.st) != 0) {
      item.error = fmt::format("cannot read {}: {}", input.source, errno_text());
      return item;
    }
    if (S_ISLNK(item.st.st_mode)) {
      item.target.assign(static_cast<size_t>(item.st.st_size) + 1, '\0');
      ssize_t n = ::readlink(input.source.c_str(), item.target.data(), item.target.size());
      if (n < 0)
        item.error = fmt::format("cannot read the symlink {}: {}", input.source, errno_text());
      else
        item.target.resize(static_cast<size_t>(n));
    } else if (S_ISREG(item.st.st_mode) && static_cast<uint64_t>(item.st.st_size) <= k_whole_file) {
      os::Fd in(::open(input.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
      if (!in) {
        item.error = fmt::format("cannot read {}: {}", input.source, errno_text());
        return item;
      }
      item.data.resize(static_cast<size_t>(item.st.st_size));
      size_t got = 0;
      while (got < item.data.size()) {
        ssize_t n = ::read(in.get(), item.data.data() + got, item.data.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      if (got != item.data.size())
        item.error = fmt::format("cannot read {}: it changed while being archived", input.source);
      item.whole = true;
    }
    return item;
  }

  void produce() {
    for (const PackInput& input : m_inputs) {
      Item item = load(input);
      std::unique_lock lock(m_mutex);
      m_changed.wait(lock, [&] { return m_buffered < k_max_buffered || m_stop; });
      if (m_stop) return;
      m_buffered += item.data.size();
      m_items.push_back(std::move(item));
      m_changed.notify_all();
    }
  }

  const std::vector<PackInput>& m_inputs;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Item> m_items;
  size_t m_buffered = 0;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace pipewright::exec::actions::archive_detail
