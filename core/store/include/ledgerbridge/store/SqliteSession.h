// The SQLite backend of Session (SQLiteCpp): a thin adapter over one SQLite::Database, which it
// does not own. StateStore opens the file (WAL, synchronous=FULL, busy timeout) and wraps it;
// tests may wrap a database they opened themselves (Migrations on an old schema).
#pragma once

#include "ledgerbridge/store/Session.h"

namespace SQLite {
class Database;
}

namespace ledgerbridge::store {

class SqliteSession : public Session {
public:
    explicit SqliteSession(SQLite::Database& db);
    Dialect dialect() const override { return Dialect::SQLite; }
    std::unique_ptr<StatementImpl> prepare(const std::string& sql) override;
    int exec(const std::string& sql) override;
    bool tableExists(const std::string& table) override;
    std::int64_t lastInsertId() override;
    const std::string& describe() const override { return path_; }
    /// BEGIN IMMEDIATE; ProcessCrash commits with synchronous=NORMAL (in the WAL, not fsynced),
    /// restored to FULL after the commit or rollback.
    void begin(Durability durability) override;
    void commit() override;
    void rollback() noexcept override;

    SQLite::Database& database() { return db_; }
    /// From now on every commit is written with synchronous=NORMAL (into the WAL, not fsynced),
    /// whatever its durability: the caller fsyncs PowerLoss commits itself (StateStore's group
    /// commit).
    void commitsSyncedByCaller();

private:
    void restoreFull() noexcept;

    SQLite::Database& db_;
    std::string path_;
    bool relaxed_ = false;  // synchronous=NORMAL for the open transaction
    bool syncedByCaller_ = false;
};

}  // namespace ledgerbridge::store
