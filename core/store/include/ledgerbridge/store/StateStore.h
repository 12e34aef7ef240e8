// The one state store of a ledgerbridge installation. Two backends behind one Session
// (Session.h): a SQLite database (SQLiteCpp; the embedded default) in WAL mode with a busy
// timeout, created 0600 inside a 0700 state directory; or a PostgreSQL database ([state] url,
// PostgresSession.h) that several machines share. Either is migrated forward to the schema this
// build knows. No SQL lives outside this module: the rest of the host talks to it through the
// narrow repositories (grants, leases, runs, plugin state, plugin health, export ledger).
//
// Thread safety: one StateStore may be shared by threads; each repository call takes the
// store's mutex. Several processes may open the same database; SQLite's locking (WAL, busy
// timeout, BEGIN IMMEDIATE for read-modify-write) or PostgreSQL's (a write lock per
// transaction, see PostgresSession.h) keeps them consistent.
//
// Group commit (SQLite): a transaction commits into the WAL under the mutex and is fsynced after the
// mutex is released, by one fdatasync that covers every commit made before it started. A
// thread returns from transaction() only once its own commit is synced (PowerLoss), so the
// guarantee per commit is unchanged; concurrent runs share the fsyncs instead of queueing for
// the mutex behind each other's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ledgerbridge/store/Session.h"

namespace SQLite {
class Database;
}

namespace ledgerbridge::store {

/// A statement the store prepared once and keeps (see StateStore::cached). When the guard goes
/// out of scope the statement is reset and its bindings cleared, so a half-read SELECT never
/// keeps a read transaction open and no value leaks into the next use.
class CachedStatement {
public:
    explicit CachedStatement(Statement& s) : s_(s) {}
    ~CachedStatement();
    CachedStatement(const CachedStatement&) = delete;
    CachedStatement& operator=(const CachedStatement&) = delete;
    Statement& operator*() const { return s_; }
    Statement* operator->() const { return &s_; }

private:
    Statement& s_;
};

/// Milliseconds since the Unix epoch; every timestamp in the store uses it.
std::int64_t nowMs();

/// A new history row id: "<prefix>-<nowMs>-<4 random hex digits>" ("run-…", "sync-…").
std::string newRowId(const char* prefix, std::int64_t now);

/// Where a PostgreSQL state database is: a libpq URL without password, and the password
/// (resolved from the [state] password secret reference; empty when the server needs none).
struct PostgresLocation {
    std::string url;
    std::string password;
};

class StateStore {
public:
    /// Opens (creating when absent) `<stateDir>/ledgerbridge.db`. Creates `stateDir` with mode
    /// 0700 if needed, the file with 0600, sets WAL and the busy timeout, and migrates to the
    /// latest schema. Throws IoError when the directory cannot be created or written (naming it),
    /// StoreError when the file is not a database or its schema is newer than this build.
    explicit StateStore(const std::string& stateDir, int busyTimeoutMs = 10000);
    /// Connects to the PostgreSQL database at `pg` and migrates it; `stateDir` (created as
    /// above) keeps only this machine's files (plugin fault reports). Throws ConfigError for a
    /// bad URL, StoreError when the server cannot be reached or refuses (never naming the password).
    StateStore(const std::string& stateDir, const PostgresLocation& pg, int busyTimeoutMs = 10000);
    ~StateStore();
    StateStore(const StateStore&) = delete;
    StateStore& operator=(const StateStore&) = delete;

    /// The database file, or the PostgreSQL URL without password: for messages.
    const std::string& path() const { return path_; }
    /// The local state directory (always on this machine, whatever the backend).
    const std::string& stateDir() const { return stateDir_; }
    Dialect dialect() const { return session_->dialect(); }
    int schemaVersion();

    /// Checks the database with SQLite's `PRAGMA integrity_check` (every page and b-tree, and
    /// that every index matches its table; about 0.5 s per 100,000 ledger entries on the
    /// development machine). `run` and `serve` call it once after opening. Throws StoreError naming the file, the first
    /// problems SQLite found and how to recover; returns how long the check took.
    /// On PostgreSQL it checks nothing and returns 0: the server owns its storage (its
    /// checksums, amcheck, backups), and a client-side scan of a shared database at every start
    /// of every replica would cost the whole fleet; the staged items' SHA-256 still applies.
    std::chrono::milliseconds checkIntegrity();

    /// How durable a commit must be. PowerLoss (the default): fsynced before commit returns.
    /// ProcessCrash: in the WAL, not fsynced: it survives the process being killed (the kernel
    /// holds the write) but perhaps not a power cut; for bookkeeping that is only a hint, such as
    /// "a plugin call is running", written twice per plugin call.
    using Durability = Session::Durability;

    /// Runs `work` with the store's mutex held inside a write transaction (SQLite: BEGIN
    /// IMMEDIATE; PostgreSQL: BEGIN and the write lock) ... COMMIT; a throw rolls
    /// back and rethrows. SQLite failures become StoreError saying what failed: "state store:
    /// disk full", "state store: the database file is damaged", an I/O error, busy. Repositories use it; it is public for the repositories' tests.
    /// A PowerLoss transaction returns after its commit is fsynced (possibly by another thread's
    /// fsync that began after it committed: group commit); the mutex is not held meanwhile.
    void transaction(const std::function<void(Session&)>& work, Durability durability = Durability::PowerLoss);
    /// Runs `work` with the mutex held, outside an explicit transaction (reads, single writes).
    void read(const std::function<void(Session&)>& work);

    /// The statement for `sql`, prepared on first use and kept: preparing costs more than running
    /// a small indexed query, and the export ledger runs a few per entry. Call only inside
    /// transaction() or read() (the mutex must be held); use the guard within that call.
    CachedStatement cached(const std::string& sql);

    /// Transactions committed by this StateStore, and how many of them are known to be fsynced
    /// (a PowerLoss transaction has returned only once the second reaches its number); the
    /// WAL fsyncs done for them. For tests and the service benchmark.
    std::uint64_t commits() const { return committed_.load(); }
    std::uint64_t syncedCommits() const { return synced_.load(); }
    std::uint64_t walSyncs() const { return walSyncs_.load(); }

private:
    void syncCommitted(std::uint64_t commit);
    void syncWal();

    std::string stateDir_, path_;
    std::unique_ptr<SQLite::Database> db_;  // the SQLite backend's database; null on PostgreSQL
    std::unique_ptr<Session> session_;
    std::recursive_mutex mutex_;
    std::map<std::string, std::unique_ptr<Statement>> statements_;
    std::atomic<std::uint64_t> committed_{0};  ///< incremented under mutex_ after each COMMIT
    std::mutex syncMutex_;                     ///< one fsync of the WAL at a time
    std::atomic<std::uint64_t> synced_{0};     ///< every commit up to this one is fsynced
    std::atomic<std::uint64_t> walSyncs_{0};
    std::uint64_t walInode_ = 0;               ///< the WAL file whose directory entry was synced
};

}  // namespace ledgerbridge::store
