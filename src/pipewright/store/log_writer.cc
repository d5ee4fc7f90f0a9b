#include <algorithm>
#include <bit>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include "pipewright/store/log.h"

namespace pipewright::store {

namespace {

constexpr std::string_view k_index_header = "pipewright-log-index 1\n";

util::Error io_error(std::string_view what, const std::string& path) {
  return util::Error{fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)), {}, {}};
}

util::Error zstd_error(size_t code, const std::string& path) {
  return util::Error{fmt::format("cannot compress {}: {}", path, ZSTD_getErrorName(code)), {}, {}};
}

// Eight bytes at a time: a byte of `word ^ 0x0a0a…` is zero exactly where a '\n'
// was, and the high bit of each byte of `found` is set exactly for those.
int64_t count_newlines(std::string_view bytes) {
  constexpr uint64_t k_newlines = 0x0a0a0a0a0a0a0a0aull;
  constexpr uint64_t k_low7 = 0x7f7f7f7f7f7f7f7full;
  int64_t count = 0;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    word ^= k_newlines;
    uint64_t found = ~(((word & k_low7) + k_low7) | word | k_low7);
    count += std::popcount(found);
  }
  for (; i < bytes.size(); ++i)
    count += bytes[i] == '\n';
  return count;
}

// Compression contexts of closed logs, kept for the next step: a fresh context
// allocates and clears its tables (about 1 MB at level 3) on its first frame, which
// a step of a few lines would pay in full; a reused one keeps them. Each keeps its
// output buffer too (ZSTD_CStreamOutSize(), past malloc's mmap threshold, so a new
// one per step cost an mmap and a munmap).
class ContextPool {
 public:
  struct Entry {
    ZSTD_CCtx* cctx = nullptr;
    std::unique_ptr<char[]> out;  // ZSTD_CStreamOutSize() bytes
  };

  static ContextPool& instance() {
    static ContextPool pool;
    return pool;
  }
  // A context with no parameters set and its buffer; cctx is nullptr when out of memory.
  Entry take() {
    {
      std::lock_guard lock(m_mutex);
      if (!m_free.empty()) {
        Entry entry = std::move(m_free.back());
        m_free.pop_back();
        return entry;
      }
    }
    Entry entry{ZSTD_createCCtx(), nullptr};
    if (entry.cctx) entry.out.reset(new char[ZSTD_CStreamOutSize()]);
    return entry;
  }
  void give_back(Entry entry) {
    if (!entry.cctx) return;
    ZSTD_CCtx_reset(entry.cctx, ZSTD_reset_session_and_parameters);
    {
      std::lock_guard lock(m_mutex);
      if (m_free.size() < k_max_free) {
        m_free.push_back(std::move(entry));
        return;
      }
    }
    ZSTD_freeCCtx(entry.cctx);
  }
  ~ContextPool() {
    for (Entry& entry : m_free)
      ZSTD_freeCCtx(entry.cctx);
  }

 private:
  static constexpr size_t k_max_free = 2;  // bounded memory: idle contexts kept
  std::mutex m_mutex;
  std::vector<Entry> m_free;
};

}  // namespace

util::Expected<std::unique_ptr<LogWriter>> LogWriter::create(const std::string& path,
                                                             LogOptions options) {
  ContextPool::Entry context = ContextPool::instance().take();
  if (!context.cctx) return util::fail("cannot create a zstd compression context (out of memory)");
  ZSTD_CCtx_setParameter(context.cctx, ZSTD_c_compressionLevel, options.level);
  ZSTD_CCtx_setParameter(context.cctx, ZSTD_c_checksumFlag, 1);
  return std::unique_ptr<LogWriter>(
      new LogWriter(path, options, context.cctx, std::move(context.out)));
}

LogWriter::LogWriter(std::string path, LogOptions options, ZSTD_CCtx* cctx,
                     std::unique_ptr<char[]> out)
    : m_path(std::move(path)),
      m_options(options),
      m_cctx(cctx),
      m_out(std::move(out)),
      m_out_size(ZSTD_CStreamOutSize()),
      m_last_flush(std::chrono::steady_clock::now()) {}

LogWriter::~LogWriter() {
  if (m_flusher) m_flusher->remove(this);
  std::lock_guard lock(m_mutex);
  // Nobody takes the bytes of an inline log any more: they go to the file.
  (void)close_locked(HeldOutput::to_file);
}

