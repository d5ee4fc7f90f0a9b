#include "pipewright/exec/terminal.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <sys/ioctl.h>
#include <unistd.h>

namespace pipewright::exec {

namespace {

// Set by the SIGWINCH handler; the terminal re-reads its size when it sees it.
std::atomic<bool> g_resized{true};

extern "C" void on_sigwinch(int) {
  g_resized.store(true, std::memory_order_relaxed);
}

class StdoutTerminal : public Terminal {
 public:
  StdoutTerminal() {
    struct sigaction action {};
    action.sa_handler = on_sigwinch;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    m_installed = sigaction(SIGWINCH, &action, &m_previous) == 0;
    g_resized.store(true);
  }
  ~StdoutTerminal() override {
    if (m_installed) sigaction(SIGWINCH, &m_previous, nullptr);
  }
  StdoutTerminal(const StdoutTerminal&) = delete;
  StdoutTerminal& operator=(const StdoutTerminal&) = delete;

  void write(std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  TerminalSize size() override {
    if (!g_resized.exchange(false)) return m_size;
    struct winsize ws {};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
      m_size = TerminalSize{ws.ws_col, ws.ws_row};
    } else {
      m_size = TerminalSize{env_int("COLUMNS", 80), env_int("LINES", 24)};
    }
    return m_size;
  }

 private:
  static int env_int(const char* name, int fallback) {
    const char* value = std::getenv(name);
    int n = value ? std::atoi(value) : 0;
    return n > 0 ? n : fallback;
  }

  struct sigaction m_previous {};
  bool m_installed = false;
  TerminalSize m_size;
};

// The code point at text[i] and its length in bytes; length 0 when the bytes there are
// not valid UTF-8.
struct Decoded {
  uint32_t code_point = 0;
  size_t length = 0;
};

Decoded decode(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > text.size()) return {};
  static constexpr unsigned char k_lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  uint32_t cp = c & k_lead_mask[n];
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < k_min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, n};
}

struct Range {
  uint32_t first, last;
};

// Code points that take no column (combining marks, zero-width characters,
// variation selectors).
constexpr Range k_zero_width[] = {
    {0x0300, 0x036F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
};

// Code points that take two columns (East Asian wide and full-width, emoji).
constexpr Range k_wide[] = {
    {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
    {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
    {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

bool in(const auto& ranges, uint32_t cp) {
  for (const Range& r : ranges)
    if (cp >= r.first && cp <= r.last) return true;
  return false;
}

size_t code_point_width(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7F || in(k_zero_width, cp)) return 0;
  return in(k_wide, cp) ? 2 : 1;
}

// Length of the escape sequence starting at text[i] (an ESC): CSI `ESC [ ... final`,
// OSC `ESC ] ... BEL|ESC \`, or a two-byte `ESC x`.
size_t escape_length(std::string_view text, size_t i) {
  if (i + 1 >= text.size()) return 1;
  char kind = text[i + 1];
  if (kind == '[') {
    size_t k = i + 2;
    while (k < text.size() && static_cast<unsigned char>(text[k]) >= 0x20 &&
           static_cast<unsigned char>(text[k]) <= 0x3F)
      ++k;
    return k < text.size() ? k + 1 - i : text.size() - i;
  }
  if (kind == ']') {
    for (size_t k = i + 2; k < text.size(); ++k) {
      if (text[k] == '\a') return k + 1 - i;
      if (text[k] == '\x1b' && k + 1 < text.size() && text[k + 1] == '\\') return k + 2 - i;
    }
    return text.size() - i;
  }
  return 2;
}

// Whether the escape sequence is a colour (SGR) one: ESC [ digits/';' m.
bool is_sgr(std::string_view sequence) {
  if (sequence.size() < 3 || sequence[1] != '[' || sequence.back() != 'm') return false;
  for (char c : sequence.substr(2, sequence.size() - 3))
    if (!(c >= '0' && c <= '9') && c != ';') return false;
  return true;
}

}  // namespace

std::unique_ptr<Terminal> stdout_terminal() {
  return std::make_unique<StdoutTerminal>();
}

bool board_wanted() {
  if (!isatty(STDOUT_FILENO)) return false;
  const char* term = std::getenv("TERM");
  if (!term || !*term || std::strcmp(term, "dumb") == 0) return false;
  const char* ci = std::getenv("CI");
  return !(ci && std::strcmp(ci, "true") == 0);
}

bool colour_wanted() {
  const char* no_colour = std::getenv("NO_COLOR");
  return !no_colour || !*no_colour;
}

size_t display_width(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\x1b') {
      i += escape_length(text, i);
      continue;
    }
    Decoded d = decode(text, i);
    if (d.length == 0) {
      ++width;  // shown as a replacement character
      ++i;
      continue;
    }
    width += code_point_width(d.code_point);
    i += d.length;
  }
  return width;
}

std::string truncate_to_width(std::string_view text, size_t width) {
  if (display_width(text) <= width) return std::string(text);
  if (width == 0) return "";
  std::string out;
  size_t used = 0;
  bool coloured = false;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\x1b') {
      size_t n = escape_length(text, i);
      std::string_view sequence = text.substr(i, n);
      coloured = is_sgr(sequence) && sequence != "\x1b[0m" && sequence != "\x1b[m";
      out.append(sequence);
      i += n;
      continue;
    }
    Decoded d = decode(text, i);
    size_t w = d.length == 0 ? 1 : code_point_width(d.code_point);
    if (used + w > width - 1) break;
    out.append(text.substr(i, d.length == 0 ? 1 : d.length));
    used += w;
    i += d.length == 0 ? 1 : d.length;
  }
  out += "…";
  if (coloured) out += "\x1b[0m";
  return out;
}

std::string sanitize_line(std::string_view line, bool colour) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size();) {
    unsigned char c = line[i];
    if (c == '\x1b') {
      size_t n = escape_length(line, i);
      std::string_view sequence = line.substr(i, n);
      if (colour && is_sgr(sequence)) out.append(sequence);
      i += n;
      continue;
    }
    if (c == '\t') {
      out += ' ';
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      ++i;
      continue;
    }
    Decoded d = decode(line, i);
    if (d.length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    out.append(line.substr(i, d.length));
    i += d.length;
  }
  if (colour && out.find('\x1b') != std::string::npos) out += "\x1b[0m";
  return out;
}

}  // namespace pipewright::exec
