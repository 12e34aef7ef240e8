// Opening the state database safely: see StateStore.h.
#include "ledgerbridge/store/StateStore.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Migrations.h"

namespace ledgerbridge::store {
namespace fs = std::filesystem;

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
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

}  // namespace

StateStore::StateStore(const std::string& stateDir, int busyTimeoutMs) {
    prepareDirectory(stateDir);
    path_ = (fs::path(stateDir) / "ledgerbridge.db").string();
    prepareFile(path_);
    try {
        db_ = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_FULLMUTEX, busyTimeoutMs);
        std::string mode = db_->execAndGet("PRAGMA journal_mode=WAL").getString();
        if (mode != "wal") throw StoreError("the state database " + path_ + " could not switch to WAL mode (got " + mode + ")");
        db_->exec("PRAGMA synchronous=FULL");  // durability first: a committed token or ledger row survives power loss
        db_->exec("PRAGMA foreign_keys=ON");
        migrate(*db_);
    } catch (const SQLite::Exception& e) {
        throw StoreError("the state database " + path_ + " cannot be used: " + e.what() +
                         " (is it a ledgerbridge state file? move it away to start fresh)");
    }
    // WAL and SHM side files must not be readable by others either.
    for (const char* suffix : {"-wal", "-shm"}) ::chmod((path_ + suffix).c_str(), 0600);
}

StateStore::~StateStore() {
    statements_.clear();  // finalized before the database closes
}

CachedStatement::~CachedStatement() {
    s_.tryReset();
    try {
        s_.clearBindings();
    } catch (...) {  // only on a finalized statement; nothing left to clear
    }
}

CachedStatement StateStore::cached(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, std::make_unique<SQLite::Statement>(*db_, sql)).first;
    return CachedStatement(*it->second);
}

int StateStore::schemaVersion() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return currentSchemaVersion(*db_);
}

void StateStore::transaction(const std::function<void(SQLite::Database&)>& work, Durability durability) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    // synchronous is a per-connection setting that cannot change inside a transaction; the
    // mutex keeps every other transaction out until FULL is back.
    struct RestoreFull {
        SQLite::Database& db;
        bool active;
        ~RestoreFull() {
            if (active) db.tryExec("PRAGMA synchronous=FULL");
        }
    } restore{*db_, durability == Durability::ProcessCrash};
    try {
        if (durability == Durability::ProcessCrash) db_->exec("PRAGMA synchronous=NORMAL");
        db_->exec("BEGIN IMMEDIATE");
    } catch (const SQLite::Exception& e) {
        throw StoreError(std::string("the state database is busy or unavailable: ") + e.what());
    }
    try {
        work(*db_);
        db_->exec("COMMIT");
    } catch (const SQLite::Exception& e) {
        db_->tryExec("ROLLBACK");
        throw StoreError(std::string("a state database write failed: ") + e.what());
    } catch (...) {
        db_->tryExec("ROLLBACK");
        throw;
    }
}

void StateStore::read(const std::function<void(SQLite::Database&)>& work) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    try {
        work(*db_);
    } catch (const SQLite::Exception& e) {
        throw StoreError(std::string("a state database query failed: ") + e.what());
    }
}

}  // namespace ledgerbridge::store
