#include "pipewright/http/target.h"

#include <gtest/gtest.h>

namespace pipewright::http {
namespace {

using Strings = std::vector<std::string>;
using Query = std::vector<std::pair<std::string, std::string>>;

TEST(PercentDecodeTest, DecodesEscapesAndPlusOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a%2Fb%20c+d"), "a/b c+d");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%e2%9C%93"), "\xe2\x9c\x93");
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("ab%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
}

TEST(ParseTargetTest, SplitsDecodedSegmentsAndQuery) {
  auto t = parse_target("/api/v1/runs/4%32/logs?repo=acme%2Fapi&status=in+progress&flag&=x");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->raw_path, "/api/v1/runs/4%32/logs");
  EXPECT_EQ(t->path, "/api/v1/runs/42/logs");
  EXPECT_EQ(t->segments, (Strings{"api", "v1", "runs", "42", "logs"}));
  EXPECT_EQ(t->query,
            (Query{{"repo", "acme/api"}, {"status", "in progress"}, {"flag", ""}, {"", "x"}}));
}

TEST(ParseTargetTest, RootTrailingSlashAndEmptySegments) {
  EXPECT_EQ(parse_target("/")->segments, Strings{});
  EXPECT_EQ(parse_target("/")->path, "/");
  EXPECT_EQ(parse_target("/healthz/")->segments, (Strings{"healthz", ""}));
  EXPECT_EQ(parse_target("/a//b")->segments, (Strings{"a", "", "b"}));
}

TEST(ParseTargetTest, RefusesNamesThatEscapeOrSplit) {
  for (const char* target :
       {"/api/v1/repos/..", "/api/v1/repos/%2e%2e", "/api/v1/repos/%2E%2E/secrets",
        "/hooks/github/acme%2Fapi", "/api/v1/runs/1%0d%0aSet-Cookie:x", "/api/v1/runs/1%0A",
        "/api/v1/runs/a%00b", "/api/v1/runs/a..b", "/api/%zz", "/api/%4", "api/v1", "",
        "http://example.com/api", "*", "/runs?x=%0d%0a", "/runs?x=%GG"})
    EXPECT_EQ(parse_target(target), std::nullopt) << target;
}

}  // namespace
}  // namespace pipewright::http
