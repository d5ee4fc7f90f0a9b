// The store tests run on both backends: a test written with TEST_P on a fixture
// derived from BackendTest runs once on SQLite and once on PostgreSQL (named
// .../sqlite and .../postgres). On PostgreSQL each test gets its own database, created
// in SetUp and dropped in TearDown, on the server of the store.postgres.start fixture
// (tests/support/postgres_server.cc) or the one PW_TEST_POSTGRES_URL names
// (postgresql://user:password@host:port, no database). Without a server the
// PostgreSQL variants fail; PW_TEST_POSTGRES=skip skips them instead.
#pragma once

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "pipewright/store/sql.h"
#include "pipewright/store/store.h"

#include "unit/temp_dir.h"

namespace pipewright::test_support {

namespace sql = store::sql;

// The server's URL without a database, or "" with the reason in `why`.
inline std::string postgres_server_url(std::string& why) {
  if (const char* url = std::getenv("PW_TEST_POSTGRES_URL"); url && *url) return url;
#ifdef PW_TEST_POSTGRES_URL_FILE
  std::ifstream in(PW_TEST_POSTGRES_URL_FILE);
  std::string url;
  std::getline(in, url);
  if (!url.empty()) return url;
  std::string file = PW_TEST_POSTGRES_URL_FILE;
  std::ifstream error(file.substr(0, file.rfind('/')) + "/error");
  if (std::getline(error, why) && !why.empty()) return {};  // the fixture failed: why
  why = "no PostgreSQL server: " + file +
        " is missing (run through ctest, whose store.postgres.start fixture starts one, or "
        "set PW_TEST_POSTGRES_URL)";
#else
  why = "no PostgreSQL server: set PW_TEST_POSTGRES_URL";
#endif
  return {};
}

class BackendTest : public TempDirTest, public ::testing::WithParamInterface<sql::Backend> {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    if (GetParam() != sql::Backend::postgres) return;
    if (const char* skip = std::getenv("PW_TEST_POSTGRES"); skip && std::string(skip) == "skip")
      GTEST_SKIP() << "PW_TEST_POSTGRES=skip";
    std::string why;
    m_server = postgres_server_url(why);
    ASSERT_FALSE(m_server.empty()) << why;
    static std::atomic<int> counter{0};
    m_name = "pw_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
             std::to_string(std::random_device()() % 100000);
    auto admin = sql::Database::connect(m_server + "/postgres", 10000);
    ASSERT_TRUE(admin) << admin.error().message;
    // FILE_COPY: faster than WAL_LOG on a server without fsync.
    ASSERT_TRUE(admin->exec("CREATE DATABASE " + m_name + " STRATEGY = FILE_COPY"));
  }

  void TearDown() override {
    if (!m_name.empty()) {
      auto admin = sql::Database::connect(m_server + "/postgres", 10000);
      EXPECT_TRUE(admin && admin->exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)"));
    }
    TempDirTest::TearDown();
  }

  bool postgres() const { return GetParam() == sql::Backend::postgres; }
  // What open_store() takes: "" (SQLite in dir()) or this test's PostgreSQL database.
  std::string database() const { return postgres() ? m_server + "/" + m_name : ""; }
  // A connection of our own to the test's database.
  util::Expected<sql::Database> connect() const {
    if (postgres()) return sql::Database::connect(database(), 10000);
    return sql::Database::open(path("history.db"), 10000);
  }
  // The store on this test's database, with its logs in dir().
  std::unique_ptr<store::Store> open_test_store() const {
    auto store = store::open_store(database(), dir());
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  std::string m_server;
  std::string m_name;
};

inline std::string backend_name(const ::testing::TestParamInfo<sql::Backend>& info) {
  return info.param == sql::Backend::sqlite ? "sqlite" : "postgres";
}

}  // namespace pipewright::test_support

namespace pipewright::store::sql {
// Test names and messages say "sqlite"/"postgres" rather than the enum's bytes.
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::sqlite ? "sqlite" : "postgres");
}
}  // namespace pipewright::store::sql

namespace pipewright::test_support {

// INSTANTIATE_BACKENDS(Suite): runs Suite's TEST_Ps on both backends.
#define INSTANTIATE_BACKENDS(suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(, suite,                                                        \
                           ::testing::Values(::pipewright::store::sql::Backend::sqlite,    \
                                             ::pipewright::store::sql::Backend::postgres), \
                           ::pipewright::test_support::backend_name)

}  // namespace pipewright::test_support
