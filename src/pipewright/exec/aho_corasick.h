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

  // Skips ahead from the root: the first index in [from, size - 1) at which an
  // occurrence may start, judged by the pair of bytes there; `size - 1` (or
  // `from` when from >= size - 1) when none can start before the last byte.
  // From the root, every skipped byte would have led back to the root and
  // reported nothing, so the caller may resume stepping at the result.
  size_t skip_from_root(const unsigned char* bytes, size_t from, size_t size) const {
    if (!m_pair_filter) return from;
    size_t i = from;
    while (i + 1 < size && !may_start(bytes[i], bytes[i + 1]))
      ++i;
    return i;
  }

 private:
  size_t index(State state) const { return (state & ~k_match_bit) / m_class_count; }
  bool may_start(unsigned char first, unsigned char second) const {
    size_t pair = static_cast<size_t>(first) << 8 | second;
    return (m_start_pairs[pair >> 6] >> (pair & 63)) & 1;
  }

  std::array<uint16_t, 256> m_class_of{};
  size_t m_class_count = 1;
  std::vector<State> m_delta;
  std::vector<uint32_t> m_match_length;
  std::vector<uint32_t> m_depth;
  uint32_t m_max_length = 0;
  // Bit (a << 8 | b) set when some pattern begins with the bytes a, b. Only
  // used when every pattern has at least two bytes (m_pair_filter).
  std::array<uint64_t, 65536 / 64> m_start_pairs{};
  bool m_pair_filter = false;
};

}  // namespace pipewright::exec
