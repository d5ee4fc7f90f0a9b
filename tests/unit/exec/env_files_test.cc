#include "pipewright/exec/env_files.h"

#include <gtest/gtest.h>

namespace pipewright::exec {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs pairs_of(const EnvFileResult& result) {
  Pairs pairs;
  for (const EnvFileEntry& entry : result.entries)
    pairs.emplace_back(entry.name, entry.value);
  return pairs;
}

Pairs parse_ok(std::string_view text, EnvFileKind kind = EnvFileKind::output,
               NewlineMode newlines = NewlineMode::lf) {
  EnvFileResult result = parse_env_file(text, kind, newlines);
  EXPECT_FALSE(result.error.has_value()) << (result.error ? result.error->message : "");
  return pairs_of(result);
}

util::Error parse_error(std::string_view text, NewlineMode newlines = NewlineMode::lf) {
  EnvFileResult result = parse_env_file(text, EnvFileKind::env, newlines, "set_env_file");
  EXPECT_TRUE(result.error.has_value()) << text;
  return result.error.value_or(util::Error{});
}

TEST(EnvFile, NameValueSplitsAtTheFirstEquals) {
  EXPECT_EQ(parse_ok("A=1\nB=x=y\nC=\nD= spaced \n"),
            (Pairs{{"A", "1"}, {"B", "x=y"}, {"C", ""}, {"D", " spaced "}}));
  EXPECT_EQ(parse_ok("A=1"), (Pairs{{"A", "1"}}));  // no final newline
  EXPECT_EQ(parse_ok("\n\nA=1\n\n"), (Pairs{{"A", "1"}}));
  EXPECT_EQ(parse_ok("A=1\nA=2\n"), (Pairs{{"A", "1"}, {"A", "2"}}));  // later wins
  EXPECT_EQ(parse_ok("A=x<<y\n"), (Pairs{{"A", "x<<y"}}));             // '=' before '<<'
  EXPECT_EQ(parse_ok(""), Pairs{});
}

TEST(EnvFile, EntriesRecordTheirLine) {
  EnvFileResult result = parse_env_file("\nA=1\nB<<E\nx\nE\nC=3\n", EnvFileKind::state);
  ASSERT_EQ(result.entries.size(), 3u);
  EXPECT_EQ(result.entries[0].line, 2);
  EXPECT_EQ(result.entries[1].line, 3);
  EXPECT_EQ(result.entries[2].line, 6);
}

TEST(EnvFile, HeredocKeepsNewlinesExceptTheLastOne) {
  EXPECT_EQ(parse_ok("M<<EOF\nline one\n\nline three\nEOF\n"),
            (Pairs{{"M", "line one\n\nline three"}}));
  EXPECT_EQ(parse_ok("M<<EOF\nEOF\n"), (Pairs{{"M", ""}}));
  EXPECT_EQ(parse_ok("M<<EOF\n\nEOF\n"), (Pairs{{"M", ""}}));
  EXPECT_EQ(parse_ok("M<<EOF\n\n\nEOF"), (Pairs{{"M", "\n"}}));  // delimiter at end of file
  EXPECT_EQ(parse_ok("M<<E=F\nv\nE=F\nN=1\n"), (Pairs{{"M", "v"}, {"N", "1"}}));   // '<<' first
  EXPECT_EQ(parse_ok("M<<EOF\n EOF\nEOF \nEOF\n"), (Pairs{{"M", " EOF\nEOF "}}));  // exact match
  EXPECT_EQ(parse_ok("M<<<<\nx\n<<\n"), (Pairs{{"M", "x"}}));
  EXPECT_EQ(parse_ok("M<<EOF\nA=1\nEOF\n"), (Pairs{{"M", "A=1"}}));
}

TEST(EnvFile, HeredocErrors) {
  util::Error missing = parse_error("A=1\nM<<EOF\nvalue\n");
  EXPECT_EQ(missing.message, "Invalid value. Matching delimiter not found 'EOF'");
  EXPECT_EQ(missing.location.line, 2);
  EXPECT_EQ(missing.location.file, "set_env_file");
  EXPECT_EQ(parse_error("M<<EOF").message, "Invalid value. Matching delimiter not found 'EOF'");
  EXPECT_EQ(parse_error("M<<EOF\n").message, "Invalid value. Matching delimiter not found 'EOF'");

  util::Error no_newline = parse_error("M<<EOF\nline\nlast");
  EXPECT_EQ(no_newline.message, "Invalid value. EOF marker missing new line.");
  EXPECT_EQ(no_newline.location.line, 3);
  EXPECT_EQ(parse_error("M<<EOF\nvalue EOF").message,
            "Invalid value. EOF marker missing new line.");

  EXPECT_EQ(parse_error("<<EOF\nx\nEOF\n").message,
            "Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty");
  EXPECT_EQ(parse_error("M<<\nx\n").message,
            "Invalid format 'M<<'. Name must not be empty and delimiter must not be empty");
}

TEST(EnvFile, InvalidLines) {
  util::Error error = parse_error("A=1\njust text\nB=2\n");
  EXPECT_EQ(error.message, "Invalid format 'just text'");
  EXPECT_EQ(error.location.line, 2);
  EXPECT_EQ(parse_error("=value\n").message, "Invalid format '=value'. Name must not be empty");
  EXPECT_EQ(parse_error(" \n").message, "Invalid format ' '");  // not empty: not skipped
}

TEST(EnvFile, EntriesBeforeAnErrorStillApply) {
  EnvFileResult result = parse_env_file("A=1\nB=2\noops\nC=3\n", EnvFileKind::output);
  EXPECT_EQ(pairs_of(result), (Pairs{{"A", "1"}, {"B", "2"}}));
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(env_file_failure_message(EnvFileKind::output),
            "Unable to process file command 'output' successfully.");
}

TEST(EnvFile, CarriageReturnsOnLinuxStayInValues) {
  EXPECT_EQ(parse_ok("A=1\r\nB=2\r\n"), (Pairs{{"A", "1\r"}, {"B", "2\r"}}));
  // The header's CR is part of the delimiter, so a CRLF file matches itself...
  EXPECT_EQ(parse_ok("M<<EOF\r\nx\r\nEOF\r\n"), (Pairs{{"M", "x\r"}}));
  // ...but a CRLF delimiter line does not end an LF heredoc.
  EXPECT_EQ(parse_error("M<<EOF\nx\r\nEOF\r\n").message,
            "Invalid value. Matching delimiter not found 'EOF'");
  EXPECT_EQ(parse_ok("M<<EOF\nx\r\ny\r\nEOF\n"), (Pairs{{"M", "x\r\ny\r"}}));
}

TEST(EnvFile, CrLfModeAcceptsWindowsLineBreaks) {
  EXPECT_EQ(parse_ok("A=1\r\nB=2\r\n", EnvFileKind::env, NewlineMode::crlf),
            (Pairs{{"A", "1"}, {"B", "2"}}));
  EXPECT_EQ(parse_ok("M<<EOF\r\nx\r\ny\r\nEOF\r\n", EnvFileKind::env, NewlineMode::crlf),
            (Pairs{{"M", "x\r\ny"}}));  // inner CRLF kept, the last one dropped
  EXPECT_EQ(parse_ok("M<<EOF\r\nx\ny\nEOF\r\n", EnvFileKind::env, NewlineMode::crlf),
            (Pairs{{"M", "x\ny"}}));
}

TEST(EnvFile, NodeOptionsIsBlockedInGithubEnvOnly) {
  EnvFileResult env = parse_env_file("A=1\nnode_options=--x\nB=2\n", EnvFileKind::env);
  EXPECT_EQ(pairs_of(env), (Pairs{{"A", "1"}, {"B", "2"}}));
  ASSERT_EQ(env.issues.size(), 1u);
  EXPECT_EQ(env.issues[0].message,
            "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
  EXPECT_EQ(env.issues[0].line, 2);
  EXPECT_FALSE(env.error.has_value());
  EnvFileResult heredoc = parse_env_file("NODE_OPTIONS<<E\n--x\nE\n", EnvFileKind::env);
  EXPECT_TRUE(heredoc.entries.empty());
  EXPECT_EQ(heredoc.issues.size(), 1u);
  EXPECT_EQ(parse_ok("NODE_OPTIONS=--x\n", EnvFileKind::output), (Pairs{{"NODE_OPTIONS", "--x"}}));
}

TEST(EnvFile, VariableNames) {
  EXPECT_EQ(env_file_variable(EnvFileKind::env), "GITHUB_ENV");
  EXPECT_EQ(env_file_variable(EnvFileKind::output), "GITHUB_OUTPUT");
  EXPECT_EQ(env_file_variable(EnvFileKind::state), "GITHUB_STATE");
  EXPECT_EQ(env_file_failure_message(EnvFileKind::env),
            "Unable to process file command 'env' successfully.");
}

TEST(PathFile, NonEmptyLinesWithAnyLineBreak) {
  EXPECT_EQ(parse_path_file("/a\n\n/b\r\n/c\r/d"),
            (std::vector<std::string>{"/a", "/b", "/c", "/d"}));
  EXPECT_EQ(parse_path_file(""), std::vector<std::string>{});
  EXPECT_EQ(parse_path_file("\n\r\n"), std::vector<std::string>{});
  EXPECT_EQ(parse_path_file(" /with space \n"), std::vector<std::string>{" /with space "});
}

TEST(PathFile, PrependListDedupesAndLastWrittenComesFirst) {
  std::vector<std::string> prepend;
  add_to_prepend_path(prepend, parse_path_file("/one\n/two\n"));
  EXPECT_EQ(compose_path(prepend, "/usr/bin:/bin"), "/two:/one:/usr/bin:/bin");
  add_to_prepend_path(prepend, parse_path_file("/three\n/one\n/one\n"));  // a later step
  EXPECT_EQ(prepend, (std::vector<std::string>{"/two", "/three", "/one"}));
  EXPECT_EQ(compose_path(prepend, "/usr/bin"), "/one:/three:/two:/usr/bin");
  EXPECT_EQ(compose_path(prepend, ""), "/one:/three:/two");
  EXPECT_EQ(compose_path({}, "/usr/bin"), "/usr/bin");
}

TEST(StepSummary, SizeLimitIsOneMebibyte) {
  EXPECT_FALSE(check_step_summary_size(0).has_value());
  EXPECT_FALSE(check_step_summary_size(1024 * 1024).has_value());
  std::optional<std::string> over = check_step_summary_size(1024 * 1024 + 1);
  ASSERT_TRUE(over.has_value());
  EXPECT_EQ(*over,
            "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got "
            "1024k. For more information see: https://docs.github.com/actions/using-workflows/"
            "workflow-commands-for-github-actions#adding-a-markdown-summary");
  EXPECT_NE(check_step_summary_size(3 * 1024 * 1024)->find("got 3072k"), std::string::npos);
}

TEST(EnvFile, ValueOverTheLimitStopsParsingWithTheFileAndTheLimit) {
  // 600,000 characters are 1,200,000 bytes as UTF-16: over GitHub's 1 MB for an output.
  std::string big(600 * 1000, 'x');
  for (std::string text :
       {"A=1\nbig=" + big + "\nB=2\n", "A=1\nbig<<EOF\n" + big + "\nEOF\nB=2\n"}) {
    EnvFileResult result = parse_env_file(text, EnvFileKind::output, NewlineMode::lf, "f");
    ASSERT_TRUE(result.error.has_value());
    EXPECT_EQ(result.error->message,
              "Invalid value. 'big' in GITHUB_OUTPUT exceeds 1,048,576 bytes, the limit for one "
              "value (measured as UTF-16, as GitHub measures outputs)");
    EXPECT_EQ(result.error->location.line, 2);
    EXPECT_EQ(pairs_of(result), (Pairs{{"A", "1"}}));  // the entries before it still apply
  }
  // GITHUB_ENV and GITHUB_STATE values have the same limit, named by their file.
  EnvFileResult env = parse_env_file("BIG=" + big, EnvFileKind::env);
  ASSERT_TRUE(env.error.has_value());
  EXPECT_NE(env.error->message.find("'BIG' in GITHUB_ENV exceeds 1,048,576 bytes"),
            std::string::npos);
  // At the limit (524,288 characters) a value is taken; UTF-16 counts a multi-byte
  // character once (2 bytes), so 400,000 é (800,000 bytes of UTF-8) fit too.
  EXPECT_EQ(parse_ok("x=" + std::string(524288, 'y')).at(0).second.size(), 524288u);
  std::string accents;
  for (int i = 0; i < 400000; ++i)
    accents += "\xC3\xA9";
  EXPECT_EQ(parse_ok("x=" + accents).size(), 1u);
  EXPECT_TRUE(parse_env_file("x=" + std::string(524289, 'y'), EnvFileKind::state).error);
}

}  // namespace
}  // namespace pipewright::exec
