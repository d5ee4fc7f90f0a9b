#include "pipewright/server/server_store.h"

#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "unit/temp_dir.h"

namespace pipewright::server {
namespace {

using test_support::TempDirTest;

class ServerStoreTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto opened = ServerStore::open(dir());
    ASSERT_TRUE(opened) << opened.error().message;
    store = std::move(*opened);
  }
  static NewDelivery delivery(std::string key) {
    NewDelivery d;
    d.key = std::move(key);
    d.repo = "acme/api";
    d.event = "push";
    d.body = std::string("{\"a\":1}\0tail", 12);  // raw bytes, kept exactly
    d.received_at = store::TimePoint(std::chrono::milliseconds(1000));
    return d;
  }
  std::unique_ptr<ServerStore> store;
};

TEST_F(ServerStoreTest, TheSameDeliveryTwiceIsOneDelivery) {
  auto first = store->accept(delivery("github:1"));
  auto again = store->accept(delivery("github:1"));
  auto other = store->accept(delivery("github:2"));
  ASSERT_TRUE(first && again && other);
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->id, first->id);
  EXPECT_NE(other->id, first->id);
  auto pending = store->pending_deliveries(10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].key, "github:1");
  EXPECT_EQ((*pending)[0].body, std::string("{\"a\":1}\0tail", 12));
}

TEST_F(ServerStoreTest, SettledDeliveriesAreNoLongerPendingAndSurviveReopening) {
  auto a = store->accept(delivery("github:a"));
  auto b = store->accept(delivery("github:b"));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(store->settle(a->id, DeliveryState::ignored, "ping"));
  store.reset();
  auto reopened = ServerStore::open(dir());
  ASSERT_TRUE(reopened);
  auto pending = (*reopened)->pending_deliveries(10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].key, "github:b");
  auto settled = (*reopened)->delivery(a->id);
  ASSERT_TRUE(settled && *settled);
  EXPECT_EQ((*settled)->state, DeliveryState::ignored);
  EXPECT_EQ((*settled)->note, "ping");
}

TEST_F(ServerStoreTest, ConcurrentAcceptsOfOneDeliveryStoreItOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> fresh{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto accepted = store->accept(delivery("github:same"));
      if (accepted && !accepted->duplicate) ++fresh;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(fresh.load(), 1);
}

TEST_F(ServerStoreTest, ConcurrentDeliveriesAreEachStoredOnceWithTheirOwnId) {
  constexpr int k_threads = 8, k_each = 25;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> ids(k_threads);
  for (int t = 0; t < k_threads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < k_each; ++i) {
        auto accepted =
            store->accept(delivery("github:" + std::to_string(t) + "-" + std::to_string(i)));
        ASSERT_TRUE(accepted) << accepted.error().message;
        EXPECT_FALSE(accepted->duplicate);
        ids[t].push_back(accepted->id);
      }
    });
  for (auto& t : threads)
    t.join();
  std::set<int64_t> distinct;
  for (const auto& v : ids)
    distinct.insert(v.begin(), v.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(k_threads * k_each));
  auto pending = store->pending_deliveries(1000);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->size(), static_cast<size_t>(k_threads * k_each));
}

TEST_F(ServerStoreTest, RepositoryNamesCompareIgnoringCase) {
  Repo repo{"Acme/API", "/srv/api", "sealed", "main", 60, {}};
  ASSERT_TRUE(store->add_repo(repo));
  auto again = store->add_repo(Repo{"acme/api", "/elsewhere", "", "", 0, {}});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already registered"), std::string::npos);
  auto found = store->find_repo("ACME/api");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->full_name, "Acme/API");
  EXPECT_EQ((*found)->poll_seconds, 60);
  auto removed = store->remove_repo("acme/API");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(*store->find_repo("Acme/API"));
}

TEST_F(ServerStoreTest, SecretsAreCreatedThenUpdatedAndListedWithoutValues) {
  auto created = store->put_secret("acme/api", "Token", "sealed-1");
  auto updated = store->put_secret("ACME/api", "TOKEN", "sealed-2");
  ASSERT_TRUE(created && updated);
  EXPECT_TRUE(*created);
  EXPECT_FALSE(*updated);
  auto sealed = store->sealed_secrets("acme/api");
  ASSERT_TRUE(sealed);
  ASSERT_EQ(sealed->size(), 1u);
  EXPECT_EQ((*sealed)[0].first, "TOKEN");
  EXPECT_EQ((*sealed)[0].second, "sealed-2");
  auto names = store->secret_names("acme/api");
  ASSERT_TRUE(names);
  ASSERT_EQ(names->size(), 1u);
  EXPECT_TRUE(*store->delete_secret("acme/api", "token"));
  EXPECT_FALSE(*store->delete_secret("acme/api", "token"));
}

TEST_F(ServerStoreTest, RunTriggersAreRecordedOncePerDeliveryAndWorkflow) {
  RunTrigger t;
  t.run_id = 7;
  t.delivery_id = 3;
  t.repo = "acme/api";
  t.workflow_file = ".github/workflows/ci.yml";
  t.event = "push";
  t.ref = "refs/heads/main";
  t.sha = std::string(40, 'a');
  t.payload_json = "{}";
  EXPECT_TRUE(*store->add_run_trigger(t));
  RunTrigger again = t;
  again.run_id = 8;
  EXPECT_FALSE(*store->add_run_trigger(again));
  EXPECT_TRUE(*store->has_run_trigger(3, ".github/workflows/ci.yml"));
  EXPECT_FALSE(*store->has_run_trigger(3, ".github/workflows/other.yml"));
  ASSERT_TRUE(store->set_carry(7, "{\"build\":{}}"));
  auto read = store->run_trigger(7);
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->carry_json, "{\"build\":{}}");
  EXPECT_FALSE(*store->run_trigger(8));
}

TEST_F(ServerStoreTest, TokensAreLookedUpByHash) {
  ASSERT_TRUE(store->add_token("hash-1", "ci", "maintainer"));
  auto role = store->token_role("hash-1");
  ASSERT_TRUE(role && *role);
  EXPECT_EQ(**role, "maintainer");
  EXPECT_FALSE(*store->token_role("hash-2"));
  ASSERT_TRUE(store->set_state("k", "1"));
  ASSERT_TRUE(store->set_state("k", "2"));
  EXPECT_EQ(**store->state("k"), "2");
}

}  // namespace
}  // namespace pipewright::server
