#include "pipewright/store/log.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipewright/util/sha256.h"

#include "unit/temp_dir.h"

namespace pipewright::store {
namespace {

using test_support::TempDirTest;
using namespace std::chrono_literals;

// Appends line i of a synthetic log, varied enough that zstd cannot shrink it to
// nothing (without allocating, so that memory measurements see only the log code).
void append_line(std::string& out, int64_t i) {
  uint64_t x = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull;
  char buffer[128];
  int n = std::snprintf(buffer, sizeof buffer, "line %lld %016llx %llu\n",
                        static_cast<long long>(i), static_cast<unsigned long long>(x),
                        static_cast<unsigned long long>(x % 1000003));
  out.append(buffer, static_cast<size_t>(n));
}

std::string make_line(int64_t i) {
  std::string line;
  append_line(line, i);
  return line;
}

std::string make_lines(int64_t first, int64_t count) {
  std::string text;
  for (int64_t i = first; i < first + count; ++i)
    append_line(text, i);
  return text;
}

// Output that compresses badly (so it fills zstd blocks fast), in lines.
std::string noise(size_t bytes) {
  std::string text;
  uint64_t x = 42;
  while (text.size() < bytes) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    text.push_back(text.size() % 100 == 99 ? '\n' : static_cast<char>('!' + (x >> 33) % 90));
  }
  return text;
}

// The log as a store would read it: the inline bytes when close() returned them,
// else the file.
util::Expected<std::string> read_back(const ClosedLog& closed, const std::string& file,
                                      LineRange range = {}) {
  if (closed.inline_zstd) return read_inline_log_text(*closed.inline_zstd, range);
  return read_log_text(file, range);
}

using LogTest = TempDirTest;

// A short log closed before any flush never touches the disk: close() hands it back.
TEST_F(LogTest, ShortLogComesBackFromCloseWithoutAFile) {
  auto writer = LogWriter::create(path("a.log.zst"));
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE((*writer)->append("hello\nwor"));
  ASSERT_TRUE((*writer)->append("ld\nno newline"));
  auto closed = (*writer)->close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->stats.bytes, 22);
  EXPECT_EQ(closed->stats.lines, 3);
  ASSERT_TRUE(closed->inline_zstd);
  EXPECT_FALSE(std::filesystem::exists(path("a.log.zst")));
  EXPECT_FALSE(std::filesystem::exists(path("a.log.zst.idx")));
  auto text = read_inline_log_text(*closed->inline_zstd);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "hello\nworld\nno newline");
  EXPECT_EQ(*read_inline_log_text(*closed->inline_zstd, {1, 1}), "world\n");
  EXPECT_EQ(*read_inline_log_text(*closed->inline_zstd, {2, -1}), "no newline");
  EXPECT_FALSE((*writer)->append("more"));
  auto again = (*writer)->close();  // idempotent
  ASSERT_TRUE(again && again->inline_zstd);
  EXPECT_EQ(*again->inline_zstd, *closed->inline_zstd);
}

TEST_F(LogTest, FlushedLogIsAFileAndReadsBack) {
  auto writer = LogWriter::create(path("f.log.zst"));
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->append("before\n"));
  ASSERT_TRUE((*writer)->flush());
  EXPECT_TRUE(std::filesystem::exists(path("f.log.zst")));
  ASSERT_TRUE((*writer)->append("after\n"));
  auto closed = (*writer)->close();
  ASSERT_TRUE(closed);
  EXPECT_FALSE(closed->inline_zstd);
  EXPECT_EQ(*read_log_text(path("f.log.zst")), "before\nafter\n");
  EXPECT_EQ(*read_log_text(path("f.log.zst"), {1, 1}), "after\n");
}

// More compressed output than inline_bytes moves the log to its file, flush or not.
TEST_F(LogTest, LargeLogSpillsToItsFileWithoutAFlush) {
  LogOptions options;
  options.flush_bytes = 1 << 30;
  options.inline_bytes = 4096;
  auto writer = LogWriter::create(path("s.log.zst"), options);
  ASSERT_TRUE(writer);
  std::string text = noise(400 * 1024);
  ASSERT_TRUE((*writer)->append(text));
  EXPECT_TRUE(std::filesystem::exists(path("s.log.zst")));
  auto closed = (*writer)->close();
  ASSERT_TRUE(closed);
  EXPECT_FALSE(closed->inline_zstd);
  auto back = read_log_text(path("s.log.zst"));
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == text);
}

