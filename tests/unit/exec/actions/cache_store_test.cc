#include "pipewright/exec/actions/cache_store.h"

#include <filesystem>
#include <thread>

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "unit/exec/actions/test_tree.h"

namespace pipewright::exec::actions {
namespace {

namespace fs = std::filesystem;
using testing::get;
using testing::put;
using testing::TempDir;

constexpr const char* k_main = "refs/heads/main";
constexpr const char* k_feature = "refs/heads/feature";

class CacheStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    put(m_dir / "ws/node_modules/a/index.js", "module a");
    put(m_dir / "ws/node_modules/.bin/tool", "#!/bin/sh");
    put(m_dir / "home/.npm/pkg.tgz", "tarball");
    put(m_dir / "ws/src/app.js", "app");
  }
  CacheStoreOptions options() {
    CacheStoreOptions o;
    o.dir = m_dir / "data/caches";
    o.workspace = m_dir / "ws";
    o.home = m_dir / "home";
    return o;
  }
  CacheSaveResult save(CacheStore& store, const std::string& key, const std::string& scope,
                       const std::string& paths = k_paths) {
    auto r = store.save({key, paths, scope, false});
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : CacheSaveResult{};
  }
  CacheRestoreResult restore(CacheStore& store, const std::string& key,
                             std::vector<std::string> restore_keys, std::vector<std::string> scopes,
                             bool lookup_only = false) {
    auto r = store.restore({key, std::move(restore_keys), k_paths, std::move(scopes), lookup_only});
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : CacheRestoreResult{};
  }
  void wipe() {
    fs::remove_all(m_dir / "ws/node_modules");
    fs::remove_all(m_dir / "home/.npm");
  }

  static constexpr const char* k_paths = "node_modules\n~/.npm\n";
  TempDir m_dir;
};

TEST_F(CacheStoreTest, SaveThenRestoreExactKey) {
  CacheStore store(options());
  auto saved = save(store, "npm-linux-abc", k_main);
  EXPECT_TRUE(saved.saved) << saved.warning;
  EXPECT_EQ(saved.files, 3u);
  wipe();
  auto r = restore(store, "npm-linux-abc", {}, {k_main});
  ASSERT_TRUE(r.matched_key);
  EXPECT_EQ(*r.matched_key, "npm-linux-abc");
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.files, 3u);
  EXPECT_EQ(get(m_dir / "ws/node_modules/a/index.js"), "module a");
  EXPECT_EQ(get(m_dir / "ws/node_modules/.bin/tool"), "#!/bin/sh");
  EXPECT_EQ(get(m_dir / "home/.npm/pkg.tgz"), "tarball");
  EXPECT_FALSE(fs::exists(m_dir / "ws/src/app.js.restored"));
}

TEST_F(CacheStoreTest, MissLookupOnlyAndRestoreKeysNewestFirst) {
  CacheStore store(options());
  EXPECT_FALSE(restore(store, "npm-", {}, {k_main}).matched_key);
  save(store, "npm-linux-old", k_main);
  put(m_dir / "ws/node_modules/a/index.js", "newer");
  save(store, "npm-linux-new", k_main);
  save(store, "other-linux", k_main);
  wipe();
  auto lookup = restore(store, "npm-linux-zzz", {"npm-linux-", "other-"}, {k_main}, true);
  ASSERT_TRUE(lookup.matched_key);
  EXPECT_EQ(*lookup.matched_key, "npm-linux-new");
  EXPECT_FALSE(lookup.exact);
  EXPECT_FALSE(fs::exists(m_dir / "ws/node_modules"));  // lookup-only extracts nothing
  auto r = restore(store, "npm-linux-zzz", {"npm-linux-"}, {k_main});
  ASSERT_TRUE(r.matched_key);
  EXPECT_EQ(*r.matched_key, "npm-linux-new");
  EXPECT_EQ(get(m_dir / "ws/node_modules/a/index.js"), "newer");
  // The primary key is itself tried as a prefix before the restore keys.
  auto prefix = restore(store, "other", {"npm-"}, {k_main}, true);
  ASSERT_TRUE(prefix.matched_key);
  EXPECT_EQ(*prefix.matched_key, "other-linux");
}

TEST_F(CacheStoreTest, ScopesBranchSeesItsOwnThenDefault) {
  CacheStore store(options());
  save(store, "k-main", k_main);
  put(m_dir / "ws/node_modules/a/index.js", "feature");
  save(store, "k-feature", k_feature);
  // main cannot see the feature branch's cache.
  EXPECT_FALSE(restore(store, "k-feature", {}, {k_main}, true).matched_key);
  // feature sees its own first, even when main's is newer or matches too.
  auto own = restore(store, "k-", {}, {k_feature, k_main}, true);
  ASSERT_TRUE(own.matched_key);
  EXPECT_EQ(*own.matched_key, "k-feature");
  auto fallback = restore(store, "k-main", {}, {k_feature, k_main}, true);
  ASSERT_TRUE(fallback.matched_key);
  EXPECT_TRUE(fallback.exact);
  // A second save of one key in one scope is refused with GitHub's warning.
  auto again = save(store, "k-main", k_main);
  EXPECT_FALSE(again.saved);
  EXPECT_EQ(again.warning,
            "Unable to reserve cache with key k-main, another job may be creating this cache.");
  // ...but the same key in another scope is a different cache.
  EXPECT_TRUE(save(store, "k-main", k_feature).saved);
}

