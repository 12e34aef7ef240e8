// Opening the state database safely: see StateStore.h.
#include "ledgerbridge/store/StateStore.h"

#include <Poco/Random.h>

#include <cstdio>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/store/Integrity.h"
#include "ledgerbridge/store/Migrations.h"
#include "ledgerbridge/store/PostgresSession.h"
#include "ledgerbridge/store/SqliteSession.h"

namespace ledgerbridge::store {
namespace fs = std::filesystem;

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string newRowId(const char* prefix, std::int64_t now) {
    static std::mutex mutex;
    static Poco::Random random = [] {
        Poco::Random r;
        r.seed();
        return r;
    }();
    std::lock_guard<std::mutex> lock(mutex);
    char id[64];
    std::snprintf(id, sizeof id, "%s-%lld-%04x", prefix, static_cast<long long>(now), random.next() & 0xffffU);
    return id;
}

namespace {

void prepareDirectory(const std::string& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec)
            throw IoError("cannot create the state directory " + dir + ": " + ec.message() +
                          "; create it or set [state] dir to a writable place");
        ::chmod(dir.c_str(), 0700);
    }
    if (!fs::is_directory(dir, ec)) throw IoError("the state directory " + dir + " is not a directory; set [state] dir to a directory");
    if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0)
        throw IoError("the state directory " + dir + " is not readable and writable by this user (" +
                      std::strerror(errno) + "); fix its permissions or set [state] dir elsewhere");
}

// Creates the file 0600 before SQLite opens it, so it never exists with a wider mode.
void prepareFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw IoError("cannot open the state database " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) ::fchmod(fd, 0600);
    ::close(fd);
}

/// A SQLite failure as the StoreError a person can act on. A full disk or a damaged file must
/// read as what it is, never as a failure of whatever was running (a plugin call, a push).
StoreError storeFailure(const SQLite::Exception& e, const std::string& path, const std::string& doing) {
    switch (e.getErrorCode()) {
        case SQLITE_FULL:
            return StoreError("state store: disk full: " + doing + " in " + path + " failed (" + e.what() +
                              "); nothing of it was kept. Free space on the state directory's disk, then run again.");
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return StoreError("state store: the database file " + path + " is damaged (" + e.what() + ") while " + doing +
                              "; stop every ledgerbridge process that uses it and recover it (" + kRecoveryHint + ").");
        case SQLITE_IOERR:
            return StoreError("state store: I/O error: " + doing + " in " + path + " failed (" + e.what() +
                              "); check the state directory's disk (dmesg), then run again.");
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return StoreError("state store: " + path + " is busy (another process held it longer than the busy timeout) while " +
                              doing + ": " + e.what());
        default:
            return StoreError("state store: " + doing + " in " + path + " failed: " + e.what());
    }
}

}  // namespace

StateStore::StateStore(const std::string& stateDir, int busyTimeoutMs) : stateDir_(stateDir) {
    prepareDirectory(stateDir);
    path_ = (fs::path(stateDir) / "ledgerbridge.db").string();
    prepareFile(path_);
    try {
        db_ = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_FULLMUTEX, busyTimeoutMs);
        std::string mode = db_->execAndGet("PRAGMA journal_mode=WAL").getString();
        if (mode != "wal") throw StoreError("the state database " + path_ + " could not switch to WAL mode (got " + mode + ")");
        db_->exec("PRAGMA synchronous=FULL");  // the migration's commits are fsynced by SQLite itself
        db_->exec("PRAGMA foreign_keys=ON");
        // A run stages each export item (a few KB) and then rewrites its ledger row three times
        // (pushing, outcome, reported). SQLite's defaults (a 2 MB page cache, a checkpoint every
        // 1,000 pages = 4 MB of log) made it read back from the file the index pages it had just
        // written and copy the same hot pages into the database file over and over: at 100,000
        // entries, an 8 MB cache and a checkpoint every 8,000 pages (a log of up to 32 MB, reused
        // after each checkpoint) took the run's CPU from 25.4 to 20.2 s, at 9 MB more peak memory
        // (scripts/bench-export).
        db_->exec("PRAGMA cache_size=-8192");
        db_->exec("PRAGMA wal_autocheckpoint=8000");
        auto session = std::make_unique<SqliteSession>(*db_);
        migrate(*session);
        // From here on SQLite writes commits into the WAL without fsync and transaction() syncs
        // them itself after the mutex is released (group commit): durability first still, a
        // PowerLoss commit is on disk before transaction() returns.
        session->commitsSyncedByCaller();
        session_ = std::move(session);
    } catch (const SQLite::Exception& e) {
        if (e.getErrorCode() == SQLITE_CORRUPT || e.getErrorCode() == SQLITE_NOTADB)
            throw StoreError("state store: " + path_ + " cannot be read as a state database (" + e.what() +
                             "); if it is ledgerbridge's state it is damaged: recover it (" + kRecoveryHint +
                             ") rather than starting afresh, which forgets what was exported");
        throw storeFailure(e, path_, "opening the database");
    }
    // WAL and SHM side files must not be readable by others either.
    for (const char* suffix : {"-wal", "-shm"}) ::chmod((path_ + suffix).c_str(), 0600);
}

StateStore::StateStore(const std::string& stateDir, const PostgresLocation& pg, int busyTimeoutMs) : stateDir_(stateDir) {
    prepareDirectory(stateDir);
    auto session = std::make_unique<PostgresSession>(pg.url, pg.password, busyTimeoutMs);
    path_ = session->describe();
    session_ = std::move(session);
    migrate(*session_);  // each migration in its own write transaction: replicas starting together wait their turn
}

