// A backend-neutral handle on the state database: what the repositories need and nothing more
// (prepare, bind, step, read a column, run a script, the dialect). Two backends implement it:
// SQLite (SQLiteCpp, the embedded default) and PostgreSQL (libpq). StateStore owns the one
// session of a store and hands it to the repositories inside transaction() and read().
//
// SQL is written once, in the dialect both engines accept: `?` placeholders (the PostgreSQL
// backend numbers them $1, $2, ... when it prepares a statement), `INSERT ... ON CONFLICT ...`,
// `RETURNING`, `"user"` quoted. Where the engines differ, code asks dialect().
//
// Values: NULL reads as "" or 0, like SQLiteCpp. Integers are 64-bit on both backends.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace ledgerbridge::store {

enum class Dialect { SQLite, PostgreSQL };

/// One prepared statement of a backend; Statement is the handle the repositories use.
class StatementImpl {
public:
    virtual ~StatementImpl() = default;
    virtual void bindText(int index, const std::string& value) = 0;
    virtual void bindBlob(int index, const std::string& bytes) = 0;
    virtual void bindInt64(int index, std::int64_t value) = 0;
    virtual void bindNull(int index) = 0;
    /// Runs the statement on the first call; true while a row is available.
    virtual bool step() = 0;
    /// Runs a statement that returns no rows; the number of rows it changed.
    virtual int exec() = 0;
    /// Back to "not yet run", bindings kept.
    virtual void reset() = 0;
    virtual void clearBindings() = 0;
    virtual int columnCount() const = 0;
    virtual bool isNull(int column) const = 0;
    virtual std::int64_t int64(int column) const = 0;
    /// Text, or the raw bytes of a blob/bytea column.
    virtual std::string text(int column) const = 0;
};

/// A column of the current row (valid until the statement steps or resets).
class Column {
public:
    Column(const StatementImpl& s, int index) : s_(s), i_(index) {}
    bool isNull() const { return s_.isNull(i_); }
    std::string getString() const { return s_.text(i_); }
    /// The bytes of a BLOB (SQLite) / BYTEA (PostgreSQL) column; "" for NULL.
    std::string getBlob() const { return s_.text(i_); }
    std::int64_t getInt64() const { return s_.int64(i_); }
    int getInt() const { return static_cast<int>(s_.int64(i_)); }

private:
    const StatementImpl& s_;
    int i_;
};

/// An owned single value (Session::execAndGet).
class Value {
public:
    Value() = default;
    Value(bool null, std::string text, std::int64_t number) : null_(null), text_(std::move(text)), number_(number) {}
    bool isNull() const { return null_; }
    const std::string& getString() const { return text_; }
    std::int64_t getInt64() const { return number_; }
    int getInt() const { return static_cast<int>(number_); }

private:
    bool null_ = true;
    std::string text_;
    std::int64_t number_ = 0;
};

class Session;

/// A statement with 1-based `?` parameters, as in SQLiteCpp.
class Statement {
public:
    Statement(Session& session, const std::string& sql);
    explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}

    void bind(int index, const std::string& value) { impl_->bindText(index, value); }
    void bind(int index, const char* value) { impl_->bindText(index, value); }
    void bind(int index, int value) { impl_->bindInt64(index, value); }
    void bind(int index, std::int64_t value) { impl_->bindInt64(index, value); }
    /// NULL.
    void bind(int index) { impl_->bindNull(index); }
    void bindBlob(int index, const std::string& bytes) { impl_->bindBlob(index, bytes); }

    bool executeStep() { return impl_->step(); }
    int exec() { return impl_->exec(); }
    void reset() { impl_->reset(); }
    void clearBindings() { impl_->clearBindings(); }
    int getColumnCount() const { return impl_->columnCount(); }
    Column getColumn(int index) const { return Column(*impl_, index); }

private:
    std::unique_ptr<StatementImpl> impl_;
};

/// A connection to the state database. Not thread-safe: StateStore serialises every use.
class Session {
public:
    virtual ~Session() = default;
    virtual Dialect dialect() const = 0;
    virtual std::unique_ptr<StatementImpl> prepare(const std::string& sql) = 0;
    /// Runs SQL without parameters; several statements separated by `;` are allowed. Returns
    /// the number of rows the last one changed.
    virtual int exec(const std::string& sql) = 0;
    /// The first column of the first row of `sql` (a NULL Value when there is none).
    Value execAndGet(const std::string& sql);
    virtual bool tableExists(const std::string& table) = 0;
    /// SQLite: the rowid of the last row inserted on this connection. PostgreSQL has none:
    /// write `RETURNING id` there (see Ledger::stagePage for why SQLite does not).
    virtual std::int64_t lastInsertId() = 0;
    /// Where the database is, for messages: a file path, or a PostgreSQL URL without password.
    virtual const std::string& describe() const = 0;

    /// How durable a commit must be (see StateStore::Durability).
    enum class Durability { PowerLoss, ProcessCrash };
    /// Starts a write transaction that excludes every other writer until commit or rollback:
    /// SQLite BEGIN IMMEDIATE; PostgreSQL BEGIN plus a transaction-scoped advisory lock.
    virtual void begin(Durability durability) = 0;
    virtual void commit() = 0;
    /// Never throws: it runs on the error path.
    virtual void rollback() noexcept = 0;
};

}  // namespace ledgerbridge::store
