#include "pipewright/store/sql.h"

#include "pipewright/store/sql_backend.h"

namespace pipewright::store::sql {

Statement::~Statement() = default;

void Statement::bind_one(int index, int64_t value) {
  if (m_impl) m_impl->bind_integer(index, value);
}
void Statement::bind_one(int index, std::string_view value) {
  if (m_impl) m_impl->bind_text(index, value);
}
void Statement::bind_one(int index, Blob value) {
  if (m_impl) m_impl->bind_blob(index, value.bytes);
}
void Statement::bind_one(int index, std::nullopt_t) {
  if (m_impl) m_impl->bind_null(index);
}

util::Expected<bool> Statement::step() {
  if (!m_impl) return false;
  return m_impl->step();
}

util::Expected<void> Statement::run() {
  for (;;) {
    PW_TRY(row, step());
    if (!row) return {};
  }
}

int64_t Statement::integer(int column) const {
  return m_impl ? m_impl->integer(column) : 0;
}
std::string Statement::text(int column) const {
  return m_impl ? m_impl->text(column) : std::string();
}
bool Statement::is_null(int column) const {
  return !m_impl || m_impl->is_null(column);
}
std::optional<int64_t> Statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}
std::optional<std::string> Statement::optional_blob(int column) const {
  if (is_null(column)) return std::nullopt;
  return m_impl->blob(column);
}

Database::Database(std::unique_ptr<detail::DatabaseImpl> impl) : m_impl(std::move(impl)) {}
Database::Database(Database&& other) noexcept = default;
Database::~Database() = default;

util::Expected<Database> Database::open(const std::string& path, int busy_timeout_ms) {
  PW_TRY(impl, detail::open_sqlite(path, busy_timeout_ms));
  return Database(std::move(impl));
}

util::Expected<Database> Database::connect(const std::string& url, int lock_timeout_ms) {
  PW_TRY(impl, detail::connect_postgres(url, lock_timeout_ms));
  return Database(std::move(impl));
}

Backend Database::backend() const {
  return m_impl->backend();
}
util::Expected<void> Database::exec(std::string_view sql) {
  return m_impl->exec(sql);
}
util::Expected<Statement> Database::prepare(std::string_view sql) {
  PW_TRY(impl, m_impl->prepare(sql));
  return Statement(std::move(impl));
}
util::Expected<int64_t> Database::pragma_integer(std::string_view name) {
  return m_impl->pragma_integer(name);
}
util::Expected<int64_t> Database::schema_version() {
  return m_impl->schema_version();
}
util::Expected<void> Database::set_schema_version(int64_t version) {
  return m_impl->set_schema_version(version);
}
util::Expected<void> Database::exec_schema(std::string_view sql) {
  return m_impl->exec_schema(sql);
}
util::Expected<std::vector<std::string>> Database::table_names() {
  return m_impl->table_names();
}
int64_t Database::last_insert_rowid() {
  return m_impl->last_insert_rowid();
}
int Database::changes() const {
  return m_impl->changes();
}

util::Expected<Transaction> Transaction::begin(Database& db) {
  PW_TRY_VOID(db.m_impl->begin());
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (m_db) m_db->m_impl->rollback();
}

util::Expected<void> Transaction::commit() {
  PW_TRY_VOID(m_db->m_impl->commit());  // on failure the destructor rolls back
  m_db = nullptr;
  return {};
}

std::string redact_url(std::string_view url) {
  // A password=... query parameter (libpq accepts one) is hidden too.
  std::string text(url);
  for (size_t at = text.find("password="); at != std::string::npos;
       at = text.find("password=", at + 1)) {
    if (at == 0 || (text[at - 1] != '?' && text[at - 1] != '&')) continue;
    size_t end = text.find('&', at);
    text.replace(at + 9, end == std::string::npos ? std::string::npos : end - at - 9, "***");
  }
  url = text;
  // scheme://user:password@host...: the password is between the first ':' after the
  // scheme and the last '@' before the path.
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t start = scheme + 3;
  size_t path = url.find_first_of("/?", start);
  std::string_view authority =
      url.substr(start, path == std::string_view::npos ? path : path - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, start + colon + 1));
  out += "***";
  out += url.substr(start + at);
  return out;
}

}  // namespace pipewright::store::sql
