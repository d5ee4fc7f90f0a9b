// Real servers started by exec/services: reachable with their clients, health
// checks, cleanup, and two PostgreSQL servers on the same port in two namespaces.
#include <filesystem>
#include <fstream>
#include <thread>

#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/exec/services/job_network.h"
#include "pipewright/exec/services/service_provider.h"
#include "pipewright/exec/services/service_util.h"

// Specs are written with designated initializers naming only the fields a test uses.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace pipewright::exec::services {
namespace {

using namespace std::chrono_literals;

bool installed(const char* path) {
  return ::access(path, X_OK) == 0;
}

// Every process whose command line mentions `needle`.
std::vector<std::string> processes_mentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos ||
        name == std::to_string(::getpid()))
      continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos) found.push_back(name + ": " + cmdline);
  }
  return found;
}

class ServicesE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pwsvc-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_root = tmpl;
    ::chmod(m_root.c_str(), 0755);
    m_context.job_key = "e2e";
    m_context.runtime_dir = m_root + "/run";
    // Templates survive across tests (and runs) like the real cache dir.
    m_context.cache_dir = "/tmp/pwsvc-e2e-cache";
    m_context.notice = [this](std::string_view line) { m_notices.emplace_back(line); };
  }
  void TearDown() override { std::filesystem::remove_all(m_root); }

  // The run dir holds nothing and no process refers to it.
  void expect_clean() {
    std::error_code ec;
    bool empty = std::filesystem::is_empty(m_context.runtime_dir, ec) || ec;
    EXPECT_TRUE(empty) << "leftovers in " << m_context.runtime_dir;
    EXPECT_EQ(processes_mentioning(m_root), std::vector<std::string>{});
  }

  Captured run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
    auto out = capture(argv, env, 60s);
    EXPECT_TRUE(out);
    return out ? *out : Captured{};
  }

  std::string m_root;
  StartContext m_context;
  std::vector<std::string> m_notices;
};

