#include "pipewright/http/message.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pipewright::http {
namespace {

TEST(MessageTest, HeadersAreCaseInsensitiveAndQueryExact) {
  Request request;
  request.headers = {{"X-GitHub-Event", "push"}, {"x-github-event", "second"}};
  request.query = {{"repo", "a/b"}, {"Repo", "other"}};
  ASSERT_TRUE(request.header("x-github-EVENT"));
  EXPECT_EQ(*request.header("x-github-EVENT"), "push");
  EXPECT_EQ(request.header("X-Hub-Signature-256"), nullptr);
  EXPECT_EQ(request.query_value("repo"), "a/b");
  EXPECT_EQ(request.query_value("status"), std::nullopt);
}

TEST(MessageTest, ResponsesCarryTheirContentType) {
  auto json = Response::json(201, "{}");
  EXPECT_EQ(json.status, 201);
  ASSERT_EQ(json.headers.size(), 1u);
  EXPECT_EQ(json.headers[0].value, "application/json");
  EXPECT_EQ(Response::text(200, "x").headers[0].value, "text/plain; charset=utf-8");
}

TEST(MessageTest, ErrorsHaveGitHubsShapeEvenForInvalidUtf8) {
  auto error = Response::error(404, "no run \"7\"\xff");
  EXPECT_EQ(error.status, 404);
  auto body = nlohmann::json::parse(error.body);
  EXPECT_EQ(body["documentation_url"], "");
  EXPECT_EQ(body["message"].get<std::string>().substr(0, 10), "no run \"7\"");
}

}  // namespace
}  // namespace pipewright::http
