#include "pipewright/exec/actions/archive.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "pipewright/exec/actions/archive_workers.h"
#include "pipewright/exec/actions/path_glob.h"
#include "pipewright/os/fd.h"

namespace pipewright::exec::actions {

namespace {

using archive_detail::errno_text;
using archive_detail::FileWriters;
using archive_detail::Prefetcher;
using archive_detail::write_all;

constexpr size_t k_io_block = size_t{1} << 20;

// The zstd stream libarchive's uncompressed tar output goes through.
struct ZstdSink {
  int fd = -1;
  ZSTD_CCtx* cctx = nullptr;
  std::vector<char> out;
  uint64_t written = 0;
  std::string error;

  bool push(const void* data, size_t size, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data, size, 0};
    for (;;) {
      ZSTD_outBuffer ob{out.data(), out.size(), 0};
      size_t left = ZSTD_compressStream2(cctx, &ob, &in, mode);
      if (ZSTD_isError(left)) {
        error = std::string("zstd: ") + ZSTD_getErrorName(left);
        return false;
      }
      if (ob.pos > 0) {
        if (!write_all(fd, out.data(), ob.pos)) {
          error = "cannot write the archive: " + errno_text();
          return false;
        }
        written += ob.pos;
      }
      bool done = mode == ZSTD_e_end ? left == 0 : in.pos == in.size;
      if (done) return true;
    }
  }
};

la_ssize_t sink_write(struct archive*, void* client, const void* buffer, size_t length) {
  auto* sink = static_cast<ZstdSink*>(client);
  if (!sink->push(buffer, length, ZSTD_e_continue)) return -1;
  return static_cast<la_ssize_t>(length);
}

int sink_close(struct archive*, void* client) {
  auto* sink = static_cast<ZstdSink*>(client);
  return sink->push(nullptr, 0, ZSTD_e_end) ? ARCHIVE_OK : ARCHIVE_FATAL;
}

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
using EntryPtr = std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)>;

std::string temp_name(const std::string& path) {
  std::random_device rd;
  return fmt::format("{}.tmp-{}-{:08x}", path, ::getpid(), rd());
}

// Checks an archive entry name: relative, no '..' segment, not empty. Returns it
// without a leading "./" and trailing '/'.
util::Expected<std::string> checked_name(const char* raw) {
  if (!raw || !*raw) return util::fail("an archive entry has no name");
  std::string_view name = raw;
  if (name.starts_with('/'))
    return util::fail(fmt::format("refusing archive entry '{}': absolute path", name));
  while (name.starts_with("./"))
    name.remove_prefix(2);
  while (name.ends_with('/'))
    name.remove_suffix(1);
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..")
      return util::fail(fmt::format("refusing archive entry '{}': it contains '..'", raw));
    start = end + 1;
  }
  if (name.empty() || name == ".") return std::string(".");
  return std::string(name);
}

class Extractor {
 public:
  explicit Extractor(const ArchiveLimits& limits) : m_limits(limits), m_writers(k_writer_threads) {}

  // Waits for the queued writes; their first error.
  util::Expected<void> finish() { return m_writers.drain(); }

  util::Expected<void> entry(struct archive* a, struct archive_entry* e, const PlaceEntry& place) {
    PW_TRY(name, checked_name(archive_entry_pathname(e)));
    if (++m_stats.entries > m_limits.max_entries)
      return util::fail(
          fmt::format("refusing archive: more than {} entries", m_limits.max_entries));
    if (archive_entry_hardlink(e))
      return util::fail(
          fmt::format("refusing archive entry '{}': hard links are not supported", name));
    mode_t type = archive_entry_filetype(e);
    if (name == ".") {
      if (type == AE_IFDIR) return {};
      return util::fail("refusing archive entry '.': not a directory");
    }
    PW_TRY(placed, place(name));
    if (!path_within(placed.path, placed.root) || placed.path == placed.root)
      return util::fail(fmt::format("refusing archive entry '{}': outside {}", name, placed.root));
    std::string parent = placed.path.substr(0, placed.path.rfind('/'));
    if (parent.empty()) parent = "/";
    PW_TRY_VOID(ensure_dirs(placed.root, parent));
    if (type == AE_IFDIR) return ensure_dirs(placed.root, placed.path);
    m_writers.settle(placed.path);
    if (type == AE_IFLNK) return symlink(name, e, placed, parent);
    if (type != AE_IFREG)
      return util::fail(
          fmt::format("refusing archive entry '{}': not a file, directory or symlink", name));
    auto size = static_cast<uint64_t>(archive_entry_size(e));
    m_stats.bytes += size;
    if (m_stats.bytes > m_limits.max_bytes)
      return util::fail(
          fmt::format("refusing archive: its content exceeds {} bytes", m_limits.max_bytes));
    return file(a, e, name, placed.path, size);
  }

