// Copying a SQLite state into a real PostgreSQL (StateCopy.h): a state written through the
// repositories is copied, then read back by a reader that shares no code with the copy (SQLite's C
// API on one side, libpq on the other) table by table; the copied store works (sequences moved
// past the copied ids); every refusal leaves the target empty; an error mid-copy keeps nothing.
// PostgreSQL only: skipped without LEDGERBRIDGE_TEST_PG_URL (run under scripts/with-postgres).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <thread>

#include "StoreBackends.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Grants.h"
#include "ledgerbridge/store/Integrity.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/Ledger.h"
#include "ledgerbridge/store/Migrations.h"
#include "ledgerbridge/store/PluginState.h"
#include "ledgerbridge/store/Promotions.h"
#include "ledgerbridge/store/Runs.h"
#include "ledgerbridge/store/StateCopy.h"

using namespace ledgerbridge;

class StateCopy : public BackendTest {
protected:
    std::string sourceDir() const { return tmp().sub("sqlite-state"); }
    std::unique_ptr<store::StateStore> openSource() const { return std::make_unique<store::StateStore>(sourceDir()); }
    store::StateCopyReport copy(store::StateStore& source) { return store::copySqliteToPostgres(source, pgLocation()); }
    /// Changes the source with `sql`, then the StoreError message of a copy of it.
    std::string copyAfter(store::StateStore& source, const std::string& sql) {
        source.transaction([&](store::Session& db) { db.exec(sql); });
        return errorOf<StoreError>([&] { copy(source); });
    }
};
INSTANTIATE_TEST_SUITE_P(, StateCopy, ::testing::Values(Backend::PostgreSQL), backendName);

namespace {

using Rows = std::vector<std::string>;  // one string per row, values separated by \x1f, sorted

std::string hex(const unsigned char* p, int n) {
    static const char* digits = "0123456789abcdef";
    std::string out = "\\x";
    for (int i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

/// libpq, by hand: the rows of `table` in PostgreSQL's text output (bytea as \x hex), and the
/// column names in table order.
struct PgReader {
    PGconn* conn = nullptr;
    explicit PgReader(const store::PostgresLocation& at) {
        const char* keys[] = {"dbname", "password", nullptr};
        const char* values[] = {at.url.c_str(), at.password.c_str(), nullptr};
        conn = PQconnectdbParams(keys, values, 1);
        if (PQstatus(conn) != CONNECTION_OK) ADD_FAILURE() << PQerrorMessage(conn);
    }
    ~PgReader() { PQfinish(conn); }
    PGresult* query(const std::string& sql) {
        PGresult* r = PQexec(conn, sql.c_str());
        if (PQresultStatus(r) != PGRES_TUPLES_OK) ADD_FAILURE() << sql << ": " << PQerrorMessage(conn);
        return r;
    }
    std::vector<std::string> columns(const std::string& table) {
        PGresult* r = query("SELECT * FROM \"" + table + "\" LIMIT 0");
        std::vector<std::string> out;
        for (int c = 0; c < PQnfields(r); ++c) out.push_back(PQfname(r, c));
        PQclear(r);
        return out;
    }
    Rows rows(const std::string& table) {
        PGresult* r = query("SELECT * FROM \"" + table + "\"");
        Rows out;
        for (int i = 0; i < PQntuples(r); ++i) {
            std::string row;
            for (int c = 0; c < PQnfields(r); ++c)
                row += (PQgetisnull(r, i, c) ? std::string("NULL") : std::string(PQgetvalue(r, i, c))) + "\x1f";
            out.push_back(row);
        }
        PQclear(r);
        std::sort(out.begin(), out.end());
        return out;
    }
    long long count(const std::string& table) {
        PGresult* r = query("SELECT COUNT(*) FROM \"" + table + "\"");
        long long n = PQntuples(r) == 1 ? std::atoll(PQgetvalue(r, 0, 0)) : -1;
        PQclear(r);
        return n;
    }
};

/// SQLite's C API, by hand: the same rows rendered as PostgreSQL's text output renders them.
struct SqliteReader {
    sqlite3* db = nullptr;
    explicit SqliteReader(const std::string& file) {
        if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) ADD_FAILURE() << file;
    }
    ~SqliteReader() { sqlite3_close(db); }
    std::vector<std::string> tables() {
        std::vector<std::string> out;
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", -1, &s, nullptr);
        while (sqlite3_step(s) == SQLITE_ROW) out.push_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
        sqlite3_finalize(s);
        return out;
    }
    Rows rows(const std::string& table, const std::vector<std::string>& columns) {
        std::string sql = "SELECT ";
        for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", \"" : "\"") + columns[i] + "\"";
        sql += " FROM \"" + table + "\"";
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
        Rows out;
        while (sqlite3_step(s) == SQLITE_ROW) {
            std::string row;
            for (int c = 0; c < sqlite3_column_count(s); ++c) {
                switch (sqlite3_column_type(s, c)) {
                    case SQLITE_NULL: row += "NULL"; break;
                    case SQLITE_BLOB:
                        row += hex(static_cast<const unsigned char*>(sqlite3_column_blob(s, c)), sqlite3_column_bytes(s, c));
                        break;
                    default:
                        row += std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, c)),
                                           static_cast<std::size_t>(sqlite3_column_bytes(s, c)));
                }
                row += "\x1f";
            }
            out.push_back(row);
        }
        sqlite3_finalize(s);
        std::sort(out.begin(), out.end());
        return out;
    }
};

