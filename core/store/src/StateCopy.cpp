// SQLite state into PostgreSQL, in one verified transaction: see StateCopy.h.
#include "ledgerbridge/store/StateCopy.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/Migrations.h"
#include "ledgerbridge/store/PostgresSession.h"

namespace ledgerbridge::store {
namespace {

// How a column's values travel, decided by the PostgreSQL column's type (the SQLite side is
// dynamically typed; its declared types map onto these three by forPostgres()).
enum class Kind { Integer, Text, Blob };

struct ColumnPlan {
    std::string name;
    Kind kind = Kind::Text;
    bool identity = false;    ///< PostgreSQL identity column: its sequence is moved past the copied ids
    bool fromRowid = false;   ///< SQLite's implicit rowid (validations, promotions: Migrations.cpp v5)
};

struct TablePlan {
    std::string name;
    std::vector<ColumnPlan> columns;
    std::int64_t sourceRows = 0;
};

// The table schema_version is copied too (the source's history of migrations, with its dates),
// replacing the rows the target's migration wrote; it is not "data" when judging emptiness.
const char* const kVersionTable = "schema_version";

std::string ident(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string literal(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::vector<std::string> column0(Session& db, const std::string& sql, const std::string& param = "") {
    Statement q(db, sql);
    if (!param.empty()) q.bind(1, param);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> sqliteTables(Session& db) {
    return column0(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
}

std::vector<std::string> postgresTables(Session& db) {
    return column0(db,
                   "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                   "AND table_type = 'BASE TABLE'");
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

Kind kindOf(const std::string& table, const std::string& column, const std::string& pgType) {
    if (pgType == "bigint" || pgType == "integer" || pgType == "smallint") return Kind::Integer;
    if (pgType == "text" || pgType == "character varying" || pgType == "character") return Kind::Text;
    if (pgType == "bytea") return Kind::Blob;
    throw StoreError("state copy: column " + table + "." + column + " has PostgreSQL type " + pgType +
                     ", which the copy does not carry (it knows integers, text and bytea); extend "
                     "core/store/src/StateCopy.cpp for it");
}

/// The columns of `table` as PostgreSQL has them, each matched with the SQLite column it comes
/// from. Any column on one side only stops the copy, naming it.
TablePlan planTable(Session& source, Session& target, const std::string& table) {
    TablePlan plan{table, {}, 0};
    std::vector<std::string> sqliteColumns = column0(source, "SELECT name FROM pragma_table_info(?)", table);
    std::set<std::string> unmatched(sqliteColumns.begin(), sqliteColumns.end());
    Statement q(target,
                "SELECT column_name, data_type, is_identity FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position");
    q.bind(1, table);
    while (q.executeStep()) {
        ColumnPlan c;
        c.name = q.getColumn(0).getString();
        c.kind = kindOf(table, c.name, q.getColumn(1).getString());
        c.identity = q.getColumn(2).getString() == "YES";
        if (unmatched.erase(c.name) == 0) {
            if (c.name != "rowid")
                throw StoreError("state copy: column " + table + "." + c.name +
                                 " exists in PostgreSQL but not in the SQLite state; the schemas differ although both "
                                 "are at the same version");
            c.fromRowid = true;
        }
        plan.columns.push_back(c);
    }
    if (!unmatched.empty())
        throw StoreError("state copy: column(s) " + joined({unmatched.begin(), unmatched.end()}) + " of table " + table +
                         " exist in the SQLite state but not in PostgreSQL; the schemas differ although both are at "
                         "the same version");
    return plan;
}

/// Tables of the source and the target must be the same set (both are at the same version).
std::vector<TablePlan> planTables(Session& source, Session& target) {
    const std::vector<std::string> inSqlite = sqliteTables(source), inPostgres = postgresTables(target);
    std::vector<std::string> onlySqlite, onlyPostgres;
    std::set_difference(inSqlite.begin(), inSqlite.end(), inPostgres.begin(), inPostgres.end(), std::back_inserter(onlySqlite));
    std::set_difference(inPostgres.begin(), inPostgres.end(), inSqlite.begin(), inSqlite.end(), std::back_inserter(onlyPostgres));
    if (!onlySqlite.empty())
        throw StoreError("state copy: the SQLite state has table(s) " + joined(onlySqlite) +
                         " that the migrations of this build do not create in PostgreSQL; nothing was copied (a "
                         "table made outside the migrations cannot be carried: remove it, or add it as a migration)");
    if (!onlyPostgres.empty())
        throw StoreError("state copy: the PostgreSQL database has table(s) " + joined(onlyPostgres) +
                         " that the SQLite state lacks; nothing was copied");
    std::vector<TablePlan> plans;
    for (const auto& table : inSqlite) {
        plans.push_back(planTable(source, target, table));
        plans.back().sourceRows = source.execAndGet("SELECT COUNT(*) FROM " + ident(table)).getInt64();
    }
    return plans;
}

/// An order-independent checksum of a table's rows: the sum, modulo 2^64 in two halves, of the
/// first 128 bits of each row's SHA-256. Rows are encoded by kind and length, so the same values
/// read from SQLite and from PostgreSQL give the same sum whatever order either returns them in.
class TableChecksum {
public:
    void add(const std::string& encodedRow) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        if (EVP_Digest(encodedRow.data(), encodedRow.size(), digest, &size, EVP_sha256(), nullptr) != 1 || size < 16)
            throw StoreError("state copy: SHA-256 failed (OpenSSL)");
        for (int half = 0; half < 2; ++half) {
            std::uint64_t v = 0;
            for (int i = 0; i < 8; ++i) v = (v << 8) | digest[half * 8 + i];
            sum_[half] += v;
        }
        ++rows_;
    }
    std::int64_t rows() const { return rows_; }
    std::string hex() const {
        char buf[33];
        std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(sum_[0]),
                      static_cast<unsigned long long>(sum_[1]));
        return buf;
    }

private:
    std::uint64_t sum_[2] = {0, 0};
    std::int64_t rows_ = 0;
};

/// Appends one value to a row's encoding: N for NULL, else the kind, the length and the bytes.
void encodeValue(std::string& row, Kind kind, bool null, const std::string& value) {
    if (null) {
        row += 'N';
        return;
    }
    row += kind == Kind::Integer ? 'I' : kind == Kind::Text ? 'T' : 'B';
    row += std::to_string(value.size());
    row += ':';
    row += value;
}

bool isInteger(const std::string& v) {
    const std::size_t start = !v.empty() && v[0] == '-' ? 1 : 0;
    return v.size() > start && std::all_of(v.begin() + static_cast<std::ptrdiff_t>(start), v.end(),
                                           [](char c) { return c >= '0' && c <= '9'; });
}

std::string selectAll(const TablePlan& t) {
    std::string cols;
    for (const auto& c : t.columns) cols += (cols.empty() ? "" : ", ") + (c.fromRowid ? std::string("rowid") : ident(c.name));
    return "SELECT " + cols + " FROM " + ident(t.name);
}

std::string insertSql(const TablePlan& t, std::size_t rows) {
    std::string cols, tuple;
    bool identity = false;
    for (const auto& c : t.columns) {
        cols += (cols.empty() ? "" : ", ") + ident(c.name);
        tuple += tuple.empty() ? "(?" : ", ?";
        identity = identity || c.identity;
    }
    tuple += ")";
    std::string sql = "INSERT INTO " + ident(t.name) + " (" + cols + ")" + (identity ? " OVERRIDING SYSTEM VALUE" : "") +
                      " VALUES ";
    for (std::size_t i = 0; i < rows; ++i) sql += (i ? ", " : "") + tuple;
    return sql;
}

/// Copies one table's rows in multi-row INSERTs.
void copyRows(Session& source, Session& target, const TablePlan& t, std::int64_t& done, std::int64_t total,
                       const StateCopyOptions& options) {
    const std::size_t width = t.columns.size();
    // PostgreSQL allows 65,535 parameters per statement; a few hundred rows per round trip is
    // where a bigger batch stops paying.
    const std::size_t batch = std::max<std::size_t>(1, std::min<std::size_t>(500, 30000 / std::max<std::size_t>(1, width)));
    std::int64_t rowNumber = 0;
    Statement read(source, selectAll(t));
    std::vector<std::vector<std::pair<bool, std::string>>> rows;
    const auto flush = [&] {
        if (rows.empty()) return;
        Statement insert(target, insertSql(t, rows.size()));
        int param = 1;
        for (const auto& row : rows)
            for (std::size_t c = 0; c < width; ++c, ++param) {
                const auto& [null, value] = row[c];
                if (null)
                    insert.bind(param);
                else if (t.columns[c].kind == Kind::Blob)
                    insert.bindBlob(param, value);
                else
                    insert.bind(param, value);  // an integer travels as its decimal text; PostgreSQL parses it
            }
        insert.exec();
        done += static_cast<std::int64_t>(rows.size());
        rows.clear();
        if (options.onProgress) options.onProgress(StateCopyProgress{t.name, done, total});
    };
    while (read.executeStep()) {
        ++rowNumber;
        std::vector<std::pair<bool, std::string>> row(width);
        for (std::size_t c = 0; c < width; ++c) {
            const Column col = read.getColumn(static_cast<int>(c));
            row[c] = {col.isNull(), col.getString()};
            if (!row[c].first && t.columns[c].kind == Kind::Integer && !isInteger(row[c].second))
                throw StoreError("state copy: table " + t.name + ", row " + std::to_string(rowNumber) + ": column " +
                                 t.columns[c].name + " holds a value that is not an integer, which PostgreSQL's " +
                                 "integer column cannot take; nothing was copied");
        }
        rows.push_back(std::move(row));
        if (rows.size() == batch) flush();
    }
    flush();
}

/// The checksum of `t` as `db` holds it. PostgreSQL's rows come through a cursor, a few
/// thousand at a time: libpq would otherwise hold a whole table's result (the ledger's items:
/// hundreds of megabytes) in memory at once.
TableChecksum checksumOf(Session& db, const TablePlan& t, bool sqlite) {
    TableChecksum sum;
    TablePlan read = t;
    if (!sqlite)
        for (auto& c : read.columns) c.fromRowid = false;  // PostgreSQL has a real column of that name
    std::string encoded;
    const auto addRows = [&](Statement& q) {
        int n = 0;
        for (; q.executeStep(); ++n) {
            encoded.clear();
            for (std::size_t c = 0; c < t.columns.size(); ++c) {
                const Column col = q.getColumn(static_cast<int>(c));
                encodeValue(encoded, t.columns[c].kind, col.isNull(), col.getString());
            }
            sum.add(encoded);
        }
        return n;
    };
    if (sqlite) {
        Statement q(db, selectAll(read));
        addRows(q);
        return sum;
    }
    db.exec("DECLARE lb_state_copy_verify NO SCROLL CURSOR FOR " + selectAll(read));
    for (;;) {
        Statement q(db, "FETCH 2000 FROM lb_state_copy_verify");
        if (addRows(q) == 0) break;
    }
    db.exec("CLOSE lb_state_copy_verify");
    return sum;
}

/// The next id an identity column hands out comes after the copied ones.
void moveSequences(Session& target, const TablePlan& t) {
    for (const auto& c : t.columns) {
        if (!c.identity) continue;
        const std::string max = "(SELECT MAX(" + ident(c.name) + ") FROM " + ident(t.name) + ")";
        target.execAndGet("SELECT setval(pg_get_serial_sequence(" + literal(ident(t.name)) + ", " + literal(c.name) +
                          "), COALESCE(" + max + ", 1), " + max + " IS NOT NULL)");
    }
}

/// Refuses a target that is not a fresh database before anything is written to it.
void checkTargetBeforeMigrating(Session& target, int sourceVersion) {
    const int version = currentSchemaVersion(target);
    if (version == 0) {
        const std::vector<std::string> own = postgresTables(target);
        if (!own.empty())
            throw ConfigError("state copy: " + target.describe() + " already holds table(s) " + joined(own) +
                              " that are not a ledgerbridge state; copy into an empty database (or schema)");
        return;
    }
    if (version != sourceVersion)
        throw ConfigError("state copy: " + target.describe() + " holds a ledgerbridge state at schema version " +
                          std::to_string(version) + ", the SQLite state is at version " + std::to_string(sourceVersion) +
                          "; copy into an empty database");
}

void checkTargetEmpty(Session& target, const std::vector<TablePlan>& tables) {
    std::vector<std::string> holding;
    for (const auto& t : tables) {
        if (t.name == kVersionTable) continue;
        const std::int64_t n = target.execAndGet("SELECT COUNT(*) FROM " + ident(t.name)).getInt64();
        if (n > 0) holding.push_back(t.name + " (" + std::to_string(n) + " rows)");
    }
    if (!holding.empty())
        throw ConfigError("state copy: " + target.describe() + " already holds a ledgerbridge state: " + joined(holding) +
                          "; nothing was copied. The copy only fills an empty database: it never merges two states");
}

/// Refuses while a run, sync or service holds a lease on the source.
void checkNoLiveLeases(StateStore& sourceStore, Session& source) {
    Leases leases(sourceStore);
    std::string held;
    for (const auto& name : column0(source, "SELECT name FROM leases")) {
        LeaseHolder h;
        if (leases.current(name, h))
            held += (held.empty() ? "" : "; ") + name + " (held by " + h.holder + ")";  // "host:pid:nonce"
    }
    if (!held.empty())
        throw LockBusyError("state copy: the SQLite state " + sourceStore.path() + " is in use: " + held +
                            ". Stop `ledgerbridge serve` and let running exports finish, then copy again");
}

}  // namespace

StateCopyReport copySqliteToPostgres(StateStore& source, const PostgresLocation& target, const StateCopyOptions& options) {
    if (source.dialect() != Dialect::SQLite)
        throw ConfigError("state copy: the source " + source.path() + " is not a SQLite state");
    PostgresSession pg(target.url, target.password, options.busyTimeoutMs);
    StateCopyReport report;
    report.schemaVersion = source.schemaVersion();
    checkTargetBeforeMigrating(pg, report.schemaVersion);
    // Once before touching the target (a refusal then writes nothing at all), and again below
    // under the source's write lock, where no lease can be taken between the check and the copy.
    source.read([&](Session& sqlite) { checkNoLiveLeases(source, sqlite); });
    migrate(pg, report.schemaVersion);

    // The source's write lock for the whole copy: a consistent snapshot, and no run can start
    // writing to it (and so diverge from the copy) until the copy is over.
    source.transaction([&](Session& sqlite) {
        checkNoLiveLeases(source, sqlite);
        pg.begin(Session::Durability::PowerLoss);
        try {
            std::vector<TablePlan> tables = planTables(sqlite, pg);
            checkTargetEmpty(pg, tables);
            std::int64_t total = 0, done = 0;
            for (const auto& t : tables) total += t.sourceRows;
            pg.exec(std::string("DELETE FROM ") + kVersionTable);
            for (const auto& t : tables) {
                copyRows(sqlite, pg, t, done, total, options);
                moveSequences(pg, t);
            }
            // Both sides read again and compared inside the transaction: a difference leaves
            // nothing behind.
            for (const auto& t : tables) {
                const TableChecksum fromSqlite = checksumOf(sqlite, t, true);
                const TableChecksum inPostgres = checksumOf(pg, t, false);
                if (inPostgres.rows() != fromSqlite.rows() || inPostgres.hex() != fromSqlite.hex())
                    throw StoreError("state copy: verification failed for table " + t.name + ": " +
                                     std::to_string(fromSqlite.rows()) + " rows (checksum " + fromSqlite.hex() +
                                     ") in SQLite, " + std::to_string(inPostgres.rows()) + " rows (checksum " +
                                     inPostgres.hex() + ") in PostgreSQL; nothing was kept");
                report.tables.push_back({t.name, inPostgres.rows(), inPostgres.hex()});
                report.rows += inPostgres.rows();
            }
            pg.commit();
        } catch (...) {
            pg.rollback();
            throw;
        }
    });
    return report;
}

}  // namespace ledgerbridge::store
