// Reading step logs back, from a file or from inline bytes: for a file, picks the frame
// to start from with the index; then one decoder streams the decompressed bytes of the
// requested lines through fixed buffers.
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include "pipewright/os/file.h"
#include "pipewright/store/log.h"

namespace pipewright::store {

namespace {

constexpr std::string_view k_index_header = "pipewright-log-index 1\n";
constexpr size_t k_max_index_bytes = 64 * 1024 * 1024;

struct FrameStart {
  int64_t compressed = 0;  // offset in the .zst file
  int64_t bytes = 0;       // uncompressed bytes before the frame
  int64_t newlines = 0;    // newlines before the frame
  bool at_line_start = true;
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct DCtx {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ~DCtx() { ZSTD_freeDCtx(ctx); }
};

bool parse_int(std::string_view& text, int64_t& value) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return true;
}

// The frames listed in the index; stops at the first incomplete or malformed line
// (the writer may have been killed mid-line). No index, or an unknown version: none.
std::vector<FrameStart> load_index(const std::string& log_path) {
  std::vector<FrameStart> frames;
  auto text = os::read_file(log_path + ".idx", k_max_index_bytes);
  if (!text || !text->starts_with(k_index_header)) return frames;
  std::string_view rest = std::string_view(*text).substr(k_index_header.size());
  for (;;) {
    size_t end = rest.find('\n');
    if (end == std::string_view::npos) break;
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    FrameStart frame;
    int64_t boundary = 0;
    if (!line.starts_with("F ")) break;
    line.remove_prefix(1);
    if (!parse_int(line, frame.compressed) || !parse_int(line, frame.bytes) ||
        !parse_int(line, frame.newlines) || !parse_int(line, boundary) || !line.empty())
      break;
    frame.at_line_start = boundary != 0;
    frames.push_back(frame);
  }
  return frames;
}

// The last frame from which line `first` can be reached by counting newlines.
FrameStart start_for(const std::vector<FrameStart>& frames, int64_t first) {
  FrameStart best;
  for (const FrameStart& frame : frames) {
    bool usable = frame.newlines < first || (frame.newlines == first && frame.at_line_start);
    if (usable && frame.compressed >= best.compressed) best = frame;
  }
  return best;
}

// Passes through the bytes of lines [first, first + count) of a stream that starts at
// line `line`; reports when the range is complete.
class RangeFilter {
 public:
  RangeFilter(int64_t line, LineRange range, const std::function<void(std::string_view)>& sink)
      : m_line(line), m_range(range), m_sink(sink) {}

  bool done() const { return m_range.count >= 0 && m_line >= m_range.first + m_range.count; }

  void feed(std::string_view bytes) {
    while (!bytes.empty() && !done()) {
      size_t newline = bytes.find('\n');
      size_t take = newline == std::string_view::npos ? bytes.size() : newline + 1;
      if (m_line >= m_range.first) m_sink(bytes.substr(0, take));
      if (newline != std::string_view::npos) ++m_line;
      bytes.remove_prefix(take);
    }
  }

 private:
  int64_t m_line;
  LineRange m_range;
  const std::function<void(std::string_view)>& m_sink;
};

// Compressed input for decode(): the next chunk, empty at the end.
using ReadMore = std::function<util::Expected<std::string_view>()>;

// Decompresses what `read_more` yields, a stream that starts at line `start_line`, and
// passes the bytes of `range` to `sink`. `name` says which log in errors.
util::Expected<void> decode(const ReadMore& read_more, int64_t start_line, LineRange range,
                            const std::function<void(std::string_view)>& sink,
                            std::string_view name) {
  DCtx dctx;
  if (!dctx.ctx) return util::fail("cannot create a zstd decompression context (out of memory)");
  std::vector<char> out_buffer(ZSTD_DStreamOutSize());
  RangeFilter filter(start_line, range, sink);
  auto damaged = [&](size_t status) {
    return util::fail(fmt::format("log {} is damaged: {}", name, ZSTD_getErrorName(status)));
  };
  while (!filter.done()) {
    PW_TRY(input, read_more());
    if (input.empty()) break;  // the end, or a frame cut short by a crash: keep what decoded
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    while (in.pos < in.size && !filter.done()) {
      ZSTD_outBuffer out{out_buffer.data(), out_buffer.size(), 0};
      size_t status = ZSTD_decompressStream(dctx.ctx, &out, &in);
      if (ZSTD_isError(status)) return damaged(status);
      filter.feed(std::string_view(out_buffer.data(), out.pos));
    }
    // Drain output the decoder still holds for input already consumed.
    for (;;) {
      if (filter.done()) break;
      ZSTD_inBuffer none{nullptr, 0, 0};
      ZSTD_outBuffer out{out_buffer.data(), out_buffer.size(), 0};
      size_t status = ZSTD_decompressStream(dctx.ctx, &out, &none);
      if (ZSTD_isError(status)) return damaged(status);
      filter.feed(std::string_view(out_buffer.data(), out.pos));
      if (out.pos < out.size) break;
    }
  }
  return {};
}

}  // namespace

util::Expected<void> read_log(const std::string& path, LineRange range,
                              const std::function<void(std::string_view)>& sink) {
  auto cannot_read = [&] {
    return util::fail(fmt::format("cannot read log {}: {}", path, std::strerror(errno)));
  };
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return cannot_read();
  FrameStart start = range.first > 0 ? start_for(load_index(path), range.first) : FrameStart{};
  if (::lseek(file.fd, start.compressed, SEEK_SET) < 0) return cannot_read();
  std::vector<char> in_buffer(ZSTD_DStreamInSize());
  ReadMore read_more = [&]() -> util::Expected<std::string_view> {
    for (;;) {
      ssize_t n = ::read(file.fd, in_buffer.data(), in_buffer.size());
      if (n >= 0) return std::string_view(in_buffer.data(), static_cast<size_t>(n));
      if (errno != EINTR) return cannot_read();
    }
  };
  return decode(read_more, start.newlines, range, sink, path);
}

// An inline log is at most one frame (ending a frame moves a log to its file): no index.
util::Expected<void> read_inline_log(std::string_view zstd, LineRange range,
                                     const std::function<void(std::string_view)>& sink) {
  ReadMore read_more = [rest = zstd]() mutable -> util::Expected<std::string_view> {
    return std::exchange(rest, std::string_view());
  };
  return decode(read_more, 0, range, sink, "stored inline");
}

util::Expected<std::string> read_inline_log_text(std::string_view zstd, LineRange range) {
  std::string text;
  PW_TRY_VOID(read_inline_log(zstd, range, [&](std::string_view bytes) { text.append(bytes); }));
  return text;
}

util::Expected<std::string> read_log_text(const std::string& path, LineRange range) {
  std::string text;
  PW_TRY_VOID(read_log(path, range, [&](std::string_view bytes) { text.append(bytes); }));
  return text;
}

}  // namespace pipewright::store