store::LedgerEntry entry(const std::string& id, int n) {
    store::LedgerEntry e;
    e.entryId = id;
    e.payload = "{\"accountingEntryId\":\"" + id + "\",\"note\":\"" + std::string(static_cast<std::size_t>(200 + n % 50), 'x') + "\"}";
    e.contentHash = store::sha256Hex(e.payload);
    e.idempotencyKey = "key-" + id;
    e.amountMinor = 100 + n;
    e.currency = n % 3 ? "DKK" : "EUR";
    return e;
}

store::JobRecord jobRecord(const std::string& id, const std::string& phase) {
    store::JobRecord job;
    job.fingerprint = "fp";
    job.jobId = id;
    job.connection = "acme";
    job.phase = phase;
    return job;
}

store::ValidationRecord validation(const std::string& configHash, std::int64_t at, bool passed) {
    store::ValidationRecord v;
    v.environment = "staging";
    v.passed = passed;
    v.plugins = "csv 1.0 abc";
    v.configHash = configHash;
    v.configText = "[connection.acme]";
    v.details = "ok";
    v.user = "ops";
    v.at = at;
    return v;
}

/// A state with every repository's rows: `jobs` jobs of `perJob` entries in several states
/// (posted and reported, rejected, pushing = unfinished), sealed grant bytes with NUL bytes,
/// binary plugin state, runs, validations and a promotion.
void fill(store::StateStore& s, int jobs, int perJob) {
    store::Ledger ledger(s);
    for (int j = 0; j < jobs; ++j) {
        store::JobRecord job = jobRecord("job-" + std::to_string(j), "delivering");
        job.numberOfItems = perJob;
        ledger.saveJob(job);
        for (int page = 0; page * 250 < perJob; ++page) {
            std::vector<store::LedgerEntry> entries;
            for (int i = page * 250; i < std::min(perJob, (page + 1) * 250); ++i)
                entries.push_back(entry("e-" + std::to_string(j) + "-" + std::to_string(i), i));
            ledger.stagePage("fp", job.jobId, entries, "cursor-" + std::to_string(page + 1), (page + 1) * 250 >= perJob);
        }
        // The first half posted (a third of it reported), a few rejected, the next batch pushing.
        std::vector<std::string> pushing;
        for (int i = 0; i < perJob / 2 + 50; ++i) pushing.push_back("e-" + std::to_string(j) + "-" + std::to_string(i));
        ledger.markPushing("fp", job.jobId, pushing);
        std::vector<store::LedgerEntry> outcomes;
        std::vector<std::string> reported;
        for (int i = 0; i < perJob / 2; ++i) {
            store::LedgerEntry o = *ledger.entry("fp", job.jobId, "e-" + std::to_string(j) + "-" + std::to_string(i), false);
            o.state = i % 40 == 7 ? store::EntryState::Rejected : store::EntryState::Posted;
            o.externalId = o.state == store::EntryState::Posted ? "file.csv#" + o.entryId : "";
            o.failureType = o.state == store::EntryState::Rejected ? "INVALID_ACCOUNT" : "";
            o.exportedAt = "2026-12-07T17:00:00Z";
            outcomes.push_back(o);
            if (i < perJob / 6) reported.push_back(o.entryId);
        }
        ledger.recordOutcomes(outcomes);
        ledger.markReported("fp", job.jobId, reported);
    }
    store::GrantRecord g;
    g.connection = "acme";
    g.fingerprint = "fp";
    g.accessToken = std::string("\x00sealed\x01\xff access", 15);
    g.refreshToken = std::string("\x00sealed refresh\x00", 16);
    g.accessExpiresAt = 1765126800000;
    store::Grants(s).put(g);
    store::PluginState(s).put("csv", "fp", "counter", std::string("\x00\x01\x02 binary", 10));
    store::Runs runs(s);
    runs.finish(runs.start("acme", "fp", false), "ok", "{\"jobs\":[]}");
    runs.start("acme", "fp", false);  // a run that died: no finish
    store::Promotions promotions(s);
    for (int i = 0; i < 3; ++i) {
        const store::ValidationRecord v = validation("h" + std::to_string(i), 1000 + i, i != 1);
        const std::string id = promotions.recordValidation(v);
        if (i == 2) {
            store::PromotionRecord p;
            p.toEnvironment = "production";
            p.validationId = id;
            p.plugins = v.plugins;
            p.configHash = v.configHash;
            p.user = "ops";
            p.at = 2000;
            promotions.recordPromotion(p);
        }
    }
}

