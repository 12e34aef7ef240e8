// The PostgreSQL backend of Session, on libpq (Debian libpq-dev): one connection, opened from a
// `postgresql://user@host:port/db` URL (any libpq URI parameter, e.g. ?sslmode=verify-full)
// and a password kept apart from it (the [state] password secret reference), never in the URL,
// a message or a log line.
//
// - Every statement is prepared once per connection and reused (keyed by its SQL).
// - Writes are serialised across all processes sharing the database, as with SQLite's
//   BEGIN IMMEDIATE: begin() takes a transaction-scoped advisory lock. Reads take none.
// - Durability::ProcessCrash commits with `SET LOCAL synchronous_commit = off`.
// - A lost connection fails the call in progress with a StoreError; the next call outside a
//   transaction reconnects (and prepares its statements again).
// - lock_timeout = the store's busy timeout, so a writer stuck behind another fails with
//   "busy" instead of waiting for ever.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ledgerbridge/store/Session.h"

struct pg_conn;
struct pg_result;

namespace ledgerbridge::store {

class PostgresSession : public Session {
public:
    /// Connects and checks the connection. Throws ConfigError for a URL that is not a
    /// PostgreSQL URL or carries a password, StoreError when the server cannot be reached or
    /// refuses the login (naming the server, never the password).
    PostgresSession(const std::string& url, const std::string& password, int busyTimeoutMs);
    ~PostgresSession() override;
    PostgresSession(const PostgresSession&) = delete;
    PostgresSession& operator=(const PostgresSession&) = delete;

    Dialect dialect() const override { return Dialect::PostgreSQL; }
    std::unique_ptr<StatementImpl> prepare(const std::string& sql) override;
    int exec(const std::string& sql) override;
    bool tableExists(const std::string& table) override;
    /// Throws StoreError: PostgreSQL answers with RETURNING instead.
    std::int64_t lastInsertId() override;
    const std::string& describe() const override { return description_; }
    void begin(Durability durability) override;
    void commit() override;
    void rollback() noexcept override;

    /// `sql` with its `?` placeholders numbered $1, $2, ... (outside quotes and comments);
    /// `count` receives how many there were.
    static std::string numberPlaceholders(const std::string& sql, int& count);
    /// "postgresql://user@host:port/db" for `url`; throws ConfigError as the constructor does.
    static std::string describeUrl(const std::string& url);

    // For PgStatement.
    pg_conn* connection();
    /// The name of the server-side prepared statement for `sql` on the current connection:
    /// reconnects first if the connection was lost (which forgets every prepared statement),
    /// then prepares `sql` if needed. A copy: a later reconnect clears the names.
    std::string preparedName(const std::string& sql, int params);
    /// `result` when it succeeded; otherwise frees it and throws StoreError naming what was being done.
    pg_result* check(pg_result* result, const char* doing);
    [[noreturn]] void fail(const std::string& doing, const std::string& message, const char* sqlstate);

private:
    void connect();

    std::string url_, password_, description_;
    int busyTimeoutMs_;
    pg_conn* conn_ = nullptr;
    bool inTransaction_ = false;
    std::map<std::string, std::string> prepared_;  // SQL -> statement name, this connection
};

}  // namespace ledgerbridge::store
