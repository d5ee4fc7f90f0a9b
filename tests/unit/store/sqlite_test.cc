// The SQLite wrapper (store/sqlite.h): prepared statements are reused by SQL text.
#include "pipewright/store/sqlite.h"

#include <gtest/gtest.h>

#include "unit/temp_dir.h"

namespace pipewright::store::sql {
namespace {

using SqliteTest = test_support::TempDirTest;

// A reused statement starts reset with no bindings left; two statements of the
// same text can be in use at once.
TEST_F(SqliteTest, ReusedStatementsStartClean) {
  auto db = Database::open(path("t.db"), 1000);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->exec("CREATE TABLE t (k INTEGER, v TEXT)"));
  const std::string_view insert = "INSERT INTO t (k, v) VALUES (?, ?)";
  for (int i = 0; i < 5; ++i) {
    auto stmt = db->prepare(insert);
    ASSERT_TRUE(stmt);
    if (i == 3)
      stmt->bind(i);  // v left unbound: must be NULL, not the previous row's value
    else
      stmt->bind(i, "v" + std::to_string(i));
    ASSERT_TRUE(stmt->run());
  }
  const std::string_view select = "SELECT v FROM t WHERE k = ?";
  auto first = db->prepare(select);
  auto second = db->prepare(select);
  ASSERT_TRUE(first && second);
  first->bind(2);
  second->bind(4);
  ASSERT_TRUE(*first->step());
  ASSERT_TRUE(*second->step());
  EXPECT_EQ(first->text(0), "v2");
  EXPECT_EQ(second->text(0), "v4");
  {
    auto half_read = db->prepare("SELECT k FROM t ORDER BY k");
    ASSERT_TRUE(half_read);
    ASSERT_TRUE(*half_read->step());  // left mid-way: reset when it goes back
  }
  auto again = db->prepare("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(again);
  ASSERT_TRUE(*again->step());
  EXPECT_EQ(again->integer(0), 0);
  auto unbound = db->prepare(select);
  ASSERT_TRUE(unbound);
  unbound->bind(3);
  ASSERT_TRUE(*unbound->step());
  EXPECT_TRUE(unbound->is_null(0));
}

// TEXT holds only valid UTF-8: bytes that are not (an overlong NUL, a code point past
// U+10FFFF) are stored as U+FFFD, valid text byte for byte; BLOBs keep every byte.
TEST_F(SqliteTest, TextIsStoredAsValidUtf8) {
  auto db = Database::open(path("t.db"), 1000);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->exec("CREATE TABLE t (k INTEGER, v TEXT, b BLOB)"));
  const std::string fffd = "\xEF\xBF\xBD";
  const std::string raw =
      "a\xC0\x80"
      "b\xF4\x90\x80\x80"
      "c";
  auto insert = db->prepare("INSERT INTO t (k, v, b) VALUES (?, ?, ?)");
  ASSERT_TRUE(insert);
  insert->bind(1, raw, Blob{raw});
  ASSERT_TRUE(insert->run());
  auto valid = db->prepare("INSERT INTO t (k, v) VALUES (?, ?)");
  ASSERT_TRUE(valid);
  valid->bind(2, "h\xC3\xA9 \xF0\x9F\x9A\x80");
  ASSERT_TRUE(valid->run());
  auto select = db->prepare("SELECT v, b FROM t ORDER BY k");
  ASSERT_TRUE(select);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->text(0), "a" + fffd + fffd + "b" + fffd + fffd + fffd + fffd + "c");
  EXPECT_EQ(select->optional_blob(1), raw);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->text(0), "h\xC3\xA9 \xF0\x9F\x9A\x80");
}

}  // namespace
}  // namespace pipewright::store::sql