// Dropping a writer without close() must not lose what it held in memory.
TEST_F(LogTest, WriterDestroyedBeforeCloseWritesItsFile) {
  auto writer = LogWriter::create(path("x.log.zst"));
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->append("unfinished step\n"));
  writer->reset();
  EXPECT_EQ(*read_log_text(path("x.log.zst")), "unfinished step\n");
}

// The file is created late (with its directory), so that is where a bad path shows;
// the failure sticks.
TEST_F(LogTest, AFileThatCannotBeCreatedFailsTheFlushAndLaterCalls) {
  std::FILE* blocker = std::fopen(path("not-a-dir").c_str(), "w");  // where its dir would go
  ASSERT_TRUE(blocker);
  std::fclose(blocker);
  auto writer = LogWriter::create(path("not-a-dir/m.log.zst"));
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->append("held in memory\n"));
  auto flushed = (*writer)->flush();
  ASSERT_FALSE(flushed);
  EXPECT_NE(flushed.error().message.find("cannot create"), std::string::npos);
  EXPECT_FALSE((*writer)->append("more\n"));
  EXPECT_FALSE((*writer)->close());
}

// Line counting looks at eight bytes at a time: bytes next to a newline that
// differ from it in one bit or in the high bit must not count.
TEST_F(LogTest, CountsLinesOfBinaryOutputExactly) {
  std::string bytes;
  uint64_t x = 12345;
  for (int i = 0; i < 100'000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    static constexpr unsigned char k_near[] = {'\n', 0x8a, 0x0b, 0x0e, 0x2a,
                                               0x00, 0xff, 0x7f, 0x80};
    bytes.push_back(static_cast<char>(k_near[(x >> 33) % sizeof k_near]));
  }
  bytes += "tail";
  int64_t newlines = std::count(bytes.begin(), bytes.end(), '\n');
  ASSERT_GT(newlines, 1000);
  auto writer = LogWriter::create(path("b.log.zst"));
  ASSERT_TRUE(writer);
  for (size_t at = 0; at < bytes.size(); at += 7777)
    ASSERT_TRUE((*writer)->append(std::string_view(bytes).substr(at, 7777)));
  auto closed = (*writer)->close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->stats.lines, newlines + 1);  // the unterminated "tail" counts too
  auto text = read_back(*closed, path("b.log.zst"));
  ASSERT_TRUE(text);
  EXPECT_TRUE(*text == bytes);
}

TEST_F(LogTest, EmptyLogReadsAsEmpty) {
  auto writer = LogWriter::create(path("e.log.zst"));
  ASSERT_TRUE(writer);
  auto closed = (*writer)->close();
  ASSERT_TRUE(closed && closed->inline_zstd);
  EXPECT_FALSE(std::filesystem::exists(path("e.log.zst")));
  auto text = read_inline_log_text(*closed->inline_zstd);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "");
}

TEST_F(LogTest, LineRangesAcrossManyFrames) {
  LogOptions options;
  options.frame_bytes = 4096;  // many frames, so range reads start mid-file
  auto writer = LogWriter::create(path("r.log.zst"), options);
  ASSERT_TRUE(writer);
  const int64_t total = 5000;
  std::string all = make_lines(0, total);
  // Odd chunk sizes so frames and lines do not line up with appends.
  for (size_t at = 0; at < all.size(); at += 777)
    ASSERT_TRUE((*writer)->append(std::string_view(all).substr(at, 777)));
  auto closed = (*writer)->close();
  ASSERT_TRUE(closed);
  EXPECT_FALSE(closed->inline_zstd);  // ending a frame moves a log to its file

  std::ifstream index(path("r.log.zst.idx"));
  std::string line;
  int frames = 0;
  while (std::getline(index, line))
    frames += line.starts_with("F ");
  EXPECT_GT(frames, 30);

  for (int64_t first : {0, 1, 57, 1234, 2500, 4999}) {
    for (int64_t count : {1, 3, 400}) {
      auto text = read_log_text(path("r.log.zst"), {first, count});
      ASSERT_TRUE(text);
      EXPECT_EQ(*text, make_lines(first, std::min(count, total - first)))
          << "first " << first << " count " << count;
    }
  }
  auto tail = read_log_text(path("r.log.zst"), {4990, -1});
  ASSERT_TRUE(tail);
  EXPECT_EQ(*tail, make_lines(4990, 10));
  auto past_end = read_log_text(path("r.log.zst"), {total + 5, 10});
  ASSERT_TRUE(past_end);
  EXPECT_EQ(*past_end, "");
  auto whole = read_log_text(path("r.log.zst"));
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, all);
}

