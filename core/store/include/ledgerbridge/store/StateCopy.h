// Moving a state from the embedded SQLite database into PostgreSQL (`ledgerbridge state copy`):
// every table, in one PostgreSQL transaction, verified before it commits.
//
// - Tables and columns are read from both databases (sqlite_master / information_schema), not
//   listed here: a table a future migration adds is copied without a change to this file. A
//   table or column one side has and the other lacks, or a PostgreSQL column type this copy does
//   not know how to carry, stops the copy naming it.
// - The target is migrated to the source's schema version first; a target holding any row, any
//   table of its own, or another schema version is refused before anything is written.
// - The source is held in a SQLite write transaction for the whole copy (no run can write to
//   it meanwhile), and a copy is refused while a live lease says a `run` or `serve` is working.
// - Every row goes in through one PostgreSQL transaction; identity sequences are moved past the
//   copied ids; then row counts and an order-independent checksum per table are computed on both
//   sides and compared, and only then does the transaction commit. An error, a mismatch or the
//   process being killed leaves the target's tables empty (the migrated schema stays; a retry
//   accepts it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

/// One table as copied and verified: its row count and checksum, equal on both sides.
struct CopiedTable {
    std::string name;
    std::int64_t rows = 0;
    std::string checksum;  ///< 32 hex digits: the sum of every row's SHA-256 (first 128 bits)
};

struct StateCopyReport {
    int schemaVersion = 0;
    std::vector<CopiedTable> tables;  ///< in name order
    std::int64_t rows = 0;            ///< over all tables
};

/// Where the copy is, after each batch of rows: for a progress line.
struct StateCopyProgress {
    const std::string& table;
    std::int64_t rowsDone;   ///< over all tables so far
    std::int64_t rowsTotal;  ///< over all tables
};

struct StateCopyOptions {
    std::function<void(const StateCopyProgress&)> onProgress;  ///< called after every batch
    int busyTimeoutMs = 10000;
};

/// Copies the SQLite state `source` into the PostgreSQL database at `target` (see above).
/// Throws ConfigError when the target is not empty or holds another schema version (nothing
/// written), LockBusyError when a run or service holds a lease on the source, StoreError when a
/// value cannot be carried, the server fails, or verification finds a difference (naming the
/// table). `source` must be a SQLite store.
StateCopyReport copySqliteToPostgres(StateStore& source, const PostgresLocation& target,
                                     const StateCopyOptions& options = {});

}  // namespace ledgerbridge::store