  const ArchiveStats& stats() const { return m_stats; }

 private:
  // Creates the directories from `root` (trusted, created as needed) down to `dir`,
  // refusing a symlink or non-directory on the way.
  util::Expected<void> ensure_dirs(const std::string& root, const std::string& dir) {
    if (m_dirs.contains(dir)) return {};
    if (!m_roots.contains(root)) {
      std::error_code ec;
      std::filesystem::create_directories(root, ec);
      if (ec) return util::fail(fmt::format("cannot create {}: {}", root, ec.message()));
      m_roots.insert(root);
      m_dirs.insert(root);
    }
    if (dir == root) return {};
    size_t pos = root == "/" ? 0 : root.size();
    while (pos < dir.size()) {
      size_t next = dir.find('/', pos + 1);
      if (next == std::string::npos) next = dir.size();
      std::string prefix = dir.substr(0, next);
      pos = next;
      if (m_dirs.contains(prefix)) continue;
      m_writers.settle(prefix);
      struct stat st {};
      if (::lstat(prefix.c_str(), &st) != 0) {
        if (errno != ENOENT || (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) ||
            ::lstat(prefix.c_str(), &st) != 0)
          return util::fail(fmt::format("cannot create {}: {}", prefix, errno_text()));
      }
      if (S_ISLNK(st.st_mode))
        return util::fail(fmt::format("refusing to extract through the symlink {}", prefix));
      if (!S_ISDIR(st.st_mode)) return util::fail(fmt::format("{} is not a directory", prefix));
      m_dirs.insert(prefix);
    }
    return {};
  }

  util::Expected<void> symlink(const std::string& name, struct archive_entry* e,
                               const Placement& placed, const std::string& parent) {
    const char* raw = archive_entry_symlink(e);
    std::string_view target = raw ? raw : "";
    bool leading = true;
    bool bad = target.empty() || target.starts_with('/');
    for (size_t start = 0; !bad && start <= target.size();) {
      size_t end = target.find('/', start);
      if (end == std::string_view::npos) end = target.size();
      std::string_view seg = target.substr(start, end - start);
      if (seg == "..")
        bad = !leading;
      else if (!seg.empty() && seg != ".")
        leading = false;
      start = end + 1;
    }
    if (bad || !path_within(normalize_path(target, parent), placed.root))
      return util::fail(
          fmt::format("refusing archive entry '{}': its symlink target '{}' leaves {}", name,
                      target, placed.root));
    struct stat st {};
    if (::lstat(placed.path.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode))
        return util::fail(
            fmt::format("cannot replace the directory {} with a symlink", placed.path));
      ::unlink(placed.path.c_str());
    }
    if (::symlink(std::string(target).c_str(), placed.path.c_str()) != 0)
      return util::fail(fmt::format("cannot create the symlink {}: {}", placed.path, errno_text()));
    return {};
  }

  util::Expected<void> file(struct archive* a, struct archive_entry* e, const std::string& name,
                            const std::string& path, uint64_t size) {
    auto mode = static_cast<mode_t>(archive_entry_perm(e) & 0777);
    bool has_mtime = archive_entry_mtime_is_set(e);
    struct timespec mtime {
      archive_entry_mtime(e), archive_entry_mtime_nsec(e)
    };
    // Small files: read whole, written by a worker. Large ones: streamed here.
    std::vector<char> data;
    os::Fd owned;
    if (size <= k_small_file) {
      data.resize(size);
    } else {
      // Created through the same path as small files (exclusive, no symlinks), empty.
      std::string error = FileWriters::write(path, nullptr, 0, mode, nullptr);
      if (!error.empty()) return util::fail(error);
      owned = os::Fd(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!owned) return util::fail(fmt::format("cannot write {}: {}", path, errno_text()));
    }
    const void* buf = nullptr;
    size_t n = 0;
    la_int64_t offset = 0;
    la_int64_t position = 0;
    int r = 0;
    while ((r = archive_read_data_block(a, &buf, &n, &offset)) == ARCHIVE_OK) {
      if (offset < 0 || static_cast<uint64_t>(offset) + n > size)
        return util::fail(fmt::format("corrupt archive at '{}': data beyond its size", name));
      if (!owned) {
        if (n > 0) std::memcpy(data.data() + offset, buf, n);
      } else {
        if (offset != position && ::lseek(owned.get(), offset, SEEK_SET) < 0)
          return util::fail(fmt::format("cannot write {}: {}", path, errno_text()));
        if (!write_all(owned.get(), static_cast<const char*>(buf), n))
          return util::fail(fmt::format("cannot write {}: {}", path, errno_text()));
      }
      position = offset + static_cast<la_int64_t>(n);
    }
    if (r != ARCHIVE_EOF)
      return util::fail(fmt::format("corrupt archive at '{}': {}", name, archive_error_string(a)));
    if (!owned)
      return m_writers.submit({.path = path,
                               .data = std::move(data),
                               .mode = mode,
                               .has_mtime = has_mtime,
                               .mtime = mtime});
    if (static_cast<uint64_t>(position) != size &&
        ::ftruncate(owned.get(), static_cast<off_t>(size)) != 0)
      return util::fail(fmt::format("cannot write {}: {}", path, errno_text()));
    if (has_mtime) {
      struct timespec times[2] = {{0, UTIME_OMIT}, mtime};
      ::futimens(owned.get(), times);
    }
    return {};
  }

  static constexpr uint64_t k_small_file = 256 * 1024;
  static constexpr size_t k_writer_threads = 3;

  ArchiveLimits m_limits;
  ArchiveStats m_stats;
  std::unordered_set<std::string> m_dirs;
  std::unordered_set<std::string> m_roots;
  FileWriters m_writers;  // last: destroyed (joined) first
};

