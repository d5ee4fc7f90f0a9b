// The SQL facade (store/sql.h) on both backends: the same SQL, binds and columns give
// the same answers on SQLite and PostgreSQL.
#include "pipewright/store/sql.h"

#include <gtest/gtest.h>

#include "pipewright/store/store.h"

#include "unit/store/backends.h"

namespace pipewright::store::sql {
namespace {

class SqlTest : public test_support::BackendTest {
 protected:
  // A connection with table t (k INTEGER, v TEXT, b BLOB).
  std::optional<Database> with_table() {
    auto db = connect();
    EXPECT_TRUE(db) << db.error().message;
    if (!db) return std::nullopt;
    auto made = db->exec_schema("CREATE TABLE t (k INTEGER, v TEXT, b BLOB)");
    EXPECT_TRUE(made) << made.error().message;
    return std::move(*db);
  }
};
INSTANTIATE_BACKENDS(SqlTest);

// A reused statement starts reset with no bindings left; two statements of the
// same text can be in use at once.
TEST_P(SqlTest, ReusedStatementsStartClean) {
  auto db = with_table();
  ASSERT_TRUE(db);
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
TEST_P(SqlTest, TextIsStoredAsValidUtf8) {
  auto db = with_table();
  ASSERT_TRUE(db);
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
  // Accents, an emoji, CJK, a combining mark, right-to-left text.
  const std::string unicode =
      "h\xC3\xA9 \xF0\x9F\x9A\x80 \xE6\x97\xA5\xE6\x9C\xAC e\xCC\x81 "
      "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D";
  valid->bind(2, unicode);
  ASSERT_TRUE(valid->run());
  auto select = db->prepare("SELECT v, b FROM t ORDER BY k");
  ASSERT_TRUE(select);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->text(0), "a" + fffd + fffd + "b" + fffd + fffd + fffd + fffd + "c");
  EXPECT_EQ(select->optional_blob(1), raw);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->text(0), unicode);
  auto length = db->prepare("SELECT length(v) FROM t WHERE k = 2");  // characters, not bytes
  ASSERT_TRUE(length && *length->step());
  EXPECT_EQ(length->integer(0), 15);
}

// PostgreSQL text cannot hold NUL: there it becomes U+FFFD; SQLite keeps it.
TEST_P(SqlTest, NulInTextIsKeptOrReplacedButNeverFails) {
  auto db = with_table();
  ASSERT_TRUE(db);
  auto insert = db->prepare("INSERT INTO t (k, v) VALUES (1, ?)");
  ASSERT_TRUE(insert);
  insert->bind(std::string_view("a\0b", 3));
  auto inserted = insert->run();
  ASSERT_TRUE(inserted) << inserted.error().message;
  auto select = db->prepare("SELECT v FROM t");
  ASSERT_TRUE(select && *select->step());
  EXPECT_EQ(select->text(0), postgres() ? "a\xEF\xBF\xBD"
                                          "b"
                                        : std::string("a\0b", 3));
}

TEST_P(SqlTest, BlobsKeepEveryByteAndEmptyIsNotNull) {
  auto db = with_table();
  ASSERT_TRUE(db);
  std::string every_byte;
  for (int i = 0; i < 256; ++i)
    every_byte += static_cast<char>(i);
  const std::string zeros("\0\0x\0", 4);
  auto insert = db->prepare("INSERT INTO t (k, b) VALUES (?, ?)");
  ASSERT_TRUE(insert);
  insert->bind(1, Blob{every_byte});
  ASSERT_TRUE(insert->run());
  for (auto [k, blob] :
       {std::pair{2, std::optional<std::string>(zeros)},
        std::pair{3, std::optional<std::string>("")}, std::pair{4, std::optional<std::string>()}}) {
    auto row = db->prepare("INSERT INTO t (k, b) VALUES (?, ?)");
    ASSERT_TRUE(row);
    std::optional<Blob> bound;
    if (blob) bound = Blob{*blob};
    row->bind(k, bound);
    ASSERT_TRUE(row->run());
  }
  auto select = db->prepare("SELECT b FROM t ORDER BY k");
  ASSERT_TRUE(select);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->optional_blob(0), every_byte);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->optional_blob(0), zeros);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->optional_blob(0), std::string());
  EXPECT_FALSE(select->is_null(0));
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->optional_blob(0), std::nullopt);
  EXPECT_FALSE(*select->step());
  // Past the end: NULL, 0 and "" rather than a crash.
  EXPECT_TRUE(select->is_null(0));
  EXPECT_EQ(select->integer(0), 0);
  EXPECT_EQ(select->text(0), "");
}

