// GitHub's branch/tag/path filter patterns (`on.push.branches`, `paths-ignore`, …):
// `*` (no `/`), `**` (anything), `**/` (empty or any prefix ending in `/`), `?` (zero or
// one of the preceding character), `+` (one or more of it), `[a-z0-9]` sets, `\x`
// escapes and a leading `!` for negation. Compiled once to a small NFA; matching is
// linear in pattern size times name length (no backtracking, no std::regex).
#pragma once

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pipewright::util {

// A syntax error in a pattern: what is wrong and the 0-based byte offset in the pattern.
struct GlobError {
  std::string message;
  size_t offset = 0;
};

class GlobPattern {
 public:
  // Compiles `pattern`; fails on an unclosed `[`, an empty set, an invalid range, a
  // leading `?`/`+`, a doubled quantifier, a trailing `\` or an empty pattern.
  static std::expected<GlobPattern, GlobError> compile(std::string_view pattern);

  // True when the whole of `name` matches (the leading `!` is not part of the match).
  bool matches(std::string_view name) const;
  // True when the pattern started with `!`.
  bool negated() const { return m_negated; }
  // The pattern as written.
  const std::string& text() const { return m_text; }

 private:
  enum class Test : unsigned char { none, literal, set, not_slash, any };
  struct State {
    Test test = Test::none;
    char ch = 0;
    int set = -1;           // index into m_sets for Test::set
    int next = -1;          // state after a successful test
    int eps[2] = {-1, -1};  // epsilon edges (for Test::none)
  };
  struct CharSet {
    std::vector<std::pair<char, char>> ranges;
  };

  void add_closure(std::vector<char>& in, std::vector<int>& list, int state) const;
  bool accepts(const State& s, char c) const;

  std::string m_text;
  bool m_negated = false;
  std::vector<State> m_states;  // state 0 is the start; m_accept is the final one
  std::vector<CharSet> m_sets;
  int m_accept = 0;
};

// How a list of filter patterns is read (gha-spec.md §11).
enum class FilterMode { positive, ignore };

// Whether an event passes a filter list; for each input the last matching pattern wins
// (a `!` pattern un-matches). `positive`: passes when any input ends up included.
// `ignore`: passes unless every input ends up ignored. An empty input list never passes.
bool filter_passes(std::span<const GlobPattern> patterns, std::span<const std::string> inputs,
                   FilterMode mode);

}  // namespace pipewright::util
