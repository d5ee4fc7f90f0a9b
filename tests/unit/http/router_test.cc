#include "pipewright/http/router.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace pipewright::http {
namespace {

using Strings = std::vector<std::string>;

Response ok(const Request&) {
  return Response::text(200, "ok");
}

Router sample() {
  Router router;
  router.add("GET", "/api/v1/runs", ok);
  router.add("GET", "/api/v1/runs/{id}", ok);
  router.add("DELETE", "/api/v1/runs/{id}", ok);
  router.add("GET", "/api/v1/runs/{id}/jobs/{job_id}/logs", ok);
  router.add("POST", "/hooks/github", ok, {25 << 20, RouteClass::webhook});
  router.add_stream("GET", "/api/v1/runs/{id}/logs/stream", {}, [](const Request&, Stream&) {});
  router.add("GET", "/", ok);
  return router;
}

TEST(RouterTest, MatchesLiteralsAndParameters) {
  Router router = sample();
  auto m = router.match("GET", {"api", "v1", "runs", "42", "jobs", "build (x, 1)", "logs"});
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params,
            (std::map<std::string, std::string>{{"id", "42"}, {"job_id", "build (x, 1)"}}));
  auto hook = router.match("POST", {"hooks", "github"});
  ASSERT_TRUE(hook.route);
  EXPECT_EQ(hook.route->options.cls, RouteClass::webhook);
  EXPECT_EQ(hook.route->options.max_body, 25u << 20);
  EXPECT_TRUE(router.match("GET", {}).route);
  EXPECT_TRUE(router.match("GET", {"api", "v1", "runs", "7", "logs", "stream"}).route->stream);
}

TEST(RouterTest, UnknownPathsAre404) {
  Router router = sample();
  EXPECT_EQ(router.match("GET", {"api", "v1", "nothing"}).status, 404);
  EXPECT_EQ(router.match("GET", {"api", "v1", "runs", ""}).status, 404);  // empty {id}
  EXPECT_EQ(router.match("GET", {"api", "v1", "runs", "1", "extra", "x", "y"}).status, 404);
  EXPECT_EQ(router.match("GET", {"API", "v1", "runs"}).status, 404);  // case-sensitive
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router = sample();
  auto m = router.match("PUT", {"api", "v1", "runs", "9"});
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "DELETE, GET, HEAD");
  auto hook = router.match("GET", {"hooks", "github"});
  EXPECT_EQ(hook.status, 405);
  EXPECT_EQ(hook.allow, "POST");
  EXPECT_EQ(router.match("get", {"api", "v1", "runs"}).status, 405);  // methods are exact
}

TEST(RouterTest, HeadAnswersThroughGetButNotForStreams) {
  Router router = sample();
  auto m = router.match("HEAD", {"api", "v1", "runs", "3"});
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->method, "GET");
  EXPECT_EQ(m.params.at("id"), "3");
  EXPECT_EQ(router.match("HEAD", {"api", "v1", "runs", "3", "logs", "stream"}).status, 405);
}

TEST(RouterTest, InvalidPatternsAndDuplicatesThrow) {
  Router router;
  router.add("GET", "/a/{id}", ok);
  EXPECT_THROW(router.add("GET", "/a/{id}", ok), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "a", ok), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a//b", ok), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{}", ok), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/x{id}", ok), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{i}d}", ok), std::invalid_argument);
  EXPECT_NO_THROW(router.add("POST", "/a/{id}", ok));
}

}  // namespace
}  // namespace pipewright::http