TEST_P(SqlTest, NullsIntegersAndBooleans) {
  auto db = with_table();
  ASSERT_TRUE(db);
  auto insert = db->prepare("INSERT INTO t (k, v) VALUES (?, ?)");
  ASSERT_TRUE(insert);
  insert->bind(std::optional<int64_t>(), std::optional<std::string>());
  ASSERT_TRUE(insert->run());
  auto big = db->prepare("INSERT INTO t (k, v) VALUES (?, ?)");
  ASSERT_TRUE(big);
  big->bind(int64_t{-9007199254740993}, "x");
  ASSERT_TRUE(big->run());
  auto select = db->prepare(
      "SELECT k, v, k IS NULL, k < 0 FROM t ORDER BY k IS NULL, k LIMIT ?");  // NULL last
  ASSERT_TRUE(select);
  select->bind(10);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->optional_integer(0), int64_t{-9007199254740993});
  EXPECT_EQ(select->integer(2), 0);
  EXPECT_EQ(select->integer(3), 1);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->optional_integer(0), std::nullopt);
  EXPECT_TRUE(select->is_null(1));
  EXPECT_EQ(select->integer(2), 1);
  EXPECT_TRUE(select->is_null(3));  // NULL < 0 is NULL
  EXPECT_FALSE(*select->step());
}

// bind_at binds one parameter by position; an empty string (even a view with no data)
// is text, not NULL.
TEST_P(SqlTest, BindAtAndEmptyTextIsNotNull) {
  auto db = with_table();
  ASSERT_TRUE(db);
  auto insert = db->prepare("INSERT INTO t (k, v) VALUES (?, ?)");
  ASSERT_TRUE(insert);
  insert->bind_at(2, std::string_view()).bind_at(1, 5);
  ASSERT_TRUE(insert->run());
  auto select = db->prepare("SELECT v, v IS NULL FROM t WHERE k = ?");
  ASSERT_TRUE(select);
  select->bind_at(1, 5);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->text(0), "");
  EXPECT_EQ(select->integer(1), 0);
}

// `?` inside quoted text, quoted identifiers and comments is not a placeholder.
TEST_P(SqlTest, PlaceholdersInQuotedTextAndCommentsAreLeftAlone) {
  auto db = with_table();
  ASSERT_TRUE(db);
  auto insert = db->prepare("INSERT INTO t (k, v) VALUES (?, 'what? it''s ?') -- a ? here\n");
  ASSERT_TRUE(insert) << insert.error().message;
  insert->bind(7);
  auto inserted = insert->run();
  ASSERT_TRUE(inserted) << inserted.error().message;
  auto select =
      db->prepare("SELECT \"v\", '?' || ? FROM t /* ? */ WHERE v = 'what? it''s ?' AND k = ?");
  ASSERT_TRUE(select) << select.error().message;
  select->bind("!", 7);
  auto row = select->step();
  ASSERT_TRUE(row) << row.error().message;
  ASSERT_TRUE(*row);
  EXPECT_EQ(select->text(0), "what? it's ?");
  EXPECT_EQ(select->text(1), "?!");
}

