// The PostgreSQL backend of Session: see PostgresSession.h.
#include "ledgerbridge/store/PostgresSession.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::store {
namespace {

// The advisory lock every write transaction takes: the PostgreSQL form of SQLite's one writer
// at a time. Transaction-scoped, so a crashed holder releases it. Advisory locks belong to the
// whole database, so the key is the state's schema hashed with our constant ("lbstore" in
// ASCII): installations kept in other schemas of one database never wait for each other (two
// test clusters in two schemas did: one's SIGSTOPped replica stalled the other's writes 20 s).
constexpr const char* kWriteLock = "SELECT pg_advisory_xact_lock(hashtextextended(current_schema(), 7809643289433455973))";

constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// A bytea column in text form ("\x0a1b..."), as the bytes it holds.
std::string decodeBytea(const char* v, int length) {
    if (length < 2 || v[0] != '\\' || v[1] != 'x') return std::string(v, static_cast<std::size_t>(length));
    std::string out;
    out.reserve(static_cast<std::size_t>(length - 2) / 2);
    for (int i = 2; i + 1 < length; i += 2) out.push_back(static_cast<char>(hexDigit(v[i]) * 16 + hexDigit(v[i + 1])));
    return out;
}

/// The password part of a URL's user info, if any ("postgresql://user:secret@host/db").
bool urlCarriesPassword(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return false;
    const auto start = scheme + 3;
    const auto at = url.find('@', start);
    const auto slash = url.find('/', start);
    if (at == std::string::npos || (slash != std::string::npos && slash < at)) return false;
    return url.find(':', start) < at;
}

class PgStatement : public StatementImpl {
public:
    PgStatement(PostgresSession& session, const std::string& sql) : session_(session), sql_(sql) {
        int count = 0;
        numbered_ = PostgresSession::numberPlaceholders(sql, count);
        values_.resize(static_cast<std::size_t>(count));
        binary_.assign(static_cast<std::size_t>(count), 0);
    }

    // PostgreSQL's text cannot hold a NUL byte, and libpq would send the value cut at the first
    // one without an error: refuse it, naming the parameter and the statement (never the value).
    void bindText(int i, const std::string& v) override {
        if (v.find('\0') != std::string::npos)
            throw StoreError("state store: parameter " + std::to_string(i) +
                             " is text holding a NUL byte, which PostgreSQL's text type cannot store: " + sql_);
        set(i, v, false);
    }
    void bindBlob(int i, const std::string& b) override { set(i, b, true); }
    void bindInt64(int i, std::int64_t v) override { set(i, std::to_string(v), false); }
    void bindNull(int i) override { slot(i).reset(); }

    bool step() override {
        if (!result_) run();
        return ++row_ < PQntuples(result_.get());
    }
    int exec() override {
        run();
        const char* n = PQcmdTuples(result_.get());
        const int changed = (n && *n) ? std::atoi(n) : 0;
        result_.reset();
        return changed;
    }
    void reset() override {
        result_.reset();
        row_ = -1;
    }
    void clearBindings() override {
        for (auto& v : values_) v.reset();
    }
    int columnCount() const override { return result_ ? PQnfields(result_.get()) : 0; }
    bool isNull(int c) const override { return PQgetisnull(current(), row_, c) != 0; }
    std::int64_t int64(int c) const override {
        if (isNull(c)) return 0;
        const char* v = PQgetvalue(current(), row_, c);
        if (PQftype(current(), c) == kBoolOid) return v[0] == 't' ? 1 : 0;
        return std::strtoll(v, nullptr, 10);
    }
    std::string text(int c) const override {
        if (isNull(c)) return {};
        const char* v = PQgetvalue(current(), row_, c);
        const int length = PQgetlength(current(), row_, c);
        if (PQftype(current(), c) == kByteaOid) return decodeBytea(v, length);
        return std::string(v, static_cast<std::size_t>(length));
    }

private:
    std::optional<std::string>& slot(int i) {
        if (i < 1 || i > static_cast<int>(values_.size()))
            throw StoreError("state store: parameter " + std::to_string(i) + " is out of range for a statement with " +
                             std::to_string(values_.size()) + " parameters: " + sql_);
        return values_[static_cast<std::size_t>(i - 1)];
    }
    void set(int i, const std::string& v, bool binary) {
        slot(i) = v;
        binary_[static_cast<std::size_t>(i - 1)] = binary ? 1 : 0;
    }
    const PGresult* current() const {
        if (!result_ || row_ < 0 || row_ >= PQntuples(result_.get()))
            throw StoreError("state store: a column was read with no current row: " + sql_);
        return result_.get();
    }
    void run() {
        reset();
        // Named on the live connection (a lost one is replaced first), and run right after on it.
        const std::string name = session_.preparedName(numbered_, static_cast<int>(values_.size()));
        std::vector<const char*> values(values_.size());
        std::vector<int> lengths(values_.size());
        for (std::size_t i = 0; i < values_.size(); ++i) {
            values[i] = values_[i] ? values_[i]->c_str() : nullptr;
            lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
        }
        PGresult* r = PQexecPrepared(session_.connection(), name.c_str(), static_cast<int>(values.size()), values.data(),
                                     lengths.data(), binary_.data(), 0);
        result_.reset(session_.check(r, "a statement"));
    }