void LogWriter::attach(std::shared_ptr<LogFlusher> flusher) {
  if (m_flusher || !flusher) return;
  m_flusher = std::move(flusher);
  m_flusher->add(this);
}

util::Expected<void> LogWriter::write_out(const void* data, size_t size, int fd,
                                          const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_error("write", path));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

// Moves the log from memory to its file: creates (truncates) it, and its directory when
// missing (a job whose logs all stay inline never gets one), removes a stale index (the
// index is only created once a second frame starts) and writes what was held.
// A failure is kept: the log cannot be stored, and holding more would grow without bound.
util::Expected<void> LogWriter::create_file() {
  if (m_in_file) return {};
  if (m_failed) return std::unexpected(*m_failed);
  int fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(m_path).parent_path(), ec);
    fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  util::Expected<void> created =
      fd < 0 ? std::unexpected(io_error("create", m_path)) : util::Expected<void>{};
  std::string index_path = m_path + ".idx";
  if (created && ::unlink(index_path.c_str()) != 0 && errno != ENOENT)
    created = std::unexpected(io_error("remove", index_path));
  if (created) created = write_out(m_held.data(), m_held.size(), fd, m_path);
  if (!created) {
    if (fd >= 0) ::close(fd);
    m_failed = created.error();
    std::string().swap(m_held);
    return created;
  }
  m_fd = fd;
  m_in_file = true;
  std::string().swap(m_held);  // give the memory back: a file log may run for hours
  return {};
}

// Sends compressed output to the file, or holds it while there is none and it is small.
util::Expected<void> LogWriter::emit(std::string_view compressed) {
  if (!m_in_file) {
    m_held.append(compressed);
    m_compressed += static_cast<int64_t>(compressed.size());
    if (m_held.size() > m_options.inline_bytes) return create_file();
    return {};
  }
  PW_TRY_VOID(write_out(compressed.data(), compressed.size(), m_fd, m_path));
  m_compressed += static_cast<int64_t>(compressed.size());
  return {};
}

// Runs the compressor over `input` with `mode` (ZSTD_e_continue, _flush or _end) and
// writes whatever it produces; for _flush and _end, until the compressor is drained.
util::Expected<void> LogWriter::compress(std::string_view input, int mode) {
  auto directive = static_cast<ZSTD_EndDirective>(mode);
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  for (;;) {
    ZSTD_outBuffer out{m_out.get(), m_out_size, 0};
    size_t remaining = ZSTD_compressStream2(m_cctx, &out, &in, directive);
    if (ZSTD_isError(remaining)) return std::unexpected(zstd_error(remaining, m_path));
    PW_TRY_VOID(emit(std::string_view(m_out.get(), out.pos)));
    bool done = directive == ZSTD_e_continue ? in.pos == in.size : remaining == 0;
    if (done) return {};
  }
}

// Before the first byte of a frame: records where it starts in the index. The first
// frame starts at 0 and needs no entry, so one-frame logs (most steps) have no index.
util::Expected<void> LogWriter::begin_frame_if_needed() {
  if (m_frame_in > 0 || m_stats.bytes == 0) return {};
  std::string index_path = m_path + ".idx";
  std::string entry;
  if (m_index_fd < 0) {
    m_index_fd = ::open(index_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_index_fd < 0) return std::unexpected(io_error("create", index_path));
    entry = fmt::format("{}F 0 0 0 1\n", k_index_header);
  }
  entry += fmt::format("F {} {} {} {}\n", m_compressed, m_stats.bytes, m_newlines,
                       m_at_line_start ? 1 : 0);
  return write_out(entry.data(), entry.size(), m_index_fd, index_path);
}