TEST_P(SqlTest, InsertReturningIdAndChanges) {
  auto db = connect();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec_schema("CREATE TABLE n (id INTEGER PRIMARY KEY, v TEXT)"));
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto insert = db->prepare("INSERT INTO n (v) VALUES (?) RETURNING id");
    ASSERT_TRUE(insert);
    insert->bind("x");
    ASSERT_TRUE(*insert->step());
    ids.push_back(insert->integer(0));
    EXPECT_FALSE(*insert->step());
    EXPECT_EQ(db->last_insert_rowid(), ids.back());
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3}));
  auto update = db->prepare("UPDATE n SET v = 'y' WHERE id >= ?");
  ASSERT_TRUE(update);
  update->bind(2);
  ASSERT_TRUE(update->run());
  EXPECT_EQ(db->changes(), 2);
}

// Schema SQL is written once: type names are translated for PostgreSQL, quoted text
// and comments are not.
TEST_P(SqlTest, SchemaSqlRunsOnBothWithItsQuotedTextIntact) {
  auto db = connect();
  ASSERT_TRUE(db);
  auto made = db->exec_schema(
      "CREATE TABLE s (\n"
      "  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- INTEGER here is a comment\n"
      "  note TEXT NOT NULL DEFAULT 'INTEGER BLOB',\n"
      "  data BLOB,\n"
      "  n integer NOT NULL DEFAULT 0\n"
      ");\n"
      "CREATE INDEX s_by_n ON s(n);");
  ASSERT_TRUE(made) << made.error().message;
  auto insert = db->prepare("INSERT INTO s (data, n) VALUES (?, ?) RETURNING id, note");
  ASSERT_TRUE(insert);
  insert->bind(Blob{std::string_view("\0", 1)}, int64_t{1} << 40);
  ASSERT_TRUE(*insert->step());
  EXPECT_EQ(insert->integer(0), 1);
  EXPECT_EQ(insert->text(1), "INTEGER BLOB");
  ASSERT_TRUE(insert->run());
  auto select = db->prepare("SELECT data, n FROM s");
  ASSERT_TRUE(select && *select->step());
  EXPECT_EQ(select->optional_blob(0), std::string("\0", 1));
  EXPECT_EQ(select->integer(1), int64_t{1} << 40);  // a 64-bit column on both
  EXPECT_EQ(*db->table_names(), std::vector<std::string>{"s"});
}

// A last INTEGER column before a table's PRIMARY KEY constraint stays a plain, nullable
// column (found by the server's crash test: run_attempts.finished_at became an identity).
TEST_P(SqlTest, AnIntegerColumnBeforeATablePrimaryKeyIsNotAnIdentity) {
  auto db = connect();
  ASSERT_TRUE(db);
  auto made = db->exec_schema(
      "CREATE TABLE a (run_id INTEGER NOT NULL, attempt INTEGER NOT NULL, finished_at INTEGER,\n"
      "  PRIMARY KEY (run_id, attempt));");
  ASSERT_TRUE(made) << made.error().message;
  auto insert = db->prepare("INSERT INTO a (run_id, attempt, finished_at) VALUES (?, ?, ?)");
  ASSERT_TRUE(insert);
  insert->bind(int64_t{1}, int64_t{1}, std::nullopt);
  auto done = insert->run();
  ASSERT_TRUE(done) << done.error().message;
  auto select = db->prepare("SELECT finished_at FROM a");
  ASSERT_TRUE(select && *select->step());
  EXPECT_TRUE(select->is_null(0));
}