    PostgresSession& session_;
    std::string sql_, numbered_;
    std::vector<std::optional<std::string>> values_;
    std::vector<int> binary_;  // 1 = the bytes of a bytea, sent as they are
    Result result_;
    int row_ = -1;
};

}  // namespace

std::string PostgresSession::numberPlaceholders(const std::string& sql, int& count) {
    std::string out;
    out.reserve(sql.size() + 16);
    count = 0;
    char quote = 0;  // inside '...' or "..."
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote) {
            if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
            out += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            out += c;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            const auto end = sql.find('\n', i);
            const auto stop = end == std::string::npos ? sql.size() : end;
            out.append(sql, i, stop - i);
            i = stop - 1;
        } else if (c == '?') {
            // SQLite's numbered form ?NNN keeps its number; a bare ? takes the next one.
            std::size_t digits = i + 1;
            while (digits < sql.size() && std::isdigit(static_cast<unsigned char>(sql[digits]))) ++digits;
            if (digits > i + 1) {
                const int n = std::stoi(sql.substr(i + 1, digits - i - 1));
                out += '$' + std::to_string(n);
                count = std::max(count, n);
                i = digits - 1;
            } else {
                out += '$' + std::to_string(++count);
            }
        } else {
            out += c;
        }
    }
    return out;
}

std::string PostgresSession::describeUrl(const std::string& url) {
    if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0)
        throw ConfigError("[state] url must be a PostgreSQL URL (postgresql://user@host:port/database), not '" + url + "'");
    if (urlCarriesPassword(url))
        throw ConfigError("[state] url carries a password; remove it from the URL and give it as [state] password = "
                          "env:NAME or file:PATH, so it never appears in the configuration or a log");
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (!options) {
        std::string message = error ? error : "out of memory";
        PQfreemem(error);
        while (!message.empty() && message.back() == '\n') message.pop_back();
        throw ConfigError("[state] url is not a valid PostgreSQL URL: " + message);
    }
    std::string user, host, port, dbname;
    for (PQconninfoOption* o = options; o->keyword; ++o) {
        if (!o->val) continue;
        if (std::strcmp(o->keyword, "user") == 0) user = o->val;
        if (std::strcmp(o->keyword, "host") == 0) host = o->val;
        if (std::strcmp(o->keyword, "port") == 0) port = o->val;
        if (std::strcmp(o->keyword, "dbname") == 0) dbname = o->val;
    }
    PQconninfoFree(options);
    return "postgresql://" + (user.empty() ? "" : user + "@") + (host.empty() ? "localhost" : host) +
           (port.empty() ? "" : ":" + port) + "/" + dbname;
}

PostgresSession::PostgresSession(const std::string& url, const std::string& password, int busyTimeoutMs)
    : url_(url), password_(password), description_(describeUrl(url)), busyTimeoutMs_(busyTimeoutMs) {
    try {
        connect();
    } catch (...) {
        // libpq returns a connection object even when it could not connect; a constructor that
        // throws runs no destructor, so it is freed here (LeakSanitizer found it leaking).
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        throw;
    }
}

PostgresSession::~PostgresSession() {
    if (conn_) PQfinish(conn_);
}