// A block of decompressed tar, reused once libarchive is done with it (no zeroing,
// no mmap/munmap per block).
struct Chunk {
  std::unique_ptr<char[]> data;
  size_t size = 0;
};

// Decompresses a .tar.zst on its own thread, a few MiB ahead of libarchive parsing the
// tar and the caller writing files: decompression and file I/O overlap, as in
// `zstd -d | tar -x`.
class ZstdSource {
 public:
  explicit ZstdSource(os::Fd fd) : m_fd(std::move(fd)) {
    m_thread = std::thread([this] { produce(); });
  }
  ~ZstdSource() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
  }
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;

  // The next chunk (size 0 at the end); false with `error` set on failure. `chunk`'s
  // previous block goes back to the pool.
  bool next(Chunk& chunk, std::string& error) {
    std::unique_lock lock(m_mutex);
    if (chunk.data) m_free.push_back(std::move(chunk.data));
    chunk.size = 0;
    m_changed.wait(lock, [&] { return !m_chunks.empty() || m_done; });
    if (!m_chunks.empty()) {
      chunk = std::move(m_chunks.front());
      m_chunks.pop_front();
      m_changed.notify_all();
      return true;
    }
    error = m_error;
    return m_error.empty();
  }

 private:
  static constexpr size_t k_depth = 8;

  std::unique_ptr<char[]> block() {
    std::lock_guard lock(m_mutex);
    if (m_free.empty()) return std::unique_ptr<char[]>(new char[k_io_block]);
    auto b = std::move(m_free.back());
    m_free.pop_back();
    return b;
  }

  void produce() {
    std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    std::vector<char> in(k_io_block);
    std::string error;
    size_t last = 0;
    bool any = false;
    for (;;) {
      ssize_t n = ::read(m_fd.get(), in.data(), in.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = "cannot read the archive: " + errno_text();
        break;
      }
      if (n == 0) {
        if (!any)
          error = "the archive is empty";
        else if (last != 0)
          error = "the archive is truncated";
        break;
      }
      any = true;
      ZSTD_inBuffer ib{in.data(), static_cast<size_t>(n), 0};
      // Until the input is consumed and the decoder has nothing more to flush (a full
      // output buffer may leave data inside it).
      for (bool full = true; error.empty() && (ib.pos < ib.size || full);) {
        Chunk out{block(), 0};
        ZSTD_outBuffer ob{out.data.get(), k_io_block, 0};
        last = ZSTD_decompressStream(dctx.get(), &ob, &ib);
        if (ZSTD_isError(last)) {
          error = std::string("not a zstd archive or corrupt: ") + ZSTD_getErrorName(last);
          break;
        }
        full = ob.pos == ob.size;
        out.size = ob.pos;
        if (out.size > 0 && !push(std::move(out))) return;
      }
      if (!error.empty()) break;
    }
    std::lock_guard lock(m_mutex);
    m_error = error;
    m_done = true;
    m_changed.notify_all();
  }

  bool push(Chunk chunk) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_chunks.size() < k_depth || m_stop; });
    if (m_stop) return false;
    m_chunks.push_back(std::move(chunk));
    m_changed.notify_all();
    return true;
  }

  os::Fd m_fd;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Chunk> m_chunks;
  std::vector<std::unique_ptr<char[]>> m_free;
  bool m_done = false;
  bool m_stop = false;
  std::string m_error;
  std::thread m_thread;
};

