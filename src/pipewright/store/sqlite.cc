#include "pipewright/store/sqlite.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <sqlite3.h>

#include "pipewright/util/utf8.h"

namespace pipewright::store::sql {

namespace {
util::Error error_of(sqlite3* db, std::string_view what) {
  return util::Error{fmt::format("history database: {}: {}", what, sqlite3_errmsg(db)), {}, {}};
}
}  // namespace

Statement::~Statement() {
  if (!m_stmt) return;
  if (!m_cache) {
    sqlite3_finalize(m_stmt);
    return;
  }
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
  (*m_cache)[std::move(m_key)].push_back(m_stmt);
}

void Statement::bind_one(int index, int64_t value) {
  sqlite3_bind_int64(m_stmt, index, value);
}

void Statement::bind_one(int index, std::string_view value) {
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

void Statement::bind_one(int index, Blob value) {
  // A null data pointer would bind NULL, so an empty blob is bound explicitly.
  if (value.bytes.empty())
    sqlite3_bind_zeroblob(m_stmt, index, 0);
  else
    sqlite3_bind_blob64(m_stmt, index, value.bytes.data(), value.bytes.size(), SQLITE_TRANSIENT);
}

void Statement::bind_one(int index, std::nullopt_t) {
  sqlite3_bind_null(m_stmt, index);
}

util::Expected<bool> Statement::step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(error_of(m_db, sqlite3_sql(m_stmt)));
}

util::Expected<void> Statement::run() {
  for (;;) {
    PW_TRY(row, step());
    if (!row) return {};
  }
}

int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(m_stmt, column);
}

std::string Statement::text(int column) const {
  const unsigned char* data = sqlite3_column_text(m_stmt, column);
  if (!data) return {};
  return std::string(reinterpret_cast<const char*>(data),
                     static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)));
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::optional<int64_t> Statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

std::optional<std::string> Statement::optional_blob(int column) const {
  if (is_null(column)) return std::nullopt;
  const void* data = sqlite3_column_blob(m_stmt, column);
  if (!data) return std::string();  // a zero-length blob
  return std::string(static_cast<const char*>(data),
                     static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)));
}

util::Expected<Database> Database::open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
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
    PW_TRY(mode_stmt, db.prepare("PRAGMA journal_mode=WAL"));
    auto has_row = mode_stmt.step();
    if (has_row && *has_row && mode_stmt.text(0) == "wal") break;
    bool busy = !has_row && (sqlite3_extended_errcode(raw) & 0xff) == SQLITE_BUSY;
    if (!busy || std::chrono::steady_clock::now() >= give_up) {
      if (!has_row) return std::unexpected(has_row.error());
      return util::fail(fmt::format("cannot switch history database {} to WAL mode", path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  PW_TRY_VOID(db.exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return db;
}

Database::~Database() {
  if (m_cache) {
    for (auto& [sql, statements] : *m_cache)
      for (sqlite3_stmt* stmt : statements)
        sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(m_db);
}

util::Expected<void> Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = message ? message : sqlite3_errmsg(m_db);
    sqlite3_free(message);
    return util::fail(fmt::format("history database: {}", detail));
  }
  return {};
}

util::Expected<Statement> Database::prepare(std::string_view sql) {
  std::string key(sql);
  if (auto it = m_cache->find(key); it != m_cache->end() && !it->second.empty()) {
    sqlite3_stmt* stmt = it->second.back();
    it->second.pop_back();
    return Statement(stmt, m_db, m_cache.get(), std::move(key));
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK)
    return std::unexpected(error_of(m_db, sql));
  if (!stmt) return Statement(stmt, m_db);  // only whitespace or a comment
  return Statement(stmt, m_db, m_cache.get(), std::move(key));
}

util::Expected<int64_t> Database::pragma_integer(std::string_view name) {
  PW_TRY(stmt, prepare(fmt::format("PRAGMA {}", name)));
  PW_TRY(row, stmt.step());
  if (!row) return util::fail(fmt::format("history database: PRAGMA {} returned nothing", name));
  return stmt.integer(0);
}

int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const {
  return sqlite3_changes(m_db);
}

util::Expected<Transaction> Transaction::begin(Database& db) {
  PW_TRY_VOID(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (m_db) (void)m_db->exec("ROLLBACK");
}

util::Expected<void> Transaction::commit() {
  PW_TRY_VOID(m_db->exec("COMMIT"));
  m_db = nullptr;
  return {};
}

}  // namespace pipewright::store::sql
