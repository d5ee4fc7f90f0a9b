#include "pipewright/cli/lint_output.h"

#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pipewright::cli {
namespace {

using util::Diagnostic;
using util::Severity;

std::vector<Diagnostic> sample() {
  return {
      {Severity::error, {"ci.yml", 3, 7}, "unknown job 'bild'", "needs", "did you mean 'build'?"},
      {Severity::warning, {"ci.yml", 5, 14}, "a: b, c", "script-injection", ""},
      {Severity::error, {"other.yml", 1, 1}, "100% bad\nreally", "syntax", ""},
  };
}

TEST(LintOutputTest, ParsesFormatNames) {
  EXPECT_EQ(parse_lint_format("sarif"), LintFormat::sarif);
  EXPECT_EQ(parse_lint_format("github"), LintFormat::github);
  EXPECT_EQ(parse_lint_format("xml"), std::nullopt);
}

TEST(LintOutputTest, SummaryCountsAndPlurals) {
  auto d = sample();
  EXPECT_EQ(lint_summary(d, 3), "2 errors, 1 warning in 3 files");
  EXPECT_EQ(lint_summary({}, 1), "0 errors, 0 warnings in 1 file");
  std::vector<Diagnostic> n{{Severity::notice, {"a", 1, 1}, "m", "r", ""}};
  EXPECT_EQ(lint_summary(n, 1), "0 errors, 0 warnings, 1 notice in 1 file");
}

TEST(LintOutputTest, TextHasSourceLineCaretAndSummary) {
  auto d = sample();
  LintReport report{d, {{"ci.yml", "on: push\njobs:\n  a: {needs: bild}\n"}}, 2, {}};
  std::string text = render_lint_report(report, LintFormat::text);
  EXPECT_NE(text.find("ci.yml:3:7: error: unknown job 'bild' [needs]\n"
                      "    a: {needs: bild}\n"
                      "        ^\n"
                      "  hint: did you mean 'build'?\n"),
            std::string::npos)
      << text;
  EXPECT_TRUE(text.ends_with("2 errors, 1 warning in 2 files\n")) << text;
}

TEST(LintOutputTest, JsonIsAnArrayOfFindings) {
  auto d = sample();
  LintReport report{d, {}, 2, {}};
  auto json = nlohmann::json::parse(render_lint_report(report, LintFormat::json));
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 3u);
  EXPECT_EQ(json[0]["file"], "ci.yml");
  EXPECT_EQ(json[0]["line"], 3);
  EXPECT_EQ(json[0]["column"], 7);
  EXPECT_EQ(json[0]["severity"], "error");
  EXPECT_EQ(json[0]["rule"], "needs");
  EXPECT_EQ(json[1]["severity"], "warning");
  EXPECT_EQ(json[2]["message"], "100% bad\nreally");
}

TEST(LintOutputTest, SarifHasRulesAndResults) {
  auto d = sample();
  std::vector<RuleInfo> rules{{"needs", "needs must name defined jobs without cycles"}};
  LintReport report{d, {}, 2, rules};
  auto log = nlohmann::json::parse(render_lint_report(report, LintFormat::sarif));
  EXPECT_EQ(log["version"], "2.1.0");
  auto& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "pipewright");
  auto& r = run["tool"]["driver"]["rules"];
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["id"], "needs");
  EXPECT_EQ(r[0]["shortDescription"]["text"], "needs must name defined jobs without cycles");
  auto& results = run["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[1]["ruleId"], "script-injection");
  EXPECT_EQ(results[1]["ruleIndex"], 1);
  EXPECT_EQ(results[1]["level"], "warning");
  auto& region = results[0]["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 3);
  EXPECT_EQ(region["startColumn"], 7);
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "ci.yml");
}

TEST(LintOutputTest, GithubCommandsAreEscaped) {
  auto d = sample();
  LintReport report{d, {}, 2, {}};
  std::string out = render_lint_report(report, LintFormat::github);
  EXPECT_EQ(out,
            "::error file=ci.yml,line=3,col=7,title=needs::unknown job 'bild'%0Ahint: did you "
            "mean 'build'?\n"
            "::warning file=ci.yml,line=5,col=14,title=script-injection::a: b, c\n"
            "::error file=other.yml,line=1,col=1,title=syntax::100%25 bad%0Areally\n");
  EXPECT_EQ(escape_command_property("a:b,c%\r\n"), "a%3Ab%2Cc%25%0D%0A");
  EXPECT_EQ(escape_command_data("a:b,c%\r\n"), "a:b,c%25%0D%0A");
}

TEST(LintOutputTest, InvalidUtf8NeverReachesTheOutput) {
  std::vector<Diagnostic> d{{Severity::error, {"x.yml", 1, 7}, "bad \xe9 byte", "syntax", ""}};
  LintReport report{d, {{"x.yml", "name: caf\xe9\n"}}, 1, {}};
  std::string text = render_lint_report(report, LintFormat::text);
  EXPECT_NE(text.find("  name: caf?\n"), std::string::npos) << text;
  EXPECT_NE(text.find("bad ? byte"), std::string::npos) << text;
  auto json = nlohmann::json::parse(render_lint_report(report, LintFormat::json));
  EXPECT_EQ(json[0]["message"], "bad \xef\xbf\xbd byte");
  EXPECT_NO_THROW(nlohmann::json::parse(render_lint_report(report, LintFormat::sarif)));
  EXPECT_EQ(render_lint_report(report, LintFormat::github),
            "::error file=x.yml,line=1,col=7,title=syntax::bad ? byte\n");
}

}  // namespace
}  // namespace pipewright::cli