void PostgresSession::connect() {
    if (conn_) PQfinish(conn_);
    prepared_.clear();
    // The URL's own parameters (sslmode, options, ...) stay as they are; the password is given
    // apart because the URL never holds one.
    const char* keywords[] = {"dbname", "password", "connect_timeout", "application_name", nullptr};
    const char* values[] = {url_.c_str(), password_.empty() ? nullptr : password_.c_str(), "10", "ledgerbridge", nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (!conn_) throw StoreError("state store: cannot connect to " + description_ + ": out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn_);
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        const bool login = message.find("password") != std::string::npos || message.find("authentication") != std::string::npos;
        throw StoreError("state store: cannot connect to " + description_ + ": " + message +
                         (login ? " (check the user in [state] url and the secret [state] password refers to)"
                                : " (is the server running and reachable from here?)"));
    }
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // notices ("already exists, skipping") are not errors
    PQclear(check(PQexec(conn_, ("SET lock_timeout = " + std::to_string(busyTimeoutMs_)).c_str()), "setting the lock timeout"));
    // No write transaction here waits for anything outside the database, so a session idle
    // inside one for long is a process that stopped (SIGSTOP, a frozen VM, a cut network) while
    // holding the write lock, which every replica needs: the server ends that session, which
    // releases the lock and discards the transaction (the woken process finds its connection
    // gone and writes nothing of it). Twice the busy timeout: a writer that waited its whole
    // busy timeout behind it may fail once; the next one gets the lock.
    const int idleMs = std::max(2 * busyTimeoutMs_, 1000);
    PQclear(check(PQexec(conn_, ("SET idle_in_transaction_session_timeout = " + std::to_string(idleMs)).c_str()),
                  "setting the idle-in-transaction timeout"));
}

pg_conn* PostgresSession::connection() {
    if (PQstatus(conn_) != CONNECTION_OK) {
        // A transaction does not survive its connection: fail it; the next one reconnects.
        if (inTransaction_) fail("a write", "the connection to the server was lost during the transaction", nullptr);
        connect();
    }
    return conn_;
}

std::string PostgresSession::preparedName(const std::string& sql, int params) {
    // The connection first: a reconnect forgets the old connection's statements (prepared_ is
    // cleared), so a name found before it would name nothing on the new one.
    pg_conn* conn = connection();
    auto it = prepared_.find(sql);
    if (it != prepared_.end()) return it->second;
    const std::string name = "lb" + std::to_string(prepared_.size() + 1);
    PQclear(check(PQprepare(conn, name.c_str(), sql.c_str(), params, nullptr), "preparing a statement"));
    prepared_.emplace(sql, name);
    return name;
}

pg_result* PostgresSession::check(pg_result* result, const char* doing) {
    Result owned(result);
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return owned.release();
    std::string message = result ? PQresultErrorMessage(result) : "";
    if (message.empty()) message = PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    fail(doing, message, state);
}

void PostgresSession::fail(const std::string& doing, const std::string& message, const char* sqlstate) {
    const std::string code = sqlstate ? sqlstate : "";
    if (code == "55P03" || code == "40P01" || code == "40001")
        throw StoreError("state store: " + description_ + " is busy (another process held the write lock longer than the " +
                         "busy timeout, or a deadlock) while " + doing + ": " + message);
    if (code == "53100")
        throw StoreError("state store: disk full on the PostgreSQL server " + description_ + ": " + doing + " failed (" +
                         message + "); nothing of it was kept. Free space on the server, then run again.");
    if (PQstatus(conn_) != CONNECTION_OK || code.rfind("08", 0) == 0)
        throw StoreError("state store: the connection to " + description_ + " was lost: " + doing + " failed (" + message +
                         "); nothing of it was kept. Check the server and the network, then run again.");
    throw StoreError("state store: " + doing + " in " + description_ + " failed: " + message);
}

std::unique_ptr<StatementImpl> PostgresSession::prepare(const std::string& sql) {
    return std::make_unique<PgStatement>(*this, sql);
}

int PostgresSession::exec(const std::string& sql) {
    PGresult* r = check(PQexec(connection(), sql.c_str()), "a statement");
    const char* n = PQcmdTuples(r);
    const int changed = (n && *n) ? std::atoi(n) : 0;
    PQclear(r);
    return changed;
}

bool PostgresSession::tableExists(const std::string& table) {
    Statement q(prepare("SELECT to_regclass(?) IS NOT NULL"));
    q.bind(1, table);
    return q.executeStep() && q.getColumn(0).getInt() != 0;
}

std::int64_t PostgresSession::lastInsertId() {
    throw StoreError("state store: " + description_ + ": a last inserted row id was asked of PostgreSQL; use RETURNING");
}

void PostgresSession::begin(Durability durability) {
    // One round trip: BEGIN, the durability of this commit, the write lock.
    const std::string sql = std::string("BEGIN; ") +
                            (durability == Durability::ProcessCrash ? "SET LOCAL synchronous_commit = off; " : "") + kWriteLock;
    PGresult* r = PQexec(connection(), sql.c_str());
    inTransaction_ = PQtransactionStatus(conn_) != PQTRANS_IDLE;
    try {
        PQclear(check(r, "starting a write"));
    } catch (...) {
        rollback();
        throw;
    }
}

void PostgresSession::commit() {
    PGresult* raw = PQexec(connection(), "COMMIT");
    inTransaction_ = false;
    PGresult* r = check(raw, "committing a write");
    // COMMIT of a transaction that had failed answers ROLLBACK, not an error.
    const bool committed = std::strcmp(PQcmdStatus(r), "COMMIT") == 0;
    PQclear(r);
    if (!committed) fail("committing a write", "the server rolled the transaction back", nullptr);
}

void PostgresSession::rollback() noexcept {
    inTransaction_ = false;
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) PQclear(PQexec(conn_, "ROLLBACK"));
}

}  // namespace ledgerbridge::store
