// Kept for code that includes it: the SQL facade is store/sql.h (SQLite and PostgreSQL).
#pragma once

#include "pipewright/store/sql.h"
