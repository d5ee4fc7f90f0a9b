// The connection side of a SQL backend (internal to store/sql*.cc): what sql::Database
// forwards to. sqlite_backend.cc and postgres_backend.cc implement it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipewright/store/sql.h"

namespace pipewright::store::sql::detail {

class DatabaseImpl {
 public:
  virtual ~DatabaseImpl() = default;
  virtual Backend backend() const = 0;
  virtual util::Expected<void> exec(std::string_view sql) = 0;
  // nullptr for SQL with no statement (whitespace, a comment).
  virtual util::Expected<std::unique_ptr<StatementImpl>> prepare(std::string_view sql) = 0;
  virtual util::Expected<int64_t> pragma_integer(std::string_view name) = 0;
  virtual util::Expected<int64_t> schema_version() = 0;
  virtual util::Expected<void> set_schema_version(int64_t version) = 0;
  // Runs schema SQL written in SQLite's dialect (schema.h).
  virtual util::Expected<void> exec_schema(std::string_view sql) = 0;
  virtual util::Expected<std::vector<std::string>> table_names() = 0;
  virtual int64_t last_insert_rowid() = 0;
  virtual int changes() const = 0;
  virtual util::Expected<void> begin() = 0;
  virtual util::Expected<void> commit() = 0;
  virtual void rollback() = 0;
};

util::Expected<std::unique_ptr<DatabaseImpl>> open_sqlite(const std::string& path,
                                                          int busy_timeout_ms);
util::Expected<std::unique_ptr<DatabaseImpl>> connect_postgres(const std::string& url,
                                                               int lock_timeout_ms);

}  // namespace pipewright::store::sql::detail
