#include "pipewright/util/glob.h"

#include <fmt/format.h>

namespace pipewright::util {

namespace {

bool is_range_class(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool same_range_class(char a, char b) {
  auto cls = [](char c) { return c >= 'a' && c <= 'z' ? 0 : c >= 'A' && c <= 'Z' ? 1 : 2; };
  return is_range_class(a) && is_range_class(b) && cls(a) == cls(b);
}

std::unexpected<GlobError> glob_fail(std::string message, size_t offset) {
  return std::unexpected(GlobError{std::move(message), offset});
}

}  // namespace

std::expected<GlobPattern, GlobError> GlobPattern::compile(std::string_view pattern) {
  GlobPattern g;
  g.m_text = std::string(pattern);
  size_t i = 0;
  if (!pattern.empty() && pattern[0] == '!') {
    g.m_negated = true;
    i = 1;
  }
  const size_t body = i;
  if (i == pattern.size()) return glob_fail("empty pattern", i);

  // Phase 1: the pattern as a list of atoms, each with its quantifier.
  enum class Quant { one, optional, plus };
  struct Atom {
    Test test = Test::literal;
    char ch = 0;
    int set = -1;
    bool any_dir = false;  // `**/`
    Quant quant = Quant::one;
  };
  std::vector<Atom> atoms;
  bool quantifiable = false;  // the previous token can take a `?`/`+`
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c == '*') {
      bool dbl = i + 1 < pattern.size() && pattern[i + 1] == '*';
      bool slash = dbl && i + 2 < pattern.size() && pattern[i + 2] == '/';
      atoms.push_back({.test = dbl ? Test::any : Test::not_slash, .any_dir = slash});
      i += slash ? 3 : dbl ? 2 : 1;
      quantifiable = true;
      continue;
    }
    if (c == '?' || c == '+') {
      if (i == body)
        return glob_fail(
            fmt::format("'{}' at the start of a pattern has no character to repeat", c), i);
      if (!quantifiable) return glob_fail(fmt::format("'{}' follows another quantifier", c), i);
      Atom& prev = atoms.back();
      // Repeating a `*`/`**` run changes nothing; for a character it is `?` or `+`.
      if (prev.test == Test::literal || prev.test == Test::set)
        prev.quant = c == '?' ? Quant::optional : Quant::plus;
      quantifiable = false;
      ++i;
      continue;
    }
    Atom atom{.test = Test::literal, .ch = c};
    if (c == '\\') {
      if (i + 1 == pattern.size())
        return glob_fail("'\\' at the end of the pattern escapes nothing", i);
      atom.ch = pattern[i + 1];
      i += 2;
    } else if (c == '[') {
      size_t j = i + 1;
      CharSet set;
      while (j < pattern.size() && pattern[j] != ']') {
        char lo = pattern[j];
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
          char hi = pattern[j + 2];
          if (!same_range_class(lo, hi) || lo > hi)
            return glob_fail(fmt::format("invalid range '{}-{}' (a range stays within a-z, A-Z "
                                         "or 0-9 and goes from low to high)",
                                         lo, hi),
                             j);
          set.ranges.emplace_back(lo, hi);
          j += 3;
        } else {
          set.ranges.emplace_back(lo, lo);
          ++j;
        }
      }
      if (j == pattern.size()) return glob_fail("'[' is not closed by ']'", i);
      if (set.ranges.empty()) return glob_fail("empty character set '[]'", i);
      atom = Atom{.test = Test::set, .set = static_cast<int>(g.m_sets.size())};
      g.m_sets.push_back(std::move(set));
      i = j + 1;
    } else {
      ++i;
    }
    atoms.push_back(atom);
    quantifiable = true;
  }

  // Phase 2: Thompson construction. State 0 is an epsilon entry; each fragment leaves
  // "holes" (edges to patch) that the next fragment's entry fills.
  std::vector<State>& st = g.m_states;
  auto emit = [&st](State s) {
    st.push_back(s);
    return static_cast<int>(st.size()) - 1;
  };
  struct Hole {
    int state;
    bool eps;  // patch eps[1] rather than next
  };
  std::vector<Hole> holes;
  holes.push_back({emit({}), true});
  auto enter = [&](int entry) {
    for (const Hole& h : holes)
      (h.eps ? st[h.state].eps[1] : st[h.state].next) = entry;
    holes.clear();
  };
  for (const Atom& a : atoms) {
    if (a.any_dir) {
      // (.+/)? : split → any → loop(any | '/') → after
      int split = emit({}), any = emit({.test = Test::any}), loop = emit({});
      int sl = emit({.test = Test::literal, .ch = '/'});
      enter(split);
      st[split].eps[0] = any;
      st[any].next = loop;
      st[loop].eps[0] = any;
      st[loop].eps[1] = sl;
      holes = {{split, true}, {sl, false}};
    } else if (a.test == Test::any || a.test == Test::not_slash) {
      int loop = emit({}), t = emit({.test = a.test});
      enter(loop);
      st[loop].eps[0] = t;
      st[t].next = loop;
      holes = {{loop, true}};
    } else {
      int t = emit({.test = a.test, .ch = a.ch, .set = a.set});
      if (a.quant == Quant::optional) {
        int split = emit({});
        enter(split);
        st[split].eps[0] = t;
        holes = {{split, true}, {t, false}};
      } else if (a.quant == Quant::plus) {
        int split = emit({});
        enter(t);
        st[t].next = split;
        st[split].eps[0] = t;
        holes = {{split, true}};
      } else {
        enter(t);
        holes = {{t, false}};
      }
    }
  }
  g.m_accept = emit({});
  enter(g.m_accept);
  return g;
}

bool GlobPattern::accepts(const State& s, char c) const {
  switch (s.test) {
    case Test::none:
      return false;
    case Test::literal:
      return s.ch == c;
    case Test::not_slash:
      return c != '/';
    case Test::any:
      return true;
    case Test::set:
      for (auto [lo, hi] : m_sets[s.set].ranges)
        if (c >= lo && c <= hi) return true;
      return false;
  }
  return false;
}

void GlobPattern::add_closure(std::vector<char>& in, std::vector<int>& list, int state) const {
  if (state < 0 || in[state]) return;
  in[state] = 1;
  list.push_back(state);
  const State& s = m_states[state];
  if (s.test == Test::none)
    for (int e : s.eps)
      add_closure(in, list, e);
}

bool GlobPattern::matches(std::string_view name) const {
  const size_t n = m_states.size();
  std::vector<char> in(n, 0);
  std::vector<int> current, next;
  add_closure(in, current, 0);
  for (char c : name) {
    std::fill(in.begin(), in.end(), 0);
    next.clear();
    for (int id : current) {
      const State& s = m_states[id];
      if (s.test != Test::none && accepts(s, c)) add_closure(in, next, s.next);
    }
    if (next.empty()) return false;
    std::swap(current, next);
  }
  for (int id : current)
    if (id == m_accept) return true;
  return false;
}

bool filter_passes(std::span<const GlobPattern> patterns, std::span<const std::string> inputs,
                   FilterMode mode) {
  bool any_included = false, all_ignored = true;
  for (const std::string& input : inputs) {
    bool hit = false;
    for (const GlobPattern& p : patterns)
      if (p.matches(input)) hit = !p.negated();
    any_included = any_included || hit;
    all_ignored = all_ignored && hit;
  }
  if (inputs.empty()) return false;
  return mode == FilterMode::positive ? any_included : !all_ignored;
}

}  // namespace pipewright::util