// libarchive reading plain tar from a ZstdSource.
struct Reader {
  std::unique_ptr<ZstdSource> source;
  Chunk current;
  ArchivePtr archive{nullptr, archive_read_free};
};

la_ssize_t reader_read(struct archive* a, void* client, const void** buffer) {
  auto* reader = static_cast<Reader*>(client);
  std::string error;
  if (!reader->source->next(reader->current, error)) {
    archive_set_error(a, EIO, "%s", error.c_str());
    return -1;
  }
  *buffer = reader->current.data.get();
  return static_cast<la_ssize_t>(reader->current.size);
}

std::unique_ptr<Reader> open_reader(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("cannot open the archive {}: {}", path, errno_text());
    return nullptr;
  }
  auto reader = std::make_unique<Reader>();
  reader->source = std::make_unique<ZstdSource>(os::Fd(fd));
  reader->archive.reset(archive_read_new());
  archive_read_support_format_tar(reader->archive.get());
  if (archive_read_open(reader->archive.get(), reader.get(), nullptr, reader_read, nullptr) !=
      ARCHIVE_OK) {
    error = fmt::format("cannot open the archive {}: {}", path,
                        archive_error_string(reader->archive.get()));
    return nullptr;
  }
  return reader;
}

}  // namespace

util::Expected<ArchiveStats> write_archive(const std::string& out,
                                           const std::vector<PackInput>& inputs, int level,
                                           int threads) {
  std::string tmp = temp_name(out);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return util::fail(fmt::format("cannot create {}: {}", tmp, errno_text()));
  os::Fd owned(fd);
  struct Unlink {
    std::string path;
    bool keep = false;
    ~Unlink() {
      if (!keep) ::unlink(path.c_str());
    }
  } cleanup{tmp};

  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level);
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (threads > 1) ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_nbWorkers, threads);
  ZstdSink sink;
  sink.fd = fd;
  sink.cctx = cctx.get();
  sink.out.resize(ZSTD_CStreamOutSize() * 4);

  ArchivePtr a(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 64 * 1024);
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &sink, nullptr, sink_write, sink_close) != ARCHIVE_OK)
    return util::fail(
        fmt::format("cannot start the archive {}: {}", out, archive_error_string(a.get())));

  ArchiveStats stats;
  std::vector<char> buf(k_io_block);
  EntryPtr entry(archive_entry_new(), archive_entry_free);
  auto archive_failed = [&](const std::string& what) {
    std::string why = sink.error.empty() ? archive_error_string(a.get()) : sink.error;
    return util::fail(fmt::format("cannot archive {}: {}", what, why));
  };
  Prefetcher ahead(inputs);
  for (const PackInput& input : inputs) {
    Prefetcher::Item item = ahead.next();
    if (!item.error.empty()) return util::fail(item.error);
    const struct stat& st = item.st;
    archive_entry_clear(entry.get());
    archive_entry_set_pathname(entry.get(), input.name.c_str());
    archive_entry_set_perm(entry.get(), st.st_mode & 07777);
    archive_entry_set_mtime(entry.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    if (S_ISLNK(st.st_mode)) {
      archive_entry_set_filetype(entry.get(), AE_IFLNK);
      archive_entry_set_symlink(entry.get(), item.target.c_str());
      archive_entry_set_size(entry.get(), 0);
      if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK)
        return archive_failed(input.source);
    } else if (S_ISREG(st.st_mode)) {
      archive_entry_set_filetype(entry.get(), AE_IFREG);
      archive_entry_set_size(entry.get(), st.st_size);
      if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK)
        return archive_failed(input.source);
      if (item.whole) {
        if (!item.data.empty() && archive_write_data(a.get(), item.data.data(), item.data.size()) !=
                                      static_cast<la_ssize_t>(item.data.size()))
          return archive_failed(input.source);
      } else {
        int in = ::open(input.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (in < 0)
          return util::fail(fmt::format("cannot read {}: {}", input.source, errno_text()));
        os::Fd in_owned(in);
        auto left = static_cast<uint64_t>(st.st_size);
        while (left > 0) {
          ssize_t n = ::read(in, buf.data(), std::min<uint64_t>(buf.size(), left));
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0)
            return util::fail(
                fmt::format("cannot read {}: it changed while being archived", input.source));
          if (archive_write_data(a.get(), buf.data(), static_cast<size_t>(n)) != n)
            return archive_failed(input.source);
          left -= static_cast<uint64_t>(n);
        }
      }
      stats.bytes += static_cast<uint64_t>(st.st_size);
    } else {
      continue;  // directories come with their files; sockets and devices are skipped
    }
    ++stats.entries;
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return archive_failed(out);
  stats.compressed = sink.written;
  owned.reset();
  if (::rename(tmp.c_str(), out.c_str()) != 0)
    return util::fail(fmt::format("cannot move the archive to {}: {}", out, errno_text()));
  cleanup.keep = true;
  return stats;
}