void expectTargetEmpty(PgReader& pg) {
    for (const char* t : {"ledger", "ledger_payloads", "export_jobs", "grants", "runs", "plugin_state", "validations"})
        EXPECT_EQ(pg.count(t), 0) << t << " kept rows of a copy that did not finish";
}

}  // namespace

TEST_P(StateCopy, EveryTableArrivesAsAnIndependentReaderSeesItAndTheCopiedStoreWorks) {
    {
        auto source = openSource();
        fill(*source, 3, 2000);
        const store::StateCopyReport report = copy(*source);
        EXPECT_EQ(report.schemaVersion, store::latestSchemaVersion());
        std::int64_t ledgerRows = 0;
        for (const auto& t : report.tables) {
            if (t.name == "ledger" || t.name == "ledger_payloads") ledgerRows += t.rows;
            EXPECT_EQ(t.checksum.size(), 32u) << t.name;
        }
        EXPECT_EQ(ledgerRows, 2 * 3 * 2000);
    }
    // Table by table, row by row, read by code that shares nothing with the copy.
    SqliteReader sqlite(sourceDir() + "/ledgerbridge.db");
    PgReader pg(pgLocation());
    const std::vector<std::string> tables = sqlite.tables();
    EXPECT_GE(tables.size(), 14u);
    for (const auto& table : tables) {
        const std::vector<std::string> columns = pg.columns(table);
        ASSERT_FALSE(columns.empty()) << table << " is missing in PostgreSQL";
        const Rows want = sqlite.rows(table, columns), got = pg.rows(table);
        EXPECT_EQ(got.size(), want.size()) << table;
        EXPECT_TRUE(got == want) << table << " differs";
    }
    EXPECT_EQ(pg.count("ledger"), 6000);

    // The copied state is a working store: unfinished entries are where they were, and new rows
    // get ids after the copied ones (the sequences were moved).
    auto copied = open();
    store::Ledger ledger(*copied);
    auto pushing = ledger.entries("fp", "job-1", store::EntryState::Pushing, 1000);
    EXPECT_EQ(pushing.size(), 50u);
    EXPECT_EQ(ledger.counts("fp", "job-1").reported, 2000 / 6);
    ledger.saveJob(jobRecord("job-after-the-move", "fetching"));
    ASSERT_NO_THROW(ledger.stagePage("fp", "job-after-the-move", {entry("new-1", 1), entry("new-2", 2)}, "", true));
    EXPECT_EQ(ledger.entry("fp", "job-after-the-move", "new-2")->payload, entry("new-2", 2).payload);
    store::Promotions promotions(*copied);
    // At the same instant as the newest copied one: the order of insertion decides.
    promotions.recordValidation(validation("newest", 1002, true));
    EXPECT_EQ(promotions.latestPassingValidation("")->configHash, "newest");
    EXPECT_EQ(store::Grants(*copied).find("acme", "fp")->refreshToken, std::string("\x00sealed refresh\x00", 16));
}

