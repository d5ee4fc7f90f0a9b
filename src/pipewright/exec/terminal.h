// The terminal the live board draws on: a small seam (a real TTY on stdout, a fake in
// tests), whether stdout wants the board at all, and the text helpers the board needs
// to stay inside one row per line: display width, truncation to a width, and
// sanitising step output before it reaches a terminal.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace pipewright::exec {

struct TerminalSize {
  int width = 80;
  int height = 24;
};

// Where the board writes. Implementations need not be thread-safe: the board
// serialises its writes.
class Terminal {
 public:
  virtual ~Terminal() = default;
  // Writes every byte (retrying short writes; errors are dropped: a closed terminal
  // must not stop the run).
  virtual void write(std::string_view bytes) = 0;
  // The current size; a real terminal re-reads it after SIGWINCH.
  virtual TerminalSize size() = 0;
};

// stdout as a terminal: size from ioctl(TIOCGWINSZ), re-read after SIGWINCH (a handler
// is installed for the lifetime of the returned object; at most one at a time).
std::unique_ptr<Terminal> stdout_terminal();

// Whether `pipewright run` draws the live board: stdout is a TTY, TERM is set and not
// "dumb", and CI is not "true".
bool board_wanted();

// Whether colours may be used on a terminal: NO_COLOR is unset or empty.
bool colour_wanted();

// Columns `text` takes on a terminal: ANSI escape sequences take none, East Asian wide
// characters and emoji two, combining marks none, other code points one.
size_t display_width(std::string_view text);

// `text` cut to at most `width` columns, ending in "…" when cut. Escape sequences are
// kept; when any was cut off mid-colour a reset (ESC[0m) ends the result.
std::string truncate_to_width(std::string_view text, size_t width);

// One line of step output made safe for a terminal: colour (SGR) sequences are kept
// when `colour` (dropped otherwise), every other escape sequence and control
// character is removed (a tab becomes a space), invalid UTF-8 bytes become U+FFFD.
std::string sanitize_line(std::string_view line, bool colour);

}  // namespace pipewright::exec