TEST_P(SqlTest, TransactionsRollBackUnlessCommitted) {
  auto db = with_table();
  ASSERT_TRUE(db);
  auto count = [&] {
    auto query = db->prepare("SELECT count(*) FROM t");
    return query && *query->step() ? query->integer(0) : -1;
  };
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx) << tx.error().message;
    ASSERT_TRUE(db->exec("INSERT INTO t (k) VALUES (1)"));
    EXPECT_EQ(count(), 1);
  }  // not committed
  EXPECT_EQ(count(), 0);
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t (k) VALUES (2)"));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(count(), 1);
  // A statement that fails inside a transaction: the caller returns early (PW_TRY)
  // and nothing of the transaction stays.
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t (k) VALUES (3)"));
    auto failed = db->exec("INSERT INTO missing_table VALUES (1)");
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find("missing_table"), std::string::npos)
        << failed.error().message;
  }
  EXPECT_EQ(count(), 1);
  // The connection is usable afterwards; transactions do not nest.
  auto tx = Transaction::begin(*db);
  ASSERT_TRUE(tx);
  auto nested = Transaction::begin(*db);
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("within a transaction"), std::string::npos)
      << nested.error().message;
  ASSERT_TRUE(db->exec("INSERT INTO t (k) VALUES (4)"));
  ASSERT_TRUE(tx->commit());
  EXPECT_EQ(count(), 2);
}

// After a statement failed inside a transaction, SQLite commits the rest; PostgreSQL
// has rolled it all back, and commit() says so instead of reporting success. (The
// store never commits after a failure: PW_TRY returns and the rollback follows.)
TEST_P(SqlTest, CommitAfterAFailedStatement) {
  auto db = with_table();
  ASSERT_TRUE(db);
  auto tx = Transaction::begin(*db);
  ASSERT_TRUE(tx);
  ASSERT_TRUE(db->exec("INSERT INTO t (k) VALUES (1)"));
  ASSERT_FALSE(db->exec("SELECT nonsense FROM t"));
  auto committed = tx->commit();
  auto query = db->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(query && *query->step());
  if (postgres()) {
    ASSERT_FALSE(committed);
    EXPECT_NE(committed.error().message.find("rolled back"), std::string::npos);
    EXPECT_EQ(query->integer(0), 0);
  } else {
    ASSERT_TRUE(committed);
    EXPECT_EQ(query->integer(0), 1);
  }
}

// A transaction holds the write lock until it ends: another connection cannot start
// one (it gives up after its timeout) and can once the first has committed.
TEST_P(SqlTest, ATransactionHoldsTheWriteLockUntilItEnds) {
  auto db = with_table();
  ASSERT_TRUE(db);
  auto other =
      postgres() ? Database::connect(database(), 200) : Database::open(path("history.db"), 200);
  ASSERT_TRUE(other) << other.error().message;
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx);
    auto blocked = Transaction::begin(*other);
    ASSERT_FALSE(blocked);
    EXPECT_NE(blocked.error().message.find(postgres() ? "lock timeout" : "locked"),
              std::string::npos)
        << blocked.error().message;
    ASSERT_TRUE(tx->commit());
  }
  auto tx = Transaction::begin(*other);
  ASSERT_TRUE(tx) << tx.error().message;
  ASSERT_TRUE(tx->commit());
}

// A PostgreSQL connection that was lost (a server restart, a terminated session)
// fails the statement that meets it, then works again: the store outlives it.
TEST_P(SqlTest, ALostConnectionIsOpenedAgain) {
  if (!postgres()) GTEST_SKIP() << "SQLite has no connection to lose";
  auto db = with_table();
  ASSERT_TRUE(db);
  auto pid = db->prepare("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid && *pid->step());
  auto admin = Database::connect(database(), 10000);
  ASSERT_TRUE(admin);
  // Integers are bound as 64-bit: a function taking a 32-bit one needs a cast.
  auto kill = admin->prepare("SELECT pg_terminate_backend(CAST(? AS INTEGER), 10000)");
  ASSERT_TRUE(kill);
  kill->bind(pid->integer(0));
  auto killed = kill->step();
  ASSERT_TRUE(killed) << killed.error().message;
  ASSERT_TRUE(*killed);
  ASSERT_EQ(kill->integer(0), 1);
  auto lost = db->exec("INSERT INTO t (k) VALUES (1)");
  ASSERT_FALSE(lost);
  EXPECT_NE(lost.error().message.find("the connection was lost; it is open again"),
            std::string::npos)
      << lost.error().message;
  auto insert = db->prepare("INSERT INTO t (k, v) VALUES (?, ?)");
  ASSERT_TRUE(insert);
  insert->bind(2, "after");
  auto again = insert->run();
  ASSERT_TRUE(again) << again.error().message;
  auto tx = Transaction::begin(*db);  // the session's settings are back, locks work
  ASSERT_TRUE(tx) << tx.error().message;
  ASSERT_TRUE(tx->commit());
  auto count = db->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count && *count->step());
  EXPECT_EQ(count->integer(0), 1);
}