TEST_F(LogTest, RangesStillWorkWithADamagedIndex) {
  LogOptions options;
  options.frame_bytes = 2048;
  auto writer = LogWriter::create(path("d.log.zst"), options);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->append(make_lines(0, 2000)));
  ASSERT_TRUE((*writer)->close());
  // A torn last index line (writer killed) is ignored; no index at all means a full scan.
  {
    std::ofstream index(path("d.log.zst.idx"), std::ios::app);
    index << "F 12";
  }
  auto text = read_log_text(path("d.log.zst"), {1500, 2});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, make_lines(1500, 2));
  std::remove(path("d.log.zst.idx").c_str());
  text = read_log_text(path("d.log.zst"), {1500, 2});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, make_lines(1500, 2));
}

TEST_F(LogTest, MissingOrCorruptLogsAreErrors) {
  auto missing = read_log_text(path("nope.log.zst"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope.log.zst"), std::string::npos);
  {
    std::ofstream junk(path("junk.log.zst"));
    junk << "this is not zstd at all";
  }
  auto junk = read_log_text(path("junk.log.zst"));
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find("damaged"), std::string::npos);
  auto inline_junk = read_inline_log_text("this is not zstd either");
  ASSERT_FALSE(inline_junk);
  EXPECT_NE(inline_junk.error().message.find("damaged"), std::string::npos);
}

TEST_F(LogTest, FlusherMakesAQuietStepsOutputReadable) {
  auto flusher = std::make_shared<LogFlusher>(20ms);
  LogOptions options;
  options.flush_interval = 50ms;
  auto writer = LogWriter::create(path("q.log.zst"), options);
  ASSERT_TRUE(writer);
  (*writer)->attach(flusher);
  ASSERT_TRUE((*writer)->append("first line\n"));
  // Nothing forces a flush but time: the line sits in memory (no file yet) until the
  // flusher creates the file.
  std::string seen;
  for (int i = 0; i < 100 && seen.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    if (!std::filesystem::exists(path("q.log.zst"))) continue;
    auto text = read_log_text(path("q.log.zst"));
    ASSERT_TRUE(text) << text.error().message;
    seen = *text;
  }
  EXPECT_EQ(seen, "first line\n");
  ASSERT_TRUE((*writer)->append("second\n"));
  writer->reset();  // closes and detaches
}

TEST_F(LogTest, UnflushedDataIsNotVisibleYet) {
  LogOptions options;
  options.flush_bytes = 1 << 20;
  auto writer = LogWriter::create(path("u.log.zst"), options);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->append("pending\n"));
  EXPECT_FALSE(std::filesystem::exists(path("u.log.zst")));
  ASSERT_TRUE((*writer)->flush());
  auto after = read_log_text(path("u.log.zst"));
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, "pending\n");
}

// Peak resident memory since the last reset_peak_rss(), in KiB; -1 when unknown.
long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  return -1;
}

bool reset_peak_rss() {
  int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, "5", 1) == 1;
  ::close(fd);
  return ok;
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