TEST_F(ServicesE2E, PostgresPasswordAndDatabaseOverTcp) {
  if (!installed("/usr/bin/psql")) GTEST_SKIP() << "postgresql not installed";
  ServiceSpec spec{
      .id = "db",
      .image = "postgres:16",
      .env = {{"POSTGRES_PASSWORD", "s3cret"}, {"POSTGRES_DB", "app"}, {"POSTGRES_USER", "ci"}},
      .ports = {"5432"},
      .options = "--health-cmd pg_isready --health-interval 1s --health-retries 5 --name x"};
  auto set = start_services({spec}, m_context);
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->services().size(), 1u);
  std::string port = set->services()[0].ports.at("5432");
  EXPECT_NE(port, "5432");  // "5432" alone asks for a free host port
  std::string url = "postgresql://ci:s3cret@127.0.0.1:" + port + "/app";
  auto ok = run({"psql", url, "-tAc", "select current_database() || ':' || current_user"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(ok.output, "app:ci\n");
  auto wrong = run({"psql", "postgresql://ci:wrong@127.0.0.1:" + port + "/app", "-c", "select 1"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("password authentication failed"), std::string::npos) << wrong.output;
  bool warned = false, ignored = false;
  for (const std::string& n : m_notices) {
    warned = warned || n.find("postgres:16 requested, running PostgreSQL 15") != std::string::npos;
    ignored = ignored || n.find("'--name x' ignored") != std::string::npos;
  }
  EXPECT_TRUE(warned);
  EXPECT_TRUE(ignored);
  EXPECT_FALSE(processes_mentioning(m_root).empty());
  ASSERT_TRUE(set->stop());
  expect_clean();
}

TEST_F(ServicesE2E, RedisPingWithCommandArgs) {
  if (!installed("/usr/bin/redis-server")) GTEST_SKIP() << "redis not installed";
  ServiceSpec spec{.id = "cache",
                   .image = "redis:7-alpine",
                   .ports = {"6379"},
                   .options = "--health-cmd \"redis-cli ping\" --health-interval 500ms",
                   .command = "redis-server --maxmemory 10mb"};
  auto set = start_services({spec}, m_context);
  ASSERT_TRUE(set) << set.error().message;
  std::string port = set->services()[0].ports.at("6379");
  EXPECT_EQ(run({"redis-cli", "-p", port, "ping"}).output, "PONG\n");
  EXPECT_NE(run({"redis-cli", "-p", port, "config", "get", "maxmemory"}).output.find("10485760"),
            std::string::npos);
  set = std::unexpected(StartFailure{});  // destruction stops it, too
  expect_clean();
}

TEST_F(ServicesE2E, MariadbUserAndDatabase) {
  if (!installed("/usr/sbin/mariadbd")) GTEST_SKIP() << "mariadb not installed";
  ServiceSpec spec{.id = "mysql",
                   .image = "mysql:8.0",
                   .env = {{"MYSQL_ROOT_PASSWORD", "rootpw"},
                           {"MYSQL_DATABASE", "shop"},
                           {"MARIADB_USER", "app"},
                           {"MYSQL_PASSWORD", "apppw"}},
                   .ports = {"3306"},
                   .options = "--health-cmd=\"mysqladmin ping\" --health-interval=1s"};
  auto set = start_services({spec}, m_context);
  ASSERT_TRUE(set) << set.error().message;
  std::string port = set->services()[0].ports.at("3306");
  auto user = run({"mariadb", "--no-defaults", "-h127.0.0.1", "-P" + port, "-uapp", "-papppw",
                   "shop", "-Nse", "select database()"});
  EXPECT_EQ(user.exit_code, 0) << user.output;
  EXPECT_EQ(user.output, "shop\n");
  auto root = run({"mariadb", "--no-defaults", "-h127.0.0.1", "-P" + port, "-uroot", "-prootpw",
                   "-Nse", "select 1"});
  EXPECT_EQ(root.output, "1\n") << root.output;
  auto bad = run({"mariadb", "--no-defaults", "-h127.0.0.1", "-P" + port, "-uapp", "-pnope", "-e",
                  "select 1"});
  EXPECT_NE(bad.exit_code, 0);
  ASSERT_TRUE(set->stop());
  expect_clean();
}

TEST_F(ServicesE2E, MemcachedStats) {
  if (!installed("/usr/bin/memcached")) GTEST_SKIP() << "memcached not installed";
  ServiceSpec spec{
      .id = "mc", .image = "memcached:1.6-alpine", .ports = {"11211"}, .command = "-m 32"};
  auto set = start_services({spec}, m_context);
  ASSERT_TRUE(set) << set.error().message;
  std::string port = set->services()[0].ports.at("11211");
  auto stats =
      run({"bash", "-c",
           "exec 3<>/dev/tcp/127.0.0.1/" + port + "; printf 'stats\\r\\nquit\\r\\n' >&3; cat <&3"});
  EXPECT_NE(stats.output.find("STAT limit_maxbytes 33554432"), std::string::npos) << stats.output;
  ASSERT_TRUE(set->stop());
  expect_clean();
}

TEST_F(ServicesE2E, FailingHealthCheckShowsServerLogAndCleansUp) {
  if (!installed("/usr/bin/redis-server")) GTEST_SKIP() << "redis not installed";
  ServiceSpec spec{
      .id = "cache",
      .image = "redis",
      .options =
          "--health-cmd 'redis-cli get missing | grep -q present' --health-interval 100ms "
          "--health-retries 2"};
  auto set = start_services({spec}, m_context);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().kind, StartFailure::Kind::failed);
  EXPECT_EQ(set.error().service_id, "cache");
  EXPECT_NE(set.error().message.find("unhealthy"), std::string::npos) << set.error().message;
  EXPECT_NE(set.error().message.find("server's log ---"), std::string::npos);
  EXPECT_NE(set.error().message.find("Ready to accept connections"), std::string::npos)
      << set.error().message;
  expect_clean();
}

TEST_F(ServicesE2E, ServerThatCannotStartShowsItsLog) {
  if (!installed("/usr/bin/psql")) GTEST_SKIP() << "postgresql not installed";
  ServiceSpec spec{.id = "db",
                   .image = "postgres:15",
                   .env = {{"POSTGRES_PASSWORD", "x"}},
                   .command = "-c no_such_setting=1"};
  auto set = start_services({spec}, m_context);
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message.find("no_such_setting"), std::string::npos) << set.error().message;
  expect_clean();
}

TEST_F(ServicesE2E, MissingPasswordFailsAsTheImageDoes) {
  ServiceSpec spec{.id = "db", .image = "postgres:15"};
  auto set = start_services({spec}, m_context);
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message.find("POSTGRES_PASSWORD"), std::string::npos)
      << set.error().message;
  expect_clean();
}

TEST_F(ServicesE2E, UnsupportedImageIsTyped) {
  auto set = start_services(
      {ServiceSpec{.id = "graph", .image = "neo4j:5"}, ServiceSpec{.id = "off", .image = ""}},
      m_context);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().kind, StartFailure::Kind::unsupported);
  EXPECT_NE(set.error().message.find(".pipewright/services.yml"), std::string::npos);
  expect_clean();
}

TEST_F(ServicesE2E, CancelDuringStartLeavesNothing) {
  if (!installed("/usr/bin/redis-server")) GTEST_SKIP() << "redis not installed";
  auto token = os::CancelToken::create();
  ASSERT_TRUE(token);
  m_context.cancel = &*token;
  ServiceSpec spec{
      .id = "cache", .image = "redis", .options = "--health-cmd false --health-interval 30s"};
  std::thread canceller([&] {
    std::this_thread::sleep_for(1s);
    token->request_cancel();
  });
  auto set = start_services({spec}, m_context);
  canceller.join();
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().kind, StartFailure::Kind::cancelled) << set.error().message;
  expect_clean();
}