TEST_P(StateCopy, RefusesATargetThatAlreadyHoldsAState) {
    auto source = openSource();
    fill(*source, 1, 10);
    copy(*source);
    store::Runs(*source).start("acme", "fp", false);
    const std::string error = errorOf<ConfigError>([&] { copy(*source); });
    EXPECT_NE(error.find("already holds a ledgerbridge state"), std::string::npos) << error;
    EXPECT_NE(error.find("runs (2 rows)"), std::string::npos) << error;
    PgReader pg(pgLocation());
    EXPECT_EQ(pg.count("runs"), 2) << "the refused copy changed the target";
}

TEST_P(StateCopy, RefusesATargetAtAnotherSchemaVersionOrWithTablesOfItsOwn) {
    auto source = openSource();
    fill(*source, 1, 10);
    {
        auto raw = rawSession();
        store::migrate(*raw, 5);
    }
    std::string error = errorOf<ConfigError>([&] { copy(*source); });
    EXPECT_NE(error.find("schema version 5"), std::string::npos) << error;
    EXPECT_EQ(store::currentSchemaVersion(*rawSession()), 5) << "the refused target was migrated";

    resetDatabase();
    rawSession()->exec("CREATE TABLE invoices (id BIGINT)");
    error = errorOf<ConfigError>([&] { copy(*source); });
    EXPECT_NE(error.find("invoices"), std::string::npos) << error;
    EXPECT_FALSE(rawSession()->tableExists("ledger")) << "the refused target was migrated";
}

