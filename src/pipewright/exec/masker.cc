#include "pipewright/exec/masker.h"

#include <algorithm>
#include <utility>

#include "pipewright/exec/mask_encodings.h"

namespace pipewright::exec {

Masker::Masker()
    : m_automaton(std::make_shared<const AhoCorasick>(std::vector<std::string>{})),
      m_line_automaton(m_automaton) {}

std::vector<MaskWarning> Masker::add_secret(std::string_view value) {
  std::vector<MaskWarning> warnings;
  std::vector<std::string> forms;
  for (const std::string& part : secret_parts(value)) {
    if (part.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    if (part.size() < k_min_secret_length) {
      warnings.push_back({MaskWarning::Kind::short_secret,
                          "a secret (or a line of one) is only " + std::to_string(part.size()) +
                              " character" + (part.size() == 1 ? "" : "s") +
                              " long; every occurrence of it in the output will be masked"});
    }
    for (std::string& form : encoded_forms(part, k_min_secret_length)) {
      forms.push_back(std::move(form));
    }
  }
  std::lock_guard lock(m_mutex);
  size_t before = m_patterns.size();
  m_patterns.insert(forms.begin(), forms.end());
  if (m_patterns.size() != before) {
    std::vector<std::string> patterns(m_patterns.begin(), m_patterns.end());
    m_automaton = std::make_shared<const AhoCorasick>(patterns);
    size_t all = patterns.size();
    std::erase_if(patterns, [](const std::string& p) { return p.find('\n') != p.npos; });
    m_line_automaton =
        patterns.size() == all ? m_automaton : std::make_shared<const AhoCorasick>(patterns);
  }
  return warnings;
}

std::string Masker::mask(std::string_view text) const {
  MaskStream stream(*this);
  std::string out;
  out.reserve(text.size());
  stream.write(text, out);
  stream.finish(out);
  return out;
}

void Masker::mask_lines(std::string_view lines, std::string& out) const {
  std::shared_ptr<const AhoCorasick> automaton;
  {
    std::lock_guard lock(m_mutex);
    automaton = m_line_automaton;
  }
  if (automaton->max_pattern_length() == 0) {
    out.append(lines);
    return;
  }
  // No form holds '\n', so every match lies within one line and the state is
  // back at the root after each line break: one pass over the block finds
  // exactly the matches of the lines one by one. Spans merge as in MaskStream.
  struct Span {
    size_t start, end;
  };
  std::vector<Span> spans;
  const auto* bytes = reinterpret_cast<const unsigned char*>(lines.data());
  const size_t size = lines.size();
  AhoCorasick::State state = AhoCorasick::k_root;
  for (size_t i = 0; i < size; ++i) {
    if (state == AhoCorasick::k_root) i = automaton->skip_from_root(bytes, i, size);
    state = automaton->next(state, bytes[i]);
    if (AhoCorasick::has_match(state)) [[unlikely]] {
      size_t end = i + 1;
      size_t start = end - automaton->match_length(state);
      while (!spans.empty() && spans.back().end > start) {
        start = std::min(start, spans.back().start);
        end = std::max(end, spans.back().end);
        spans.pop_back();
      }
      spans.push_back({start, end});
    }
  }
  size_t emitted = 0;
  for (const Span& span : spans) {
    out.append(lines.substr(emitted, span.start - emitted));
    out.append("***");
    emitted = span.end;
  }
  out.append(lines.substr(emitted));
}

size_t Masker::pattern_count() const {
  std::lock_guard lock(m_mutex);
  return m_patterns.size();
}

std::shared_ptr<const AhoCorasick> Masker::automaton() const {
  std::lock_guard lock(m_mutex);
  return m_automaton;
}

MaskStream::MaskStream(const Masker& masker) : m_masker(&masker) {
  m_automaton = masker.automaton();
}

void MaskStream::write(std::string_view chunk, std::string& out) {
  std::shared_ptr<const AhoCorasick> current = m_masker->automaton();
  if (current != m_automaton) adopt(std::move(current));
  if (m_automaton->max_pattern_length() == 0 && m_buffer.empty()) {
    out.append(chunk);
    m_pos += chunk.size();
    m_emitted = m_buffer_start = m_pos;
    return;
  }
  uint64_t from = m_pos;
  m_buffer.append(chunk);
  m_pos += chunk.size();
  scan(from);
  emit_until(m_pos - m_automaton->depth(m_state), out);
  m_buffer.erase(0, m_emitted - m_buffer_start);
  m_buffer_start = m_emitted;
}

void MaskStream::finish(std::string& out) {
  emit_until(m_pos, out);
  m_buffer.clear();
  m_buffer_start = m_emitted;
  m_spans.clear();
  m_state = AhoCorasick::k_root;
}

// A new automaton knows every old secret plus new ones: forget the spans
// not yet shown and search the held-back bytes again from the root.
void MaskStream::adopt(std::shared_ptr<const AhoCorasick> automaton) {
  m_automaton = std::move(automaton);
  std::erase_if(m_spans, [](const Span& span) { return !span.shown; });
  m_state = AhoCorasick::k_root;
  scan(m_buffer_start);
}

void MaskStream::scan(uint64_t from) {
  const AhoCorasick& automaton = *m_automaton;
  AhoCorasick::State state = m_state;
  const auto* bytes = reinterpret_cast<const unsigned char*>(m_buffer.data());
  size_t end = m_buffer.size();
  for (size_t i = static_cast<size_t>(from - m_buffer_start); i < end; ++i) {
    if (state == AhoCorasick::k_root) i = automaton.skip_from_root(bytes, i, end);
    state = automaton.next(state, bytes[i]);
    if (AhoCorasick::has_match(state)) [[unlikely]] {
      uint64_t match_end = m_buffer_start + i + 1;
      add_span(match_end - automaton.match_length(state), match_end);
    }
  }
  m_state = state;
}

// Occurrences arrive in order of their end; one that overlaps the last spans
// swallows them.
void MaskStream::add_span(uint64_t start, uint64_t end) {
  bool shown = false;
  while (!m_spans.empty() && m_spans.back().end > start) {
    start = std::min(start, m_spans.back().start);
    end = std::max(end, m_spans.back().end);
    shown = shown || m_spans.back().shown;
    m_spans.pop_back();
  }
  m_spans.push_back({start, end, shown});
}

// Writes the bytes before `boundary` (no future occurrence can start before
// it): plain bytes as they are, each span as one "***".
void MaskStream::emit_until(uint64_t boundary, std::string& out) {
  while (m_emitted < boundary) {
    if (!m_spans.empty() && m_spans.front().start <= m_emitted) {
      Span& span = m_spans.front();
      if (!span.shown) {
        out.append("***");
        span.shown = true;
      }
      if (span.end <= boundary) {
        m_emitted = std::max(m_emitted, span.end);
        m_spans.pop_front();
      } else {
        m_emitted = boundary;
      }
      continue;
    }
    uint64_t stop = m_spans.empty() ? boundary : std::min(boundary, m_spans.front().start);
    out.append(m_buffer, static_cast<size_t>(m_emitted - m_buffer_start),
               static_cast<size_t>(stop - m_emitted));
    m_emitted = stop;
  }
}

}  // namespace pipewright::exec
