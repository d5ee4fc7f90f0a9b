#include <gtest/gtest.h>

#include "pipewright/exec/services/service_provider.h"
#include "pipewright/exec/services/service_state.h"

namespace pipewright::exec::services {
namespace {

std::string provider_for(std::string_view image) {
  auto ref = parse_image(image);
  if (!ref) return "<bad>";
  auto provider = find_provider(*ref);
  return provider ? std::string(provider->name()) : "<none>";
}

TEST(ProviderRegistry, KnownImages) {
  EXPECT_EQ(provider_for("postgres"), "postgres");
  EXPECT_EQ(provider_for("postgres:15-alpine"), "postgres");
  EXPECT_EQ(provider_for("docker.io/library/postgres:16"), "postgres");
  EXPECT_EQ(provider_for("redis:7-alpine"), "redis");
  EXPECT_EQ(provider_for("mysql:8.0"), "mariadb");
  EXPECT_EQ(provider_for("mariadb:10.11"), "mariadb");
  EXPECT_EQ(provider_for("memcached:1.6"), "memcached");
  EXPECT_EQ(provider_for("neo4j:5"), "<none>");
  EXPECT_EQ(provider_for("someone/postgres-fork"), "<none>");
}

TEST(ProviderRegistry, DefaultPortsAndUsers) {
  auto pg = find_provider(*parse_image("postgres"));
  ASSERT_TRUE(pg);
  EXPECT_EQ(pg->default_port(), 5432);
  EXPECT_EQ(pg->system_user(), "postgres");
  EXPECT_EQ(find_provider(*parse_image("redis"))->default_port(), 6379);
  EXPECT_EQ(find_provider(*parse_image("mysql"))->default_port(), 3306);
  EXPECT_EQ(find_provider(*parse_image("memcached"))->default_port(), 11211);
}

TEST(ProviderRegistry, UnsupportedMessageListsProvidersAndHowToAdd) {
  std::string message = unsupported_message("neo4j:5");
  EXPECT_NE(message.find("neo4j:5"), std::string::npos);
  for (const char* known :
       {"postgres", "redis", "mysql", "mariadb", "memcached", ".pipewright/services.yml"})
    EXPECT_NE(message.find(known), std::string::npos) << known;
}

TEST(ServiceState, RoundTrip) {
  ServiceState state;
  state.owner = 42;
  state.owner_start = 1234;
  state.servers.push_back({100, 5678, "/run/x/job 1/db"});
  state.netns = "pw-42-0-job";
  auto parsed = parse_state(format_state(state));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->owner, 42);
  EXPECT_EQ(parsed->owner_start, 1234u);
  ASSERT_EQ(parsed->servers.size(), 1u);
  EXPECT_EQ(parsed->servers[0].pid, 100);
  EXPECT_EQ(parsed->servers[0].dir, "/run/x/job 1/db");
  EXPECT_EQ(parsed->netns, "pw-42-0-job");
  EXPECT_FALSE(parse_state("something else\n"));
  EXPECT_FALSE(parse_state("pipewright-services 1\nowner x\n"));
}

TEST(ServiceState, SameProcessChecksStartTime) {
  pid_t self = ::getpid();
  unsigned long long start = process_start_time(self);
  EXPECT_GT(start, 0u);
  EXPECT_TRUE(same_process(self, start));
  EXPECT_FALSE(same_process(self, start + 1));
  EXPECT_FALSE(same_process(-1, 0));
}

}  // namespace
}  // namespace pipewright::exec::services
