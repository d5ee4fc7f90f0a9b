// A byte-level Aho–Corasick automaton, compiled to a dense DFA over byte
// classes, that reports at each position the longest pattern ending there.
// Immutable once built, so one instance can be shared between threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pipewright::exec {

class AhoCorasick {
 public:
  // A state is its row offset in the transition table, with k_match_bit set
  // when a pattern ends there, so stepping costs one load.
  using State = uint32_t;
  static constexpr State k_root = 0;
  static constexpr State k_match_bit = 0x80000000u;

  // Builds the automaton for `patterns` (empty patterns are ignored).
  explicit AhoCorasick(const std::vector<std::string>& patterns);

  // The state after reading `byte` in `state`.
  State next(State state, unsigned char byte) const {
    return m_delta[(state & ~k_match_bit) + m_class_of[byte]];
  }
  // Whether a pattern ends at the position of `state`.
  static bool has_match(State state) { return (state & k_match_bit) != 0; }
  // Length of the longest pattern that ends at the position of `state`; 0: none.
  uint32_t match_length(State state) const { return m_match_length[index(state)]; }
  // How many bytes of a possible match `state` has read (its trie depth): no
  // future match can start before the current position minus this.
  uint32_t depth(State state) const { return m_depth[index(state)]; }
  // The longest pattern's length (0 when there are none).
  uint32_t max_pattern_length() const { return m_max_length; }
  size_t state_count() const { return m_depth.size(); }

  // Skips ahead from the root: the first index in [from, size) at which an
  // occurrence may start, or a later one that is still safe to resume at.
  // Wu–Manber over byte pairs: with m the shortest pattern's length, the pair
  // that ends the m-byte window at `from` tells how far no occurrence can start.
  // From the root, every skipped byte would have led back to the root and
  // reported nothing, so the caller may resume stepping at the result.
  size_t skip_from_root(const unsigned char* bytes, size_t from, size_t size) const {
    if (m_min_length < 2) return from;
    const size_t window = m_min_length;
    size_t at = from;
    while (at + window <= size) {
      const unsigned char* last = bytes + at + window - 2;
      size_t shift = m_shift[static_cast<size_t>(last[0]) << 8 | last[1]];
      if (shift == 0) return at;
      at += shift;
    }
    return at < size ? at : size - 1;
  }

 private:
  size_t index(State state) const { return (state & ~k_match_bit) / m_class_count; }

  std::array<uint16_t, 256> m_class_of{};
  size_t m_class_count = 1;
  std::vector<State> m_delta;
  std::vector<uint32_t> m_match_length;
  std::vector<uint32_t> m_depth;
  uint32_t m_max_length = 0;
  // The Wu–Manber table: for the pair (a << 8 | b) ending a window of the
  // shortest pattern's length, how far the window may move on before an
  // occurrence could start in it (0: one may start at the window). Empty, and
  // m_min_length < 2, when some pattern is a single byte.
  std::vector<uint8_t> m_shift;
  uint32_t m_min_length = 0;
};

}  // namespace pipewright::exec