StateStore::~StateStore() {
    statements_.clear();  // finalized before the database closes
}

CachedStatement::~CachedStatement() {
    try {
        s_.reset();
        s_.clearBindings();
    } catch (...) {  // only on a finalized statement; nothing left to clear
    }
}

CachedStatement StateStore::cached(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, std::make_unique<Statement>(*session_, sql)).first;
    return CachedStatement(*it->second);
}

int StateStore::schemaVersion() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return currentSchemaVersion(*session_);
}

void StateStore::transaction(const std::function<void(Session&)>& work, Durability durability) {
    std::uint64_t commit = 0;
    {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        try {
            session_->begin(durability);
        } catch (const SQLite::Exception& e) {
            throw storeFailure(e, path_, "starting a write");
        }
        try {
            work(*session_);
            // SQLite: in the WAL (the kernel holds it: it survives kill -9), not yet fsynced.
            // PostgreSQL: durable when the server answers (synchronous_commit).
            session_->commit();
        } catch (const SQLite::Exception& e) {
            session_->rollback();
            throw storeFailure(e, path_, "a write");
        } catch (...) {
            session_->rollback();
            throw;
        }
        commit = ++committed_;
    }
    // ProcessCrash commits are hints (leases, "a plugin call is running"): the WAL write is enough.
    // Only SQLite's commits wait for our fsync; PostgreSQL's server made its own durable.
    if (durability == Durability::PowerLoss && db_) syncCommitted(commit);
}

void StateStore::syncCommitted(std::uint64_t commit) {
    // Group commit: whoever holds syncMutex_ fsyncs every commit made so far. A thread that waited
    // here while another's fsync ran usually finds its commit covered and returns without one.
    std::lock_guard<std::mutex> lock(syncMutex_);
    if (synced_.load() >= commit) return;
    const std::uint64_t upTo = committed_.load();  // every commit up to here has written its WAL frames
    syncWal();
    synced_.store(upTo);
}

void StateStore::syncWal() {
    // Our own descriptor of the WAL, not SQLite's: SQLite's file object belongs to the thread
    // holding mutex_. fdatasync acts on the file, whichever descriptor names it. The WAL stays
    // the same file while this connection is open (SQLite deletes it only when the last
    // connection closes).
    const std::string wal = path_ + "-wal";
    const int fd = ::open(wal.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        throw StoreError("state store: I/O error: cannot open " + wal + " to make a commit durable (" +
                         std::strerror(errno) + "); check the state directory's disk (dmesg), then run again.");
    struct stat st {};
    const int rc = ::fstat(fd, &st) == 0 ? ::fdatasync(fd) : -1;
    const int err = errno;
    ::close(fd);
    if (rc != 0)
        throw StoreError("state store: I/O error: syncing " + wal + " failed (" + std::strerror(err) +
                         "); the last write may not survive a power cut. Check the state directory's disk (dmesg), "
                         "then run again.");
    ++walSyncs_;
    if (static_cast<std::uint64_t>(st.st_ino) == walInode_) return;
    // A WAL file new to us: its directory entry must be durable too, as SQLite makes it when it
    // creates the WAL under synchronous=FULL.
    const std::string dir = fs::path(path_).parent_path().string();
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const int drc = dfd < 0 ? -1 : ::fsync(dfd);
    const int derr = errno;
    if (dfd >= 0) ::close(dfd);
    if (drc != 0)
        throw StoreError("state store: I/O error: syncing the state directory " + dir + " failed (" +
                         std::strerror(derr) + "); check its disk (dmesg), then run again.");
    walInode_ = static_cast<std::uint64_t>(st.st_ino);
}

void StateStore::read(const std::function<void(Session&)>& work) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    try {
        work(*session_);
    } catch (const SQLite::Exception& e) {
        throw storeFailure(e, path_, "a query");
    }
}

std::chrono::milliseconds StateStore::checkIntegrity() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (!db_) {
        log::debug("state database check skipped: PostgreSQL checks its own storage (data checksums, amcheck)",
                   {{"database", path_}});
        return std::chrono::milliseconds(0);
    }
    const auto start = std::chrono::steady_clock::now();
    // integrity_check, not quick_check: both read every page and check every b-tree, and
    // integrity_check also proves each index matches its table. That matters here: the ledger
    // finds "already posted in another job" through an index, and an index that lost a row
    // would book an entry twice. Measured on a 100,000-entry ledger (412 MB): quick_check
    // 0.3-0.75 s, integrity_check 0.45-0.6 s (README, State). The ledger's SHA-256 per staged
    // item covers the content neither can judge.
    std::vector<std::string> problems;
    try {
        SQLite::Statement q(*db_, "PRAGMA integrity_check(5)");
        while (q.executeStep()) problems.push_back(q.getColumn(0).getString());
    } catch (const SQLite::Exception& e) {
        problems.push_back(e.what());
    }
    if (!(problems.size() == 1 && problems[0] == "ok")) {
        std::string list;
        for (const auto& p : problems) list += (list.empty() ? "" : "; ") + p;
        throw StoreError("state store: the database file " + path_ + " is damaged (SQLite integrity_check: " + list +
                         "); nothing was run. Stop every ledgerbridge process that uses it and recover it (" +
                         kRecoveryHint + ").");
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace ledgerbridge::store
