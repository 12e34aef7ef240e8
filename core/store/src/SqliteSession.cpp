// The SQLite backend of Session: see SqliteSession.h. SQLite::Exception passes through
// unchanged; StateStore turns it into a StoreError that says what failed (disk full, damaged).
#include "ledgerbridge/store/SqliteSession.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace ledgerbridge::store {
namespace {

class SqliteStatement : public StatementImpl {
public:
    SqliteStatement(SQLite::Database& db, const std::string& sql) : s_(db, sql) {}
    void bindText(int i, const std::string& v) override { s_.bind(i, v); }
    void bindBlob(int i, const std::string& b) override {
        if (b.empty())
            s_.bind(i, "", 0);  // an empty blob, not NULL
        else
            s_.bind(i, b.data(), static_cast<int>(b.size()));
    }
    void bindInt64(int i, std::int64_t v) override { s_.bind(i, v); }
    void bindNull(int i) override { s_.bind(i); }
    bool step() override { return s_.executeStep(); }
    int exec() override { return s_.exec(); }
    void reset() override { s_.tryReset(); }
    void clearBindings() override { s_.clearBindings(); }
    int columnCount() const override { return s_.getColumnCount(); }
    bool isNull(int c) const override { return s_.isColumnNull(c); }
    std::int64_t int64(int c) const override { return s_.getColumn(c).getInt64(); }
    std::string text(int c) const override {
        const SQLite::Column col = s_.getColumn(c);
        if (col.isNull()) return {};
        // getBytes after getBlob/getText: the size of the value in the form just read.
        const void* data = col.getBlob();
        return std::string(static_cast<const char*>(data), static_cast<std::size_t>(col.getBytes()));
    }

private:
    mutable SQLite::Statement s_;
};

}  // namespace

SqliteSession::SqliteSession(SQLite::Database& db) : db_(db), path_(db.getFilename()) {}

std::unique_ptr<StatementImpl> SqliteSession::prepare(const std::string& sql) {
    return std::make_unique<SqliteStatement>(db_, sql);
}

int SqliteSession::exec(const std::string& sql) { return db_.exec(sql); }

bool SqliteSession::tableExists(const std::string& table) { return db_.tableExists(table); }

std::int64_t SqliteSession::lastInsertId() { return db_.getLastInsertRowid(); }

void SqliteSession::begin(Durability durability) {
    // synchronous is a per-connection setting that cannot change inside a transaction;
    // StateStore's mutex keeps every other transaction out until FULL is back.
    if (durability == Durability::ProcessCrash && !syncedByCaller_) {
        db_.exec("PRAGMA synchronous=NORMAL");
        relaxed_ = true;
    }
    try {
        db_.exec("BEGIN IMMEDIATE");
    } catch (...) {
        restoreFull();
        throw;
    }
}

void SqliteSession::commitsSyncedByCaller() {
    db_.exec("PRAGMA synchronous=NORMAL");
    syncedByCaller_ = true;
}

void SqliteSession::commit() {
    db_.exec("COMMIT");
    restoreFull();
}

void SqliteSession::rollback() noexcept {
    db_.tryExec("ROLLBACK");
    restoreFull();
}

void SqliteSession::restoreFull() noexcept {
    if (!relaxed_) return;
    db_.tryExec("PRAGMA synchronous=FULL");
    relaxed_ = false;
}

}  // namespace ledgerbridge::store
