// Step logs: zstd frames written as output streams (never the whole log in memory),
// kept in memory while short and moved to a file the first time they must survive
// a crash, plus a small index for reading line ranges of long ones.
//
// Format (layout version 1): a log is a sequence of standard zstd frames. A frame ends
// at a line boundary once it holds about LogOptions::frame_bytes, so a reader can start
// decompressing at any frame. Inside a frame the writer issues ZSTD_e_flush every
// flush_bytes or flush_interval: everything appended before a flush is decodable from
// the file even if the process is then killed with SIGKILL (the reader stops quietly at
// a torn last block). A log lives in one of two places:
// - inline: a log closed before its first flush, before its first frame ends and with
//   at most inline_bytes of compressed output has no file; close() hands back its
//   frames (one frame, or none for an empty log) and the store keeps them in the step's
//   row (steps.log_inline, schema version 3). Most steps end this way: creating a file
//   was most of what a short step cost.
// - a file, `<name>.log.zst`, created when the first of those happens (a crash before
//   it loses only output that was never flushed, as for any log). `<name>.log.zst.idx` lists the
//   frames ("pipewright-log-index 1" then one "F comp uncomp lines_before
//   at_line_start" line per frame, written from the second frame on); it only speeds
//   up range reads and may lag behind the log.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/store/record.h"
#include "pipewright/util/error.h"

typedef struct ZSTD_CCtx_s ZSTD_CCtx;

namespace pipewright::store {

struct LogOptions {
  size_t flush_bytes = 64 * 1024;                 // flush after this much input...
  std::chrono::milliseconds flush_interval{200};  // ...or this long (with a LogFlusher)
  size_t frame_bytes = 1024 * 1024;               // start a new frame past this much input
  size_t inline_bytes = 64 * 1024;  // compressed output held in memory before the file
  int level = 3;                    // zstd compression level
};

class LogFlusher;

// Writes one step's log. Thread-safe: the job runner appends while a LogFlusher
// flushes. The log is complete after close(), in its file or in what close() returns;
// a writer destroyed without close() puts anything held in memory into its file.
class LogWriter {
 public:
  // A writer for the log at `path`, which is not touched yet: the file is created
  // (truncated, a stale index removed) only when output must reach it (see the top of
  // this file). Fails only without memory for a compression context.
  static util::Expected<std::unique_ptr<LogWriter>> create(const std::string& path,
                                                           LogOptions options = {});
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Compresses `bytes` (already masked) onto the end of the log. Fails on a write error,
  // when the file cannot be created (then every later call fails too) or after close().
  util::Expected<void> append(std::string_view bytes);
  // Makes everything appended so far decodable from the file (creating it).
  util::Expected<void> flush();
  // flush() when data is pending and the last flush is older than flush_interval.
  util::Expected<void> flush_if_due(std::chrono::steady_clock::time_point now);
  // Ends the last frame and closes the files; returns the final size and, when the log
  // never needed its file, the whole log (no file exists then). Idempotent.
  util::Expected<ClosedLog> close();
  // Bytes and lines appended so far.
  LogStats stats() const;
  const std::string& path() const { return m_path; }

  // Registers with `flusher` so a quiet step still gets flushed on time.
  void attach(std::shared_ptr<LogFlusher> flusher);

 private:
  // Where output held in memory goes when a writer closes.
  enum class HeldOutput { hand_back, to_file };

  LogWriter(std::string path, LogOptions options, ZSTD_CCtx* cctx, std::unique_ptr<char[]> out);
  util::Expected<void> compress(std::string_view input, int mode);
  util::Expected<void> emit(std::string_view compressed);
  util::Expected<void> write_out(const void* data, size_t size, int fd, const std::string& path);
  util::Expected<void> create_file();
  util::Expected<void> begin_frame_if_needed();
  util::Expected<void> flush_locked();
  util::Expected<ClosedLog> close_locked(HeldOutput held);

  std::string m_path;
  LogOptions m_options;
  int m_fd = -1;                        // the log file, once created
  bool m_in_file = false;               // the file was created (stays true after close)
  std::string m_held;                   // compressed output while there is no file
  std::optional<util::Error> m_failed;  // the file could not be created or ended
  int m_index_fd = -1;                  // opened when the second frame starts
  ZSTD_CCtx* m_cctx = nullptr;
  std::unique_ptr<char[]> m_out;  // ZSTD_CStreamOutSize() bytes, lent with m_cctx by a pool
  size_t m_out_size = 0;
  mutable std::mutex m_mutex;
  LogStats m_stats;
  int64_t m_compressed = 0;  // compressed bytes so far (held or in the file)
  int64_t m_newlines = 0;    // newlines appended so far
  size_t m_frame_in = 0;     // input bytes in the current frame (0: no frame open)
  size_t m_unflushed = 0;    // input bytes since the last flush
  bool m_at_line_start = true;
  bool m_closed = false;
  std::chrono::steady_clock::time_point m_last_flush;
  std::shared_ptr<LogFlusher> m_flusher;
};

// One background thread that calls flush_if_due on every attached writer.
class LogFlusher {
 public:
  // Starts the thread; it wakes every `period`.
  explicit LogFlusher(std::chrono::milliseconds period = std::chrono::milliseconds(100));
  ~LogFlusher();  // stops and joins the thread
  LogFlusher(const LogFlusher&) = delete;
  LogFlusher& operator=(const LogFlusher&) = delete;

  void add(LogWriter* writer);
  void remove(LogWriter* writer);

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

// Lines [first, first + count) of a log, 0-based; count < 0: to the end.
struct LineRange {
  int64_t first = 0;
  int64_t count = -1;
};

// Decompresses the log at `path` and passes the bytes of `range` to `sink` in chunks,
// with bounded memory. A log cut short by a crash yields everything up to its last
// flush. Fails when the file cannot be read or is not a zstd log.
util::Expected<void> read_log(const std::string& path, LineRange range,
                              const std::function<void(std::string_view)>& sink);
// read_log into one string (for small logs and tests).
util::Expected<std::string> read_log_text(const std::string& path, LineRange range = {});
// read_log for an inline log (ClosedLog::inline_zstd). Fails when it is not a zstd log.
util::Expected<void> read_inline_log(std::string_view zstd, LineRange range,
                                     const std::function<void(std::string_view)>& sink);
// read_inline_log into one string.
util::Expected<std::string> read_inline_log_text(std::string_view zstd, LineRange range = {});

}  // namespace pipewright::store