TEST_P(StateCopy, RefusesWhileARunHoldsALeaseOnTheSourceButNotForAnExpiredOne) {
    auto source = openSource();
    fill(*source, 1, 10);
    store::Leases leases(*source);
    ASSERT_TRUE(leases.tryAcquire("run:fp", 60000));
    const std::string error = errorOf<LockBusyError>([&] { copy(*source); });
    EXPECT_NE(error.find("run:fp (held by " + store::Leases::selfHolder() + ")"), std::string::npos) << error;
    EXPECT_NE(error.find("Stop `ledgerbridge serve`"), std::string::npos) << error;
    EXPECT_FALSE(rawSession()->tableExists("schema_version")) << "a refused copy migrated the target";
    PgReader pg(pgLocation());

    leases.release("run:fp");
    ASSERT_TRUE(leases.tryAcquire("sync:fp", 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_NO_THROW(copy(*source)) << "an expired lease blocked the copy";
    std::int64_t leaseRows = 0;  // released leases may keep their row (a fencing token's history)
    source->read([&](store::Session& db) { leaseRows = db.execAndGet("SELECT COUNT(*) FROM leases").getInt64(); });
    EXPECT_GE(leaseRows, 1);
    EXPECT_EQ(pg.count("leases"), leaseRows) << "the expired lease rows are part of the state";
}

TEST_P(StateCopy, AValuePostgresRefusesKeepsNothingAndARetryAfterTheFixWorks) {
    auto source = openSource();
    fill(*source, 2, 600);
    // Bytes that are not UTF-8 in a text column: SQLite keeps them, PostgreSQL refuses them.
    const std::string error = copyAfter(*source, "UPDATE runs SET report = CAST(X'7B22ff22' AS TEXT)");
    EXPECT_NE(error.find("UTF8"), std::string::npos) << error;
    PgReader pg(pgLocation());
    expectTargetEmpty(pg);

    source->transaction([](store::Session& db) { db.exec("UPDATE runs SET report = '{}'"); });
    const auto report = copy(*source);
    EXPECT_EQ(pg.count("ledger"), 1200);
    EXPECT_GT(report.rows, 2400);
}

// A NUL byte inside a SQLite text: PostgreSQL's text cannot hold it, and libpq would send the
// value cut short without any error. The PostgreSQL session refuses it at the bind, naming the
// statement (the verification afterwards would catch a cut value too).
TEST_P(StateCopy, ATextHoldingANulByteIsRefusedNamingTheTableAndNothingIsKept) {
    auto source = openSource();
    fill(*source, 1, 300);
    const std::string error = copyAfter(*source, "UPDATE runs SET report = CAST(X'7B0022782F227D' AS TEXT)");
    EXPECT_NE(error.find("holding a NUL byte"), std::string::npos) << error;
    EXPECT_NE(error.find("INSERT INTO \"runs\""), std::string::npos) << error;
    PgReader pg(pgLocation());
    expectTargetEmpty(pg);
}

TEST_P(StateCopy, ATextInAnIntegerColumnIsNamedAndNothingIsKept) {
    auto source = openSource();
    fill(*source, 1, 10);
    const std::string error = copyAfter(*source, "UPDATE ledger SET attempts = 'twice' WHERE entry_id = 'e-0-3'");
    EXPECT_NE(error.find("table ledger"), std::string::npos) << error;
    EXPECT_NE(error.find("column attempts"), std::string::npos) << error;
    EXPECT_EQ(error.find("twice"), std::string::npos) << "a value was printed: " << error;
    PgReader pg(pgLocation());
    expectTargetEmpty(pg);
}

// A later migration's table (here: one both sides got by hand, as a migration would give them)
// is copied without a change to the copy; a table only the source has stops it, named.
TEST_P(StateCopy, TablesOfLaterMigrationsAreCopiedAndAnUnknownOneIsNamed) {
    auto source = openSource();
    fill(*source, 1, 10);
    const std::string future = "CREATE TABLE fenced_things (id INTEGER PRIMARY KEY, token INTEGER NOT NULL, note TEXT, data BLOB)";
    source->transaction([&](store::Session& db) {
        db.exec(future);
        db.exec("INSERT INTO fenced_things (token, note, data) VALUES (7, 'seven', X'00ff'), (8, NULL, NULL)");
    });
    {
        auto raw = rawSession();
        store::migrate(*raw);
        raw->exec(store::forPostgres(future));
    }
    const auto report = copy(*source);
    const auto it = std::find_if(report.tables.begin(), report.tables.end(),
                                 [](const store::CopiedTable& t) { return t.name == "fenced_things"; });
    ASSERT_NE(it, report.tables.end());
    EXPECT_EQ(it->rows, 2);
    PgReader pg(pgLocation());
    EXPECT_EQ(pg.rows("fenced_things"), (Rows{"1\x1f" "7\x1f" "seven\x1f\\x00ff\x1f", "2\x1f" "8\x1fNULL\x1fNULL\x1f"}));

    resetDatabase();
    const std::string error = errorOf<StoreError>([&] { copy(*source); });
    EXPECT_NE(error.find("fenced_things"), std::string::npos) << error;
    expectTargetEmpty(pg);
}
