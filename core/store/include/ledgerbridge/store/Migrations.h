// Forward-only schema migrations. Each migration has a number, a description and SQL; the
// table `schema_version` records every one applied. Migrations are appended, never edited.
// Both backends run the same numbered list, written once in SQLite's words; forPostgres() gives
// PostgreSQL's (BIGINT for SQLite's 64-bit INTEGER, BYTEA for BLOB, ...).
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/store/Session.h"

namespace ledgerbridge::store {

struct Migration {
    int version;
    const char* description;
    const char* sql;
    /// Run after `sql` on PostgreSQL only: what SQLite has without asking (a `rowid`).
    const char* postgresExtra = nullptr;

    std::string sqlFor(Dialect d) const;
};

/// SQLite DDL in PostgreSQL's words: `INTEGER PRIMARY KEY` becomes an identity column (it is
/// SQLite's rowid, which numbers rows by itself), other INTEGERs BIGINT (SQLite's are 64-bit),
/// BLOB BYTEA, and a column named `user` (reserved in PostgreSQL) "user".
std::string forPostgres(const std::string& sqliteSql);

/// Every migration this build knows, in order (version 1, 2, ...).
const std::vector<Migration>& migrations();

/// The newest schema version this build knows.
int latestSchemaVersion();

/// The version recorded in `db` (0 for an empty database).
int currentSchemaVersion(Session& db);

/// Applies the migrations after the current version up to `target` (default: latest), each in
/// its own write transaction (so processes opening a new database together apply each once). Throws StoreError when the database is newer than `target` allows
/// ("created by a newer ledgerbridge") or a migration fails (naming it).
void migrate(Session& db, int target = -1);

}  // namespace ledgerbridge::store