namespace {

// Every entry of the open `a` through the Extractor.
util::Expected<ArchiveStats> extract_entries(struct archive* a, const std::string& archive,
                                             const PlaceEntry& place, const ArchiveLimits& limits) {
  Extractor extractor(limits);
  struct archive_entry* e = nullptr;
  int r = 0;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    auto placed = extractor.entry(a, e, place);
    if (!placed) {
      (void)extractor.finish();  // what was queued before the refusal is still written
      return std::unexpected(placed.error());
    }
  }
  PW_TRY_VOID(extractor.finish());
  if (r != ARCHIVE_EOF)
    return util::fail(fmt::format("corrupt archive {}: {}", archive, archive_error_string(a)));
  ArchiveStats stats = extractor.stats();
  struct stat st {};
  if (::stat(archive.c_str(), &st) == 0) stats.compressed = static_cast<uint64_t>(st.st_size);
  return stats;
}

}  // namespace

util::Expected<ArchiveStats> extract_archive(const std::string& archive, const PlaceEntry& place,
                                             const ArchiveLimits& limits) {
  std::string error;
  auto reader = open_reader(archive, error);
  if (!reader) return util::fail(error);
  return extract_entries(reader->archive.get(), archive, place, limits);
}

util::Expected<ArchiveStats> extract_release_archive(const std::string& archive,
                                                     const PlaceEntry& place,
                                                     const ArchiveLimits& limits) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), archive.c_str(), k_io_block) != ARCHIVE_OK)
    return util::fail(
        fmt::format("cannot open the archive {}: {}", archive, archive_error_string(a.get())));
  return extract_entries(a.get(), archive, place, limits);
}

util::Expected<std::vector<std::pair<std::string, uint64_t>>> list_archive(
    const std::string& archive, const ArchiveLimits& limits) {
  std::string error;
  auto reader = open_reader(archive, error);
  if (!reader) return util::fail(error);
  struct archive* a = reader->archive.get();
  std::vector<std::pair<std::string, uint64_t>> out;
  struct archive_entry* e = nullptr;
  int r = 0;
  uint64_t total = 0;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    PW_TRY(name, checked_name(archive_entry_pathname(e)));
    if (out.size() >= limits.max_entries)
      return util::fail(fmt::format("refusing archive: more than {} entries", limits.max_entries));
    auto size = static_cast<uint64_t>(archive_entry_size(e));
    total += size;
    if (total > limits.max_bytes)
      return util::fail(
          fmt::format("refusing archive: its content exceeds {} bytes", limits.max_bytes));
    if (archive_entry_filetype(e) != AE_IFDIR) out.emplace_back(name, size);
  }
  if (r != ARCHIVE_EOF)
    return util::fail(fmt::format("corrupt archive {}: {}", archive, archive_error_string(a)));
  return out;
}

}  // namespace pipewright::exec::actions