TEST_F(ServicesE2E, CrashedRunIsCleanedOnNextStart) {
  if (!installed("/usr/bin/redis-server")) GTEST_SKIP() << "redis not installed";
  // A "crashed" owner: a state file naming a dead owner and a live server.
  std::string dir = m_context.runtime_dir + "/crashed-1";
  std::filesystem::create_directories(dir + "/cache");
  // A live "server" whose command line names m_root (python ignores the extra
  // argument; `sleep 600 ROOT` would exit at once on the bad interval), found by
  // that command line: `$!` would name setsid, which may fork and go.
  std::string sleeper = "python3 -c 'import time; time.sleep(600)' " + m_root;
  auto server = capture({"bash", "-c",
                         "setsid " + sleeper +
                             " >/dev/null 2>&1 </dev/null & for _ in $(seq 100); "
                             "do pgrep -f 'sleep\\(600\\) " +
                             m_root + "$' && exit; sleep 0.02; done; exit 1"},
                        {}, 10s);
  ASSERT_TRUE(server);
  ASSERT_EQ(server->exit_code, 0) << "the sleeper did not start";
  pid_t pid = std::stoi(server->output);
  std::string stat_start;
  {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_NE(all.rfind(')'), std::string::npos) << "no /proc/" << pid << "/stat";
    std::istringstream fields(all.substr(all.rfind(')') + 2));
    for (int i = 3; i <= 22; ++i)
      fields >> stat_start;
  }
  std::ofstream(dir + "/state") << "pipewright-services 1\nowner 999999999 1\nserver " << pid << " "
                                << stat_start << " " << dir << "/cache\n";
  auto cleaned = clean_stale_services(m_context.runtime_dir);
  ASSERT_TRUE(cleaned);
  EXPECT_EQ(*cleaned, 1);
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(std::filesystem::exists(dir));
  expect_clean();
}

TEST_F(ServicesE2E, TwoPostgresOnTheSamePortInTwoNamespaces) {
  if (!installed("/usr/bin/psql")) GTEST_SKIP() << "postgresql not installed";
  if (!JobNetwork::available()) GTEST_SKIP() << "network namespaces unavailable (needs root)";
  auto start = [&](const std::string& db, JobNetwork& network) {
    StartContext context = m_context;
    context.job_key = "ns-" + db;
    context.network = &network;
    return start_services({ServiceSpec{.id = "postgres",
                                       .image = "postgres:15",
                                       .env = {{"POSTGRES_PASSWORD", "pw"}, {"POSTGRES_DB", db}},
                                       .ports = {"5432:5432"}}},
                          context);
  };
  auto net_a = JobNetwork::create("a");
  auto net_b = JobNetwork::create("b");
  ASSERT_TRUE(net_a && net_b);
  std::optional<std::expected<ServiceSet, StartFailure>> a, b;
  std::thread ta([&] { a = start("alpha", *net_a); });
  std::thread tb([&] { b = start("beta", *net_b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(*a) << a->error().message;
  ASSERT_TRUE(*b) << b->error().message;
  EXPECT_EQ((**a).services()[0].ports.at("5432"), "5432");
  for (auto [network, db] : {std::pair{&*net_a, "alpha"}, std::pair{&*net_b, "beta"}}) {
    auto out = run(
        network->wrap({"psql", "postgresql://postgres:pw@localhost:5432/postgres", "-tAc",
                       "select string_agg(datname, ',' order by datname) from pg_database where "
                       "datname in ('alpha','beta')"}));
    EXPECT_EQ(out.output, std::string(db) + "\n");
  }
  ASSERT_TRUE((**a).stop());
  ASSERT_TRUE((**b).stop());
  ASSERT_TRUE(net_a->destroy());
  ASSERT_TRUE(net_b->destroy());
  expect_clean();
}

TEST_F(ServicesE2E, JobNetworkHostNamesOutboundAndCleanup) {
  if (!JobNetwork::available()) GTEST_SKIP() << "network namespaces unavailable (needs root)";
  auto network = JobNetwork::create("hosts");
  ASSERT_TRUE(network) << network.error().message;
  std::string name = network->name();
  ASSERT_TRUE(network->set_hosts({"db", "cache"}));
  // Inside: the service ids resolve to the job's loopback; outside: not at all.
  EXPECT_EQ(run(network->wrap({"getent", "hosts", "db"})).output.substr(0, 9), "127.0.0.1");
  EXPECT_NE(run({"getent", "hosts", "cache"}).exit_code, 0);
  bool slirp = installed("/usr/bin/slirp4netns");
  auto outbound = network->enable_outbound();
  EXPECT_EQ(outbound.has_value(), slirp) << (outbound ? "" : outbound.error().message);
  if (slirp) {
    auto route = run(network->wrap({"ip", "route", "show", "default"}));
    EXPECT_NE(route.output.find("via 10.0.2.2 dev tap0"), std::string::npos) << route.output;
    EXPECT_FALSE(processes_mentioning("/run/netns/" + name).empty());
  }
  ASSERT_TRUE(network->destroy());
  EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + name));
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + name));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(processes_mentioning("/run/netns/" + name), std::vector<std::string>{});
}

}  // namespace
}  // namespace pipewright::exec::services