TEST_F(LogTest, FiftyMegabytesWithBoundedMemory) {
  const int64_t target = 50ll << 20;
  bool measured = reset_peak_rss();
  long start = rss_kib();

  auto writer = LogWriter::create(path("big.log.zst"));
  ASSERT_TRUE(writer);
  util::Sha256 written;
  std::string chunk;
  int64_t line = 0;
  int64_t bytes = 0;
  while (bytes < target) {
    chunk.clear();
    while (chunk.size() < 3000)
      append_line(chunk, line++);
    written.update(chunk);
    bytes += static_cast<int64_t>(chunk.size());
    ASSERT_TRUE((*writer)->append(chunk));
  }
  auto closed = (*writer)->close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->stats.bytes, bytes);
  EXPECT_EQ(closed->stats.lines, line);
  EXPECT_FALSE(closed->inline_zstd);
  EXPECT_LT(std::filesystem::file_size(path("big.log.zst")), static_cast<uintmax_t>(bytes) / 2);

  util::Sha256 read;
  int64_t read_bytes = 0;
  ASSERT_TRUE(read_log(path("big.log.zst"), {}, [&](std::string_view piece) {
    read.update(piece);
    read_bytes += static_cast<int64_t>(piece.size());
  }));
  EXPECT_EQ(read_bytes, bytes);
  EXPECT_EQ(util::to_hex(read.finish()), util::to_hex(written.finish()));

  auto middle = read_log_text(path("big.log.zst"), {line / 2, 2});
  ASSERT_TRUE(middle);
  EXPECT_EQ(*middle, make_lines(line / 2, 2));

  if (!measured || start < 0) GTEST_SKIP() << "cannot reset peak RSS (/proc/self/clear_refs)";
  long growth_mib = (peak_rss_kib() - start) / 1024;
  RecordProperty("peak_rss_growth_mib", static_cast<int>(growth_mib));
  // zstd level 3 needs a few MiB of context; the 50 MiB log must never be held.
  EXPECT_LT(growth_mib, 24) << "peak RSS grew by " << growth_mib << " MiB";
}

// A child writes a log and reports, after each flush, how many lines it has flushed;
// the parent kills it with SIGKILL mid-stream. Everything reported must be readable.
TEST_F(LogTest, LogOfAProcessKilledMidWriteIsReadableUpToItsLastFlush) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  std::string log_path = path("killed.log.zst");
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(report[0]);
    LogOptions options;
    options.flush_bytes = 1 << 30;  // only the explicit flushes below
    options.frame_bytes = 256 * 1024;
    auto writer = LogWriter::create(log_path, options);
    if (!writer) ::_exit(3);
    for (int64_t i = 0; i < 5'000'000; ++i) {
      if (!(*writer)->append(make_line(i))) ::_exit(4);
      if (i % 500 == 499) {
        if (!(*writer)->flush()) ::_exit(5);
        int64_t flushed = i + 1;
        if (::write(report[1], &flushed, sizeof flushed) != sizeof flushed) ::_exit(6);
      }
    }
    ::_exit(7);  // the parent should have killed us long before
  }
  ::close(report[1]);
  int64_t flushed = 0;
  while (flushed < 40000) {
    ASSERT_EQ(::read(report[0], &flushed, sizeof flushed), static_cast<ssize_t>(sizeof flushed));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  int64_t value = 0;
  while (::read(report[0], &value, sizeof value) == sizeof value)
    flushed = value;
  ::close(report[0]);

  auto text = read_log_text(log_path);
  ASSERT_TRUE(text) << text.error().message;
  std::string expected = make_lines(0, flushed);
  ASSERT_GE(text->size(), expected.size()) << "lost lines that were flushed";
  EXPECT_EQ(text->substr(0, expected.size()), expected);
  // Whatever decoded past the last flush is still the true continuation.
  std::string beyond = make_lines(flushed, 2000);
  std::string extra = text->substr(expected.size());
  ASSERT_LE(extra.size(), beyond.size());
  EXPECT_EQ(extra, beyond.substr(0, extra.size()));
  // Ranges work on the torn log too.
  auto range = read_log_text(log_path, {flushed - 3, 3});
  ASSERT_TRUE(range);
  EXPECT_EQ(*range, make_lines(flushed - 3, 3));
}

}  // namespace
}  // namespace pipewright::store