util::Expected<void> LogWriter::append(std::string_view bytes) {
  std::lock_guard lock(m_mutex);
  if (m_closed) return util::fail(fmt::format("cannot append to {}: it is closed", m_path));
  if (m_failed) return std::unexpected(*m_failed);
  const size_t frame = std::max<size_t>(m_options.frame_bytes, 1);
  while (!bytes.empty()) {
    // End the frame at the first newline past frame_bytes; without one, at 4x.
    size_t take = bytes.size();
    bool end_frame = false;
    if (m_frame_in + bytes.size() >= frame) {
      size_t need = frame > m_frame_in ? frame - m_frame_in : 1;
      size_t newline = bytes.find('\n', need - 1);
      if (newline != std::string_view::npos) {
        take = newline + 1;
        end_frame = true;
      } else if (m_frame_in + bytes.size() >= 4 * frame) {
        take = 4 * frame > m_frame_in ? 4 * frame - m_frame_in : 1;
        end_frame = true;
      }
    }
    std::string_view piece = bytes.substr(0, take);
    // An ended frame counts as flushed, so it must be in the file.
    if (end_frame) PW_TRY_VOID(create_file());
    PW_TRY_VOID(begin_frame_if_needed());
    PW_TRY_VOID(compress(piece, end_frame ? ZSTD_e_end : ZSTD_e_continue));
    m_stats.bytes += static_cast<int64_t>(piece.size());
    m_newlines += count_newlines(piece);
    m_at_line_start = piece.back() == '\n';
    m_stats.lines = m_newlines + (m_at_line_start ? 0 : 1);
    m_unflushed += piece.size();
    m_frame_in = end_frame ? 0 : m_frame_in + piece.size();
    if (end_frame) {
      m_unflushed = 0;  // an ended frame is fully written
      m_last_flush = std::chrono::steady_clock::now();
    }
    bytes.remove_prefix(take);
  }
  if (m_unflushed >= m_options.flush_bytes) return flush_locked();
  return {};
}

util::Expected<void> LogWriter::flush_locked() {
  if (m_closed || m_unflushed == 0) return {};
  PW_TRY_VOID(create_file());  // flushed output must survive a crash: memory does not
  PW_TRY_VOID(compress({}, ZSTD_e_flush));
  m_unflushed = 0;
  m_last_flush = std::chrono::steady_clock::now();
  return {};
}

util::Expected<void> LogWriter::flush() {
  std::lock_guard lock(m_mutex);
  return flush_locked();
}

util::Expected<void> LogWriter::flush_if_due(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(m_mutex);
  if (m_unflushed == 0 || now - m_last_flush < m_options.flush_interval) return {};
  return flush_locked();
}

util::Expected<ClosedLog> LogWriter::close_locked(HeldOutput held) {
  if (!m_closed) {
    util::Expected<void> ended = m_failed ? std::unexpected(*m_failed) : util::Expected<void>{};
    if (ended && m_frame_in > 0) ended = compress({}, ZSTD_e_end);
    if (ended && held == HeldOutput::to_file && !m_held.empty()) ended = create_file();
    m_closed = true;
    if (m_fd >= 0) ::close(std::exchange(m_fd, -1));
    if (m_index_fd >= 0) ::close(std::exchange(m_index_fd, -1));
    ContextPool::instance().give_back({std::exchange(m_cctx, nullptr), std::move(m_out)});
    if (!ended) m_failed = ended.error();
  }
  if (m_failed) return std::unexpected(*m_failed);
  ClosedLog closed{m_stats, std::nullopt};
  if (!m_in_file) closed.inline_zstd = m_held;
  return closed;
}

util::Expected<ClosedLog> LogWriter::close() {
  std::lock_guard lock(m_mutex);
  return close_locked(HeldOutput::hand_back);
}

LogStats LogWriter::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

struct LogFlusher::State {
  std::mutex mutex;
  std::condition_variable wake;
  std::set<LogWriter*> writers;
  bool stop = false;
  std::chrono::milliseconds period;
  std::thread thread;
};

LogFlusher::LogFlusher(std::chrono::milliseconds period) : m_state(std::make_unique<State>()) {
  m_state->period = period;
  m_state->thread = std::thread([state = m_state.get()] {
    std::unique_lock lock(state->mutex);
    while (!state->stop) {
      state->wake.wait_for(lock, state->period);
      auto now = std::chrono::steady_clock::now();
      // A failed flush shows again on the writer's next append or close.
      for (LogWriter* writer : state->writers)
        (void)writer->flush_if_due(now);
    }
  });
}

LogFlusher::~LogFlusher() {
  {
    std::lock_guard lock(m_state->mutex);
    m_state->stop = true;
  }
  m_state->wake.notify_all();
  m_state->thread.join();
}

void LogFlusher::add(LogWriter* writer) {
  std::lock_guard lock(m_state->mutex);
  m_state->writers.insert(writer);
}

void LogFlusher::remove(LogWriter* writer) {
  std::lock_guard lock(m_state->mutex);
  m_state->writers.erase(writer);
}

}  // namespace pipewright::store
