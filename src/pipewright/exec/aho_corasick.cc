#include "pipewright/exec/aho_corasick.h"

#include <algorithm>
#include <deque>

namespace pipewright::exec {

AhoCorasick::AhoCorasick(const std::vector<std::string>& patterns) {
  // Byte classes: each byte used by a pattern gets its own class; all other
  // bytes share class 0 and always lead back towards the root.
  for (const std::string& pattern : patterns) {
    for (char c : pattern) {
      auto byte = static_cast<unsigned char>(c);
      if (m_class_of[byte] == 0) m_class_of[byte] = static_cast<uint16_t>(m_class_count++);
    }
  }
  const size_t classes = m_class_count;
  constexpr State k_none = static_cast<State>(-1);

  // The trie, with missing edges as k_none.
  m_delta.assign(classes, k_none);
  m_depth.assign(1, 0);
  m_match_length.assign(1, 0);
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) continue;
    State state = k_root;
    for (char c : pattern) {
      size_t edge =
          static_cast<size_t>(state) * classes + m_class_of[static_cast<unsigned char>(c)];
      if (m_delta[edge] == k_none) {
        State child = static_cast<State>(m_depth.size());
        m_delta[edge] = child;
        m_depth.push_back(m_depth[state] + 1);
        m_match_length.push_back(0);
        m_delta.resize(m_delta.size() + classes, k_none);
      }
      state = m_delta[edge];
    }
    m_match_length[state] = static_cast<uint32_t>(pattern.size());
    m_max_length = std::max(m_max_length, static_cast<uint32_t>(pattern.size()));
  }

  // Breadth-first: fill missing edges from the failure state and inherit the
  // failure state's longest match (a terminal state's own match is longer).
  std::vector<State> fail(m_depth.size(), k_root);
  std::deque<State> queue;
  for (size_t cls = 0; cls < classes; ++cls) {
    State& target = m_delta[cls];
    if (target == k_none) {
      target = k_root;
    } else {
      fail[target] = k_root;
      queue.push_back(target);
    }
  }
  while (!queue.empty()) {
    State state = queue.front();
    queue.pop_front();
    if (m_match_length[state] == 0) m_match_length[state] = m_match_length[fail[state]];
    for (size_t cls = 0; cls < classes; ++cls) {
      size_t edge = static_cast<size_t>(state) * classes + cls;
      State fallback = m_delta[static_cast<size_t>(fail[state]) * classes + cls];
      if (m_delta[edge] == k_none) {
        m_delta[edge] = fallback;
      } else {
        fail[m_delta[edge]] = fallback;
        queue.push_back(m_delta[edge]);
      }
    }
  }

  // The skip table (see skip_from_root). A pair at offset q < m - 1 of some
  // pattern's first m bytes allows a shift of at most m - 2 - q.
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) continue;
    uint32_t length = static_cast<uint32_t>(pattern.size());
    if (m_min_length == 0 || length < m_min_length) m_min_length = length;
  }
  if (m_min_length >= 2) {
    const size_t window = std::min<size_t>(m_min_length, 256);
    m_min_length = static_cast<uint32_t>(window);
    m_shift.assign(65536, static_cast<uint8_t>(window - 1));
    for (const std::string& pattern : patterns) {
      if (pattern.empty()) continue;
      for (size_t q = 0; q + 1 < window; ++q) {
        size_t pair = static_cast<size_t>(static_cast<unsigned char>(pattern[q])) << 8 |
                      static_cast<unsigned char>(pattern[q + 1]);
        uint8_t shift = static_cast<uint8_t>(window - 2 - q);
        if (shift < m_shift[pair]) m_shift[pair] = shift;
      }
    }
  }

  // Premultiply: every transition holds its target's row offset, flagged
  // when a pattern ends in the target.
  for (State& target : m_delta) {
    State offset = static_cast<State>(static_cast<size_t>(target) * classes);
    target = m_match_length[target] != 0 ? (offset | k_match_bit) : offset;
  }
}

}  // namespace pipewright::exec