TEST_P(SqlTest, ErrorsNameTheStatement) {
  auto db = with_table();
  ASSERT_TRUE(db);
  auto bad = db->prepare("SELECT nope FROM t WHERE k = ?");
  std::string message;
  if (!bad) {
    message = bad.error().message;  // SQLite checks when preparing
  } else {
    bad->bind(1);
    auto row = bad->step();  // PostgreSQL when running
    ASSERT_FALSE(row);
    message = row.error().message;
  }
  EXPECT_NE(message.find("nope"), std::string::npos) << message;
  EXPECT_NE(message.find("history database"), std::string::npos) << message;
}

TEST(SqlUrl, PasswordsAreRedacted) {
  EXPECT_EQ(redact_url("postgresql://ci:s3cret@db.example:5432/history"),
            "postgresql://ci:***@db.example:5432/history");
  EXPECT_EQ(redact_url("postgres://ci:p%40ss@host/db?sslmode=require"),
            "postgres://ci:***@host/db?sslmode=require");
  EXPECT_EQ(redact_url("postgresql://host/db?user=ci&password=s3cret&sslmode=require"),
            "postgresql://host/db?user=ci&password=***&sslmode=require");
  EXPECT_EQ(redact_url("postgresql://ci@host/db"), "postgresql://ci@host/db");
  EXPECT_EQ(redact_url("postgresql:///db"), "postgresql:///db");
}

TEST(SqlUrl, ConnectionErrorsHideThePassword) {
  // Port 1 on localhost: nothing listens there.
  auto db = Database::connect("postgresql://ci:s3cret-pw@127.0.0.1:1/history", 1000);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().message.find("s3cret-pw"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("postgresql://ci:***@127.0.0.1:1/history"), std::string::npos)
      << db.error().message;
  EXPECT_FALSE(db.error().hint.empty());
}

class OpenStoreTest : public test_support::TempDirTest {};

TEST_F(OpenStoreTest, UnknownDatabaseSchemesAreRefusedWithoutThePassword) {
  auto store = open_store("mysql://root:hunter2@localhost/history", dir());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().message.find("hunter2"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("mysql://root:***@localhost/history"), std::string::npos);
  EXPECT_NE(store.error().hint.find("postgresql://"), std::string::npos);
  auto unreachable = open_store("postgresql://ci:hunter2@127.0.0.1:1/history", dir());
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().message.find("hunter2"), std::string::npos);
}

TEST_F(OpenStoreTest, SqliteTakesADefaultOrAPath) {
  for (std::string database : {"", "sqlite:"}) {
    auto store = open_store(database, dir());
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->begin_run({"ci.yml", "CI", "push", "r", "s", TimePoint()}));
  }
  EXPECT_TRUE(std::filesystem::exists(path("history.db")));
  auto elsewhere = open_store("sqlite:" + path("other.db"), path("data"));
  ASSERT_TRUE(elsewhere) << elsewhere.error().message;
  EXPECT_EQ(*(*elsewhere)->next_run_number("ci.yml"), 1);  // not the runs of history.db
  EXPECT_TRUE(std::filesystem::exists(path("other.db")));
  EXPECT_EQ((*elsewhere)->data_dir(), path("data"));
  auto first = open_sqlite_store(dir());
  ASSERT_TRUE(first);
  EXPECT_EQ(*(*first)->next_run_number("ci.yml"), 3);
}

}  // namespace
}  // namespace pipewright::store::sql
