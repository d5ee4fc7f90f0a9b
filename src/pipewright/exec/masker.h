// Masking of secrets in step output. One Masker holds every secret of a run
// (registered secrets and ::add-mask:: values); each output stream gets its
// own MaskStream, which masks bytes as they arrive in arbitrary chunks.
//
// What is masked: for each secret, the whole value, each trimmed line of a
// multi-line value, and their encoded forms (mask_encodings.h). Every
// occurrence of every form is found (Aho–Corasick, one pass over the bytes);
// overlapping or nested occurrences merge, so the longest always wins and no
// byte of any occurrence shows; each merged run becomes "***".
//
// Streaming: a stream holds back only the bytes that could still begin an
// occurrence (at most the longest form's length), so a secret split across
// chunks is masked, and a line that cannot begin one is passed on at once.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/exec/aho_corasick.h"

namespace pipewright::exec {

// Something the caller should print about a secret (never its value).
struct MaskWarning {
  enum class Kind { short_secret };
  Kind kind{};
  std::string message{};
};

// Secrets shorter than this are masked but reported with a warning.
inline constexpr size_t k_min_secret_length = 4;

// The shared set of secrets. Thread-safe: secrets may be added while other
// threads mask; streams pick up new secrets at their next write.
class Masker {
 public:
  Masker();

  // Registers `value` (no-op for an empty or all-blank value). Returns the
  // warnings for it, e.g. one per part shorter than k_min_secret_length.
  std::vector<MaskWarning> add_secret(std::string_view value);

  // `text` with every secret masked (for whole strings: annotations, errors).
  std::string mask(std::string_view text) const;

  // Appends `lines` to `out`, masked exactly as if each line (split at '\n')
  // went through mask() on its own and the line breaks were kept: a form that
  // spans a line break (of a multi-line secret) is not searched for. One scan
  // over the block, no allocation unless something is masked.
  void mask_lines(std::string_view lines, std::string& out) const;

  // The number of distinct byte patterns searched for (forms of all secrets).
  size_t pattern_count() const;

  // The current automaton; replaced (never modified) when a secret is added.
  std::shared_ptr<const AhoCorasick> automaton() const;

 private:
  mutable std::mutex m_mutex;
  std::set<std::string> m_patterns;
  std::shared_ptr<const AhoCorasick> m_automaton;
  std::shared_ptr<const AhoCorasick> m_line_automaton;  // the forms without '\n'
};

// Masks one stream of bytes (a step's stdout+stderr, a log file). Not
// thread-safe itself; the Masker must outlive it.
class MaskStream {
 public:
  explicit MaskStream(const Masker& masker);

  // Consumes `chunk` and appends to `out` the masked bytes that are final.
  void write(std::string_view chunk, std::string& out);

  // Appends everything still held back (end of stream); the stream can then
  // be reused for a new stream of bytes.
  void finish(std::string& out);

  // Bytes currently held back (for tests and memory accounting).
  size_t pending_bytes() const { return m_buffer.size(); }

 private:
  struct Span {
    uint64_t start;
    uint64_t end;
    bool shown;  // its "***" is already out
  };

  void adopt(std::shared_ptr<const AhoCorasick> automaton);
  void scan(uint64_t from);
  void add_span(uint64_t start, uint64_t end);
  void emit_until(uint64_t boundary, std::string& out);

  const Masker* m_masker;
  std::shared_ptr<const AhoCorasick> m_automaton;
  AhoCorasick::State m_state = AhoCorasick::k_root;
  std::string m_buffer;  // the bytes [m_buffer_start, m_pos)
  uint64_t m_buffer_start = 0;
  uint64_t m_emitted = 0;    // bytes before this are decided (and written or masked)
  uint64_t m_pos = 0;        // bytes consumed so far
  std::deque<Span> m_spans;  // merged occurrences not yet fully written, by position
};

}  // namespace pipewright::exec
