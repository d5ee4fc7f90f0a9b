// A backend-neutral SQL connection (internal to store/): one Database per connection,
// Statements with typed binds and columns, errors as util::Error. The same SQL runs on
// SQLite (the embedded default) and PostgreSQL (libpq):
// - placeholders are `?`; the PostgreSQL backend numbers them ($1, $2, ...), skipping
//   quoted text and comments;
// - new ids come back with `INSERT ... RETURNING id` (SQLite >= 3.35 has it);
//   last_insert_rowid() also works on both (lastval() on PostgreSQL);
// - integers are bound as 64-bit (BIGINT on PostgreSQL: a function that takes a
//   32-bit int needs CAST(? AS INTEGER)); a boolean reads back as integer() 1 or 0;
// - Transaction::begin takes the database's write lock at once on both (BEGIN
//   IMMEDIATE; on PostgreSQL a transaction-scoped advisory lock), so read-then-write
//   code such as the next run_number stays correct with several processes;
// - TEXT is valid UTF-8; PostgreSQL cannot store NUL in text, so a NUL in bound text
//   is stored as U+FFFD there (BLOBs keep every byte on both).
// Schema SQL (migrations) is written once in SQLite's dialect; schema.h says how the
// PostgreSQL backend translates it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipewright/util/error.h"

namespace pipewright::store::sql {

enum class Backend { sqlite, postgres };

// Bytes bound as a BLOB (BYTEA) rather than TEXT (no UTF-8 meaning; may hold zeros).
struct Blob {
  std::string_view bytes;
};

namespace detail {
// What a backend implements (sqlite_backend.cc, postgres_backend.cc).
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void bind_integer(int index, int64_t value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_blob(int index, std::string_view bytes) = 0;
  virtual void bind_null(int index) = 0;
  virtual util::Expected<bool> step() = 0;
  virtual int64_t integer(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual bool is_null(int column) const = 0;
  virtual std::optional<std::string> blob(int column) const = 0;
};
class DatabaseImpl;
}  // namespace detail

class Statement {
 public:
  explicit Statement(std::unique_ptr<detail::StatementImpl> impl) : m_impl(std::move(impl)) {}
  Statement(Statement&& other) noexcept = default;
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

  std::unique_ptr<detail::StatementImpl> m_impl;  // null for an empty statement
};

// One connection. Not thread-safe: callers serialize (the store holds a mutex).
class Database {
 public:
  // SQLite: opens (creating) `path` in WAL mode with a busy timeout and foreign keys on.
  static util::Expected<Database> open(const std::string& path, int busy_timeout_ms);
  // PostgreSQL: connects to `url` (postgresql://user:password@host:port/db?...), waiting
  // for locks up to `lock_timeout_ms`. Errors name the URL without its password.
  static util::Expected<Database> connect(const std::string& url, int lock_timeout_ms);
  Database(Database&& other) noexcept;
  Database& operator=(Database&&) = delete;
  ~Database();

  Backend backend() const;
  // Runs one or more statements that return nothing (no parameters).
  util::Expected<void> exec(std::string_view sql);
  // A statement for `sql` (`?` placeholders). On SQLite it is reused from an earlier
  // prepare() of the same text when one is free (reset, bindings cleared).
  util::Expected<Statement> prepare(std::string_view sql);
  // An integer pragma such as user_version (SQLite only; fails on PostgreSQL).
  util::Expected<int64_t> pragma_integer(std::string_view name);
  // The number of migrations applied (schema.h): SQLite's user_version, a one-row
  // table pw_schema_version on PostgreSQL (0 when missing).
  util::Expected<int64_t> schema_version();
  // Sets it; call inside a Transaction.
  util::Expected<void> set_schema_version(int64_t version);
  // Runs schema SQL written in SQLite's dialect, translated for this backend (schema.h).
  util::Expected<void> exec_schema(std::string_view sql);
  // The names of the tables, sorted (schema bookkeeping tables excluded).
  util::Expected<std::vector<std::string>> table_names();
  // The id of the last row inserted by this connection (prefer INSERT ... RETURNING id).
  int64_t last_insert_rowid();
  // The rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

 private:
  friend class Transaction;
  explicit Database(std::unique_ptr<detail::DatabaseImpl> impl);
  std::unique_ptr<detail::DatabaseImpl> m_impl;
};

// Takes the database's write lock at once (waiting up to the busy/lock timeout): BEGIN
// IMMEDIATE on SQLite, BEGIN plus a transaction-scoped advisory lock on PostgreSQL.
// Rolls back unless commit() succeeded.
class Transaction {
 public:
  static util::Expected<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  // Fails when the transaction could not commit (on PostgreSQL also when an earlier
  // statement failed inside it: it was rolled back).
  util::Expected<void> commit();

 private:
  explicit Transaction(Database* db) : m_db(db) {}
  Database* m_db;
};

// `url` with its password replaced by "***" (for messages).
std::string redact_url(std::string_view url);

}  // namespace pipewright::store::sql
