// The history database schema: a table of forward-only migrations; the database's
// `PRAGMA user_version` is the number of migrations applied (STYLE.md rule 12).
#pragma once

#include <cstdint>

#include "pipewright/store/sqlite.h"
#include "pipewright/util/error.h"

namespace pipewright::store {

// The schema version this build writes.
int64_t latest_schema_version();

// Applies the migrations after the database's version, up to `target` (default: the
// latest), each in its own IMMEDIATE transaction so two processes opening a new
// database at once migrate it once. Fails when the database is newer than this build.
util::Expected<void> migrate(sql::Database& db, int64_t target = -1);

}  // namespace pipewright::store