TEST_F(CacheStoreTest, VersionFollowsThePaths) {
  CacheStore store(options());
  save(store, "key", k_main, "node_modules");
  EXPECT_FALSE(restore(store, "key", {}, {k_main}, true).matched_key);  // other paths
  EXPECT_EQ(CacheStore::version_of("a\n  b  \n", false), CacheStore::version_of("a\nb", true));
  EXPECT_NE(CacheStore::version_of("a\nb", false), CacheStore::version_of("b\na", false));
}

TEST_F(CacheStoreTest, NothingToSaveAndKeyValidation) {
  CacheStore store(options());
  auto none = save(store, "k", k_main, "does-not-exist/**");
  EXPECT_FALSE(none.saved);
  EXPECT_EQ(none.warning,
            "Path Validation Error: Path(s) specified in the action for caching do(es) not exist, "
            "hence no cache is being saved.");
  auto comma = store.save({"a,b", k_paths, k_main, false});
  ASSERT_FALSE(comma);
  EXPECT_EQ(comma.error().message, "Key Validation Error: a,b cannot contain commas.");
  auto longk = store.save({std::string(513, 'k'), k_paths, k_main, false});
  ASSERT_FALSE(longk);
  EXPECT_NE(longk.error().message.find("cannot be larger than 512 characters."), std::string::npos);
  auto many = store.restore({"k", std::vector<std::string>(10, "r"), k_paths, {k_main}, false});
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().message, "Key Validation Error: Keys are limited to a maximum of 10.");
}

TEST_F(CacheStoreTest, LruEvictionOverBudget) {
  CacheStoreOptions o = options();
  CacheStore probe(o);
  save(probe, "size-probe", k_main);
  uint64_t one = probe.list().at(0).size;
  fs::remove_all(o.dir);
  o.budget_bytes = one * 2 + one / 2;  // room for two
  CacheStore store(o);
  save(store, "k1", k_main);
  save(store, "k2", k_main);
  restore(store, "k1", {}, {k_main}, false);  // k1 is now used more recently than k2
  save(store, "k3", k_main);
  std::vector<std::string> keys;
  for (const CacheEntryInfo& e : store.list())
    keys.push_back(e.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"k3", "k1"}));
  for (const auto& e : fs::directory_iterator(o.dir))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos);
}

TEST_F(CacheStoreTest, AnotherWorkspaceRestoresWorkspaceFilesIntoItself) {
  CacheStore store(options());
  save(store, "k", k_main);
  wipe();
  CacheStoreOptions other = options();
  other.workspace = m_dir / "ws2";
  CacheStore second(other);
  auto r = second.restore({"k", {}, k_paths, {k_main}, false});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->exact);
  EXPECT_EQ(get(m_dir / "ws2/node_modules/a/index.js"), "module a");
  EXPECT_FALSE(fs::exists(m_dir / "ws/node_modules"));
  EXPECT_EQ(get(m_dir / "home/.npm/pkg.tgz"), "tarball");  // outside: where it was
}

TEST_F(CacheStoreTest, RestoreIsConfinedToTheDeclaredPaths) {
  CacheStore store(options());
  save(store, "k", k_main);
  // Replace the archive with one whose entry lies outside node_modules and ~/.npm.
  std::string archive;
  for (const auto& e : fs::directory_iterator(options().dir))
    if (e.path().string().ends_with(".tar.zst")) archive = e.path();
  ASSERT_FALSE(archive.empty());
  struct archive* a = archive_write_new();
  archive_write_add_filter_zstd(a);
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, archive.c_str()), ARCHIVE_OK);
  std::string name = "ws/src/app.js";  // the workspace's src/, which no path declares
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, 5);
  archive_write_header(a, e);
  archive_write_data(a, "pwned", 5);
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  auto r = store.restore({"k", {}, k_paths, {k_main}, false});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("outside the paths this cache declares"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(get(m_dir / "ws/src/app.js"), "app");
}

TEST_F(CacheStoreTest, ConcurrentSavesOfOneKeyStoreOnce) {
  CacheStore store(options());
  std::vector<std::thread> threads;
  std::atomic<int> saved{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      auto r = store.save({"same", k_paths, k_main, false});
      if (r && r->saved) ++saved;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(saved.load(), 1);
  EXPECT_EQ(store.list().size(), 1u);
}

}  // namespace
}  // namespace pipewright::exec::actions
