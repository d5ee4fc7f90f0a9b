#include <gtest/gtest.h>

#include "pipewright/exec/services/service_provider.h"
#include "pipewright/exec/services/service_util.h"

namespace pipewright::exec::services {
namespace {

using namespace std::chrono_literals;

TEST(ParseImage, NameTagAndMajor) {
  auto ref = parse_image("postgres:15-alpine");
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(ref->repository, "postgres");
  EXPECT_EQ(ref->path, "postgres");
  EXPECT_EQ(ref->tag, "15-alpine");
  EXPECT_EQ(ref->major, 15);
  EXPECT_EQ(ref->registry, "");
}

TEST(ParseImage, NoTagMeansNoMajor) {
  auto ref = parse_image("redis");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->tag, "");
  EXPECT_FALSE(ref->major);
  auto alpine = parse_image("redis:alpine");
  ASSERT_TRUE(alpine);
  EXPECT_FALSE(alpine->major);
}

TEST(ParseImage, RegistryNamespaceAndDigest) {
  auto ref = parse_image("docker.io/library/postgres:16.2@sha256:abcd");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->registry, "docker.io");
  EXPECT_EQ(ref->path, "postgres");
  EXPECT_EQ(ref->tag, "16.2");
  EXPECT_EQ(ref->major, 16);
  auto ns = parse_image("bitnami/postgresql:15");
  ASSERT_TRUE(ns);
  EXPECT_EQ(ns->registry, "");
  EXPECT_EQ(ns->path, "bitnami/postgresql");
  EXPECT_EQ(ns->repository, "postgresql");
  auto port = parse_image("localhost:5000/redis:7");
  ASSERT_TRUE(port);
  EXPECT_EQ(port->registry, "localhost:5000");
  EXPECT_EQ(port->path, "redis");
  EXPECT_EQ(port->major, 7);
}

TEST(ParseImage, Malformed) {
  EXPECT_FALSE(parse_image(""));
  EXPECT_FALSE(parse_image("postgres:"));
  EXPECT_FALSE(parse_image("post gres"));
  EXPECT_FALSE(parse_image("/postgres"));
}

TEST(ParsePort, Forms) {
  EXPECT_EQ(*parse_port("5432:5432"), (PortMapping{5432, 5432, "tcp"}));
  EXPECT_EQ(*parse_port("5432"), (PortMapping{5432, 0, "tcp"}));
  EXPECT_EQ(*parse_port("8080:80"), (PortMapping{80, 8080, "tcp"}));
  EXPECT_EQ(*parse_port("127.0.0.1:8080:80"), (PortMapping{80, 8080, "tcp"}));
  EXPECT_EQ(*parse_port("53/udp"), (PortMapping{53, 0, "udp"}));
  EXPECT_EQ(*parse_port(":6379"), (PortMapping{6379, 0, "tcp"}));
}

TEST(ParsePort, Rejects) {
  for (const char* bad : {"", "abc", "5432:", "70000", "0", "1-5:1-5", "80/sctp", "a:b:c:d"}) {
    auto mapping = parse_port(bad);
    EXPECT_FALSE(mapping) << bad;
    if (!mapping) {
      EXPECT_NE(mapping.error().message.find(bad), std::string::npos);
    }
  }
}

TEST(ParseDuration, Units) {
  EXPECT_EQ(*parse_duration("10s"), 10s);
  EXPECT_EQ(*parse_duration("500ms"), 500ms);
  EXPECT_EQ(*parse_duration("1m30s"), 90s);
  EXPECT_EQ(*parse_duration("2h"), 2h);
  EXPECT_EQ(*parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(*parse_duration("0"), 0ms);
  EXPECT_FALSE(parse_duration("10"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("10x"));
  EXPECT_FALSE(parse_duration(""));
}

TEST(ParseOptions, HealthFlagsBothForms) {
  auto options = parse_options(
      "--health-cmd pg_isready --health-interval=10s --health-timeout 5s --health-retries 5 "
      "--health-start-period 2s");
  ASSERT_TRUE(options) << options.error().message;
  ASSERT_TRUE(options->health);
  EXPECT_EQ(options->health->command, "pg_isready");
  EXPECT_EQ(options->health->interval, 10s);
  EXPECT_EQ(options->health->timeout, 5s);
  EXPECT_EQ(options->health->retries, 5);
  EXPECT_EQ(options->health->start_period, 2s);
  EXPECT_TRUE(options->ignored.empty());
}

TEST(ParseOptions, QuotedCommandAndIgnoredOptions) {
  auto options = parse_options(
      "--name db --health-cmd \"redis-cli ping | grep PONG\" --tmpfs /var/lib --privileged -e X=1");
  ASSERT_TRUE(options) << options.error().message;
  ASSERT_TRUE(options->health);
  EXPECT_EQ(options->health->command, "redis-cli ping | grep PONG");
  EXPECT_EQ(options->health->interval, 30s);
  EXPECT_EQ(options->health->retries, 3);
  EXPECT_EQ(options->ignored,
            (std::vector<std::string>{"--name db", "--tmpfs /var/lib", "--privileged", "-e X=1"}));
}

TEST(ParseOptions, Errors) {
  EXPECT_FALSE(parse_options("--health-cmd 'unterminated"));
  EXPECT_FALSE(parse_options("--health-interval 10"));
  EXPECT_FALSE(parse_options("--health-retries many"));
  EXPECT_FALSE(parse_options("--health-cmd"));
  auto none = parse_options("--health-cmd NONE");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->health);
  auto empty = parse_options("");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->health);
}

TEST(SplitShellWords, Quoting) {
  auto words = split_shell_words(R"(redis-server --save "" --requirepass 'a b' x\ y "q\"q")");
  ASSERT_TRUE(words);
  EXPECT_EQ(*words, (std::vector<std::string>{"redis-server", "--save", "", "--requirepass", "a b",
                                              "x y", "q\"q"}));
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

}  // namespace
}  // namespace pipewright::exec::services
