// A thin owner of SQLite handles (internal to store/): one Database per connection,
// Statements with typed binds and columns, errors as util::Error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pipewright/util/error.h"

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

namespace pipewright::store::sql {

// Prepared statements not in use, by SQL text, for the next prepare() of the same
// text (a step of a run prepares the same few statements each time).
using StatementCache = std::unordered_map<std::string, std::vector<sqlite3_stmt*>>;

// Bytes bound as a BLOB rather than TEXT (no UTF-8 meaning; may hold zeros).
struct Blob {
  std::string_view bytes;
};

class Statement {
 public:
  // With `cache`, the statement goes back there under `key` (reset) instead of
  // being finalized.
  Statement(sqlite3_stmt* stmt, sqlite3* db, StatementCache* cache = nullptr, std::string key = {})
      : m_stmt(stmt), m_db(db), m_cache(cache), m_key(std::move(key)) {}
  Statement(Statement&& other) noexcept
      : m_stmt(std::exchange(other.m_stmt, nullptr)),
        m_db(other.m_db),
        m_cache(other.m_cache),
        m_key(std::move(other.m_key)) {}
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Binds parameters 1..n in order (integers, text, Blob, nullopt for NULL).
  template <class... Args>
  Statement& bind(Args&&... args) {
    int index = 0;
    (bind_one(++index, std::forward<Args>(args)), ...);
    return *this;
  }
  // Binds parameter `index` (1-based) alone, for a statement whose parameters vary in
  // number (a filter built from the fields set).
  template <class T>
  Statement& bind_at(int index, T&& value) {
    bind_one(index, std::forward<T>(value));
    return *this;
  }
  // Advances: true with a row to read, false when done.
  util::Expected<bool> step();
  // Steps to the end (for statements that return no rows).
  util::Expected<void> run();

  int64_t integer(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;
  std::optional<int64_t> optional_integer(int column) const;
  // A BLOB column; nullopt for NULL (an empty blob is an empty string).
  std::optional<std::string> optional_blob(int column) const;

 private:
  void bind_one(int index, int64_t value);
  void bind_one(int index, int value) { bind_one(index, static_cast<int64_t>(value)); }
  void bind_one(int index, std::string_view value);
  void bind_one(int index, const std::string& value) { bind_one(index, std::string_view(value)); }
  void bind_one(int index, const char* value) { bind_one(index, std::string_view(value)); }
  void bind_one(int index, Blob value);
  void bind_one(int index, std::nullopt_t);
  template <class T>
  void bind_one(int index, const std::optional<T>& value) {
    if (value)
      bind_one(index, *value);
    else
      bind_one(index, std::nullopt);
  }

  sqlite3_stmt* m_stmt;
  sqlite3* m_db;
  StatementCache* m_cache;
  std::string m_key;
};

// One connection. Not thread-safe: callers serialize (SqliteStore holds a mutex).
class Database {
 public:
  // Opens (creating) `path` in WAL mode with a busy timeout and foreign keys on.
  static util::Expected<Database> open(const std::string& path, int busy_timeout_ms);
  Database(Database&& other) noexcept
      : m_db(std::exchange(other.m_db, nullptr)), m_cache(std::move(other.m_cache)) {}
  Database& operator=(Database&&) = delete;
  ~Database();

  // Runs one or more statements that return nothing.
  util::Expected<void> exec(std::string_view sql);
  // A statement for `sql`, reused from an earlier prepare() of the same text when
  // one is free (reset, bindings cleared).
  util::Expected<Statement> prepare(std::string_view sql);
  // An integer pragma such as user_version.
  util::Expected<int64_t> pragma_integer(std::string_view name);
  int64_t last_insert_rowid() const;
  int changes() const;

 private:
  explicit Database(sqlite3* db) : m_db(db), m_cache(std::make_unique<StatementCache>()) {}
  sqlite3* m_db;
  std::unique_ptr<StatementCache> m_cache;  // stable address for the Statements
};

// BEGIN IMMEDIATE (takes the write lock at once, waiting up to the busy timeout);
// rolls back unless commit() succeeded.
class Transaction {
 public:
  static util::Expected<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  util::Expected<void> commit();

 private:
  explicit Transaction(Database* db) : m_db(db) {}
  Database* m_db;
};

}  // namespace pipewright::store::sql
