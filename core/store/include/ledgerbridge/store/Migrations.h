// Forward-only schema migrations. Each migration has a number, a description and SQL; the
// table `schema_version` records every one applied. Migrations are appended, never edited.
#pragma once

#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace ledgerbridge::store {

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

/// Every migration this build knows, in order (version 1, 2, ...).
const std::vector<Migration>& migrations();

/// The newest schema version this build knows.
int latestSchemaVersion();

/// The version recorded in `db` (0 for an empty database).
int currentSchemaVersion(SQLite::Database& db);

/// Applies the migrations after the current version up to `target` (default: latest), each in
/// its own transaction. Throws StoreError when the database is newer than `target` allows
/// ("created by a newer ledgerbridge") or a migration fails (naming it).
void migrate(SQLite::Database& db, int target = -1);

}  // namespace ledgerbridge::store
