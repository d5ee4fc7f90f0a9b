// SQLite behind sql::Database: one connection, prepared statements cached by SQL text
// (a step of a run prepares the same few statements each time).
#include <chrono>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <sqlite3.h>

#include "pipewright/store/sql_backend.h"
#include "pipewright/util/utf8.h"

namespace pipewright::store::sql::detail {

namespace {

using StatementCache = std::unordered_map<std::string, std::vector<sqlite3_stmt*>>;

util::Error error_of(sqlite3* db, std::string_view what) {
  return util::Error{fmt::format("history database: {}: {}", what, sqlite3_errmsg(db)), {}, {}};
}

class SqliteStatement final : public StatementImpl {
 public:
  // The statement goes back to `cache` under `key` (reset) instead of being finalized.
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db, StatementCache* cache, std::string key)
      : m_stmt(stmt), m_db(db), m_cache(cache), m_key(std::move(key)) {}
  ~SqliteStatement() override {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    (*m_cache)[std::move(m_key)].push_back(m_stmt);
  }

  void bind_integer(int index, int64_t value) override { sqlite3_bind_int64(m_stmt, index, value); }

  void bind_text(int index, std::string_view value) override {
    // A default-constructed view has no data pointer, which SQLite would bind as NULL.
    if (!value.data()) value = "";
    // TEXT is UTF-8 by contract: bytes a step printed that are not (an overlong, a code
    // point past U+10FFFF) are stored as U+FFFD, so readers never meet invalid text.
    if (util::find_invalid_utf8(value)) {
      std::string valid = util::to_valid_utf8(value);
      sqlite3_bind_text64(m_stmt, index, valid.data(), valid.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      return;
    }
    sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }

  void bind_blob(int index, std::string_view bytes) override {
    // A null data pointer would bind NULL, so an empty blob is bound explicitly.
    if (bytes.empty())
      sqlite3_bind_zeroblob(m_stmt, index, 0);
    else
      sqlite3_bind_blob64(m_stmt, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  }

  void bind_null(int index) override { sqlite3_bind_null(m_stmt, index); }

  util::Expected<bool> step() override {
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return std::unexpected(error_of(m_db, sqlite3_sql(m_stmt)));
  }

  int64_t integer(int column) const override { return sqlite3_column_int64(m_stmt, column); }

  std::string text(int column) const override {
    const unsigned char* data = sqlite3_column_text(m_stmt, column);
    if (!data) return {};
    return std::string(reinterpret_cast<const char*>(data),
                       static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)));
  }

  bool is_null(int column) const override {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
  }

  std::optional<std::string> blob(int column) const override {
    const void* data = sqlite3_column_blob(m_stmt, column);
    if (!data) return std::string();  // a zero-length blob
    return std::string(static_cast<const char*>(data),
                       static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)));
  }

 private:
  sqlite3_stmt* m_stmt;
  sqlite3* m_db;
  StatementCache* m_cache;
  std::string m_key;
};

class SqliteDatabase final : public DatabaseImpl {
 public:
  explicit SqliteDatabase(sqlite3* db) : m_db(db) {}
  ~SqliteDatabase() override {
    for (auto& [sql, statements] : m_cache)
      for (sqlite3_stmt* stmt : statements)
        sqlite3_finalize(stmt);
    sqlite3_close_v2(m_db);
  }

  Backend backend() const override { return Backend::sqlite; }

  util::Expected<void> exec(std::string_view sql) override {
    std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string detail = message ? message : sqlite3_errmsg(m_db);
      sqlite3_free(message);
      return util::fail(fmt::format("history database: {}", detail));
    }
    return {};
  }

  util::Expected<std::unique_ptr<StatementImpl>> prepare(std::string_view sql) override {
    std::string key(sql);
    if (auto it = m_cache.find(key); it != m_cache.end() && !it->second.empty()) {
      sqlite3_stmt* stmt = it->second.back();
      it->second.pop_back();
      return std::make_unique<SqliteStatement>(stmt, m_db, &m_cache, std::move(key));
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK)
      return std::unexpected(error_of(m_db, sql));
    if (!stmt) return nullptr;  // only whitespace or a comment
    return std::make_unique<SqliteStatement>(stmt, m_db, &m_cache, std::move(key));
  }

  util::Expected<int64_t> pragma_integer(std::string_view name) override {
    PW_TRY(stmt, prepare(fmt::format("PRAGMA {}", name)));
    PW_TRY(row, stmt->step());
    if (!row) return util::fail(fmt::format("history database: PRAGMA {} returned nothing", name));
    return stmt->integer(0);
  }

  util::Expected<int64_t> schema_version() override { return pragma_integer("user_version"); }

  util::Expected<void> set_schema_version(int64_t version) override {
    return exec(fmt::format("PRAGMA user_version = {}", version));
  }

  util::Expected<void> exec_schema(std::string_view sql) override { return exec(sql); }

  util::Expected<std::vector<std::string>> table_names() override {
    PW_TRY(query, prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                          "LIKE 'sqlite_%' ORDER BY name"));
    std::vector<std::string> names;
    for (;;) {
      PW_TRY(row, query->step());
      if (!row) return names;
      names.push_back(query->text(0));
    }
  }

  int64_t last_insert_rowid() override { return sqlite3_last_insert_rowid(m_db); }
  int changes() const override { return sqlite3_changes(m_db); }

  util::Expected<void> begin() override { return exec("BEGIN IMMEDIATE"); }
  util::Expected<void> commit() override { return exec("COMMIT"); }
  void rollback() override { (void)exec("ROLLBACK"); }

 private:
  sqlite3* m_db;
  StatementCache m_cache;  // statements not in use, by SQL text
};

}  // namespace

util::Expected<std::unique_ptr<DatabaseImpl>> open_sqlite(const std::string& path,
                                                          int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto db = std::make_unique<SqliteDatabase>(raw);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return util::fail(fmt::format("cannot open history database {}: {}", path, message));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  // Switching a new database to WAL takes an exclusive lock, and SQLite answers "locked"
  // at once, without the busy timeout, when another process is switching it too: the
  // first runs on a fresh data dir. Try again until the timeout; once in WAL mode (it
  // persists) this is a no-op.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    PW_TRY(mode_stmt, db->prepare("PRAGMA journal_mode=WAL"));
    auto has_row = mode_stmt->step();
    if (has_row && *has_row && mode_stmt->text(0) == "wal") break;
    bool busy = !has_row && (sqlite3_extended_errcode(raw) & 0xff) == SQLITE_BUSY;
    if (!busy || std::chrono::steady_clock::now() >= give_up) {
      if (!has_row) return std::unexpected(has_row.error());
      return util::fail(fmt::format("cannot switch history database {} to WAL mode", path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  PW_TRY_VOID(db->exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return std::unique_ptr<DatabaseImpl>(std::move(db));
}

}  // namespace pipewright::store::sql::detail
