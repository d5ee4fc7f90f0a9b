#include "pipewright/util/glob.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipewright::util {
namespace {

bool match(std::string_view pattern, std::string_view name) {
  auto g = GlobPattern::compile(pattern);
  EXPECT_TRUE(g.has_value()) << pattern << ": " << (g ? "" : g.error().message);
  return g && g->matches(name);
}

TEST(GlobTest, LiteralMatchesWholeName) {
  EXPECT_TRUE(match("main", "main"));
  EXPECT_FALSE(match("main", "mainline"));
  EXPECT_FALSE(match("main", "xmain"));
  EXPECT_FALSE(match("main", "Main"));
}

TEST(GlobTest, StarStopsAtSlash) {
  EXPECT_TRUE(match("feature/*", "feature/x"));
  EXPECT_TRUE(match("feature/*", "feature/"));
  EXPECT_FALSE(match("feature/*", "feature/x/y"));
  EXPECT_TRUE(match("*.js", "app.js"));
  EXPECT_FALSE(match("*.js", "src/app.js"));
}

TEST(GlobTest, DoubleStarCrossesSlashes) {
  EXPECT_TRUE(match("feature/**", "feature/x/y"));
  EXPECT_TRUE(match("**.js", "src/a/app.js"));
  EXPECT_TRUE(match("docs/**", "docs/"));
  EXPECT_FALSE(match("docs/**", "doc"));
}

TEST(GlobTest, DoubleStarSlashMayBeEmpty) {
  EXPECT_TRUE(match("**/*.js", "app.js"));
  EXPECT_TRUE(match("**/*.js", "a/b/app.js"));
  EXPECT_TRUE(match("src/**/test.c", "src/test.c"));
  EXPECT_TRUE(match("src/**/test.c", "src/x/y/test.c"));
  EXPECT_FALSE(match("src/**/test.c", "src//test.c"));
  EXPECT_FALSE(match("**/*.js", "a/b/app.ts"));
}

TEST(GlobTest, QuestionIsZeroOrOneOfPrecedingChar) {
  EXPECT_TRUE(match("*.jsx?", "page.js"));
  EXPECT_TRUE(match("*.jsx?", "page.jsx"));
  EXPECT_FALSE(match("*.jsx?", "page.jsxx"));
  EXPECT_TRUE(match("ab?c", "ac"));
  EXPECT_FALSE(match("ab?c", "axc"));
}

TEST(GlobTest, PlusIsOneOrMoreOfPrecedingChar) {
  EXPECT_TRUE(match("v1+", "v1"));
  EXPECT_TRUE(match("v1+", "v111"));
  EXPECT_FALSE(match("v1+", "v"));
  EXPECT_TRUE(match("v[0-9]+.[0-9]+", "v12.034"));
  EXPECT_FALSE(match("v[0-9]+.[0-9]+", "v12."));
}

TEST(GlobTest, SetsAndRanges) {
  EXPECT_TRUE(match("[abc]x", "bx"));
  EXPECT_FALSE(match("[abc]x", "dx"));
  EXPECT_TRUE(match("v[0-9a-f]", "ve"));
  EXPECT_FALSE(match("v[0-9a-f]", "vg"));
  EXPECT_TRUE(match("[a-]", "-"));
}

TEST(GlobTest, EscapesAreLiteral) {
  EXPECT_TRUE(match("a\\*b", "a*b"));
  EXPECT_FALSE(match("a\\*b", "axb"));
  EXPECT_TRUE(match("v\\+", "v+"));
  EXPECT_TRUE(match("a!b", "a!b"));
}

TEST(GlobTest, LeadingBangNegates) {
  auto g = GlobPattern::compile("!release/**");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->negated());
  EXPECT_TRUE(g->matches("release/1"));
  EXPECT_EQ(g->text(), "!release/**");
}

struct BadCase {
  const char* pattern;
  const char* message;
  size_t offset;
};

TEST(GlobTest, SyntaxErrorsSayWhatAndWhere) {
  const BadCase cases[] = {
      {"", "empty pattern", 0},
      {"!", "empty pattern", 1},
      {"feature/[ab", "'[' is not closed by ']'", 8},
      {"[]", "empty character set", 0},
      {"[z-a]", "invalid range 'z-a'", 1},
      {"[a-Z]", "invalid range 'a-Z'", 1},
      {"?abc", "at the start of a pattern", 0},
      {"!+abc", "at the start of a pattern", 1},
      {"a+?", "follows another quantifier", 2},
      {"abc\\", "escapes nothing", 3},
  };
  for (const BadCase& c : cases) {
    auto g = GlobPattern::compile(c.pattern);
    ASSERT_FALSE(g) << c.pattern;
    EXPECT_NE(g.error().message.find(c.message), std::string::npos)
        << c.pattern << ": " << g.error().message;
    EXPECT_EQ(g.error().offset, c.offset) << c.pattern;
  }
}

std::vector<GlobPattern> compile_all(std::initializer_list<const char*> patterns) {
  std::vector<GlobPattern> out;
  for (const char* p : patterns)
    out.push_back(*GlobPattern::compile(p));
  return out;
}

TEST(GlobTest, PositiveListLastMatchWins) {
  auto pats = compile_all({"releases/**", "!releases/**-alpha"});
  std::vector<std::string> beta{"releases/10-beta"}, alpha{"releases/10-alpha"};
  EXPECT_TRUE(filter_passes(pats, beta, FilterMode::positive));
  EXPECT_FALSE(filter_passes(pats, alpha, FilterMode::positive));
  auto again = compile_all({"releases/**", "!releases/**-alpha", "releases/**"});
  EXPECT_TRUE(filter_passes(again, alpha, FilterMode::positive));
}

TEST(GlobTest, PositiveListPassesWhenAnyInputIncluded) {
  auto pats = compile_all({"src/**"});
  std::vector<std::string> files{"README.md", "src/a.c"}, docs{"README.md"};
  EXPECT_TRUE(filter_passes(pats, files, FilterMode::positive));
  EXPECT_FALSE(filter_passes(pats, docs, FilterMode::positive));
  EXPECT_FALSE(filter_passes(pats, std::vector<std::string>{}, FilterMode::positive));
}

TEST(GlobTest, IgnoreListSkipsOnlyWhenAllIgnored) {
  auto pats = compile_all({"docs/**", "*.md"});
  std::vector<std::string> only_docs{"docs/a.txt", "README.md"}, mixed{"docs/a", "src/b.c"};
  EXPECT_FALSE(filter_passes(pats, only_docs, FilterMode::ignore));
  EXPECT_TRUE(filter_passes(pats, mixed, FilterMode::ignore));
}

TEST(GlobTest, LongInputsStayFast) {
  // Would be exponential for a naive backtracking matcher.
  std::string name(5000, 'a');
  EXPECT_FALSE(match("**a**a**a**a**a**a**b", name));
  EXPECT_TRUE(match("a+a+a+a+a+", name));
}

}  // namespace
}  // namespace pipewright::util
