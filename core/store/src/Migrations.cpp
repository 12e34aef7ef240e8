// The schema, as a list of forward-only migrations: see Migrations.h.
// Every table whose rows belong to an environment carries `fingerprint` (see
// config/Fingerprint.h), and every lookup includes it, so staging state never serves production.
// Written once, in SQLite's words; PostgreSQL runs them through forPostgres() (Migrations.h).
// Keep new migrations to plain DDL both engines know (CREATE/ALTER TABLE, CREATE INDEX, partial
// indexes, INSERT ... SELECT); store_tests runs every one on both.
#include "ledgerbridge/store/Migrations.h"

#include <functional>
#include <regex>
#include <utility>

#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::store {

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1, "connections, leases, run history, plugin key-value state",
         R"SQL(
CREATE TABLE connections (
    name         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    environment  TEXT NOT NULL,
    described_as TEXT NOT NULL,
    company_id   TEXT NOT NULL,
    plugin       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (name, fingerprint)
);
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    connection  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT,
    report      TEXT
);
CREATE INDEX runs_by_connection ON runs (connection, started_at);
CREATE TABLE plugin_state (
    plugin      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       BLOB NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (plugin, fingerprint, key)
);
)SQL"},
        {2, "OAuth grants (tokens encrypted at rest) and dry-run flag on runs",
         R"SQL(
CREATE TABLE grants (
    connection        TEXT NOT NULL,
    fingerprint       TEXT NOT NULL,
    kind              TEXT NOT NULL DEFAULT 'pleo',
    subject           TEXT,
    scopes            TEXT,
    client_id         TEXT,
    access_token      BLOB,
    refresh_token     BLOB,
    access_expires_at INTEGER,
    obtained_at       INTEGER,
    last_refresh_at   INTEGER,
    generation        INTEGER NOT NULL DEFAULT 0,
    needs_reauth      INTEGER NOT NULL DEFAULT 0,
    reauth_reason     TEXT,
    PRIMARY KEY (connection, fingerprint, kind)
);
ALTER TABLE runs ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0;
)SQL"},
        {3, "plugin health (crash quarantine)",
         R"SQL(
CREATE TABLE plugin_health (
    plugin              TEXT PRIMARY KEY,
    in_call             TEXT,
    call_started_at     INTEGER,
    call_pid            INTEGER,
    consecutive_crashes INTEGER NOT NULL DEFAULT 0,
    quarantined         INTEGER NOT NULL DEFAULT 0,
    reason              TEXT,
    updated_at          INTEGER NOT NULL
);
)SQL"},
        {4, "export ledger: jobs and entries with their delivery state",
         R"SQL(
CREATE TABLE export_jobs (
    fingerprint      TEXT NOT NULL,
    job_id           TEXT NOT NULL,
    connection       TEXT NOT NULL,
    phase            TEXT NOT NULL,
    number_of_items  INTEGER NOT NULL DEFAULT 0,
    items_cursor     TEXT,
    items_complete   INTEGER NOT NULL DEFAULT 0,
    started_sent     INTEGER NOT NULL DEFAULT 0,
    final_event      TEXT,
    final_reason     TEXT,
    final_sent       INTEGER NOT NULL DEFAULT 0,
    run_id           TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, job_id)
);
CREATE TABLE ledger (
    fingerprint      TEXT NOT NULL,
    job_id           TEXT NOT NULL,
    entry_id         TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    payload          TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    amount_minor     INTEGER NOT NULL DEFAULT 0,
    currency         TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL,
    external_id      TEXT,
    external_url     TEXT,
    exported_at      TEXT,
    failure_type     TEXT,
    failure_reason   TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    reported         INTEGER NOT NULL DEFAULT 0,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, job_id, entry_id)
);
CREATE INDEX ledger_by_state ON ledger (fingerprint, job_id, state, seq);
CREATE INDEX ledger_by_entry ON ledger (fingerprint, entry_id);
)SQL"},
        {5, "staging validations and promotions to production",
         R"SQL(
CREATE TABLE validations (
    id           TEXT PRIMARY KEY,
    environment  TEXT NOT NULL,
    passed       INTEGER NOT NULL,
    plugins      TEXT NOT NULL,
    config_hash  TEXT NOT NULL,
    config_text  TEXT NOT NULL,
    details      TEXT NOT NULL,
    user         TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE TABLE promotions (
    id             TEXT PRIMARY KEY,
    to_environment TEXT NOT NULL,
    validation_id  TEXT NOT NULL,
    plugins        TEXT NOT NULL,
    config_hash    TEXT NOT NULL,
    user           TEXT NOT NULL,
    at             INTEGER NOT NULL
);
)SQL",
         // The promotion history orders ties by SQLite's rowid (Promotions.cpp): the same name here.
         "ALTER TABLE validations ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY; "
         "ALTER TABLE promotions ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY;"},
        {6, "indexes that keep large jobs linear: entries not yet reported, and per-state counts",
         R"SQL(
CREATE INDEX ledger_unreported ON ledger (fingerprint, job_id, seq) WHERE reported = 0;
CREATE INDEX ledger_counts ON ledger (fingerprint, job_id, state, reported);
)SQL"},
        // A ledger row is written at every step of an entry (pushing, outcome, reported); with
        // the 2-3 KB export item in it, each step rewrote a whole page per entry. The item is
        // written once and read once or twice, so it moves to its own table, keyed by an
        // explicit INTEGER PRIMARY KEY (a rowid without one may change on VACUUM). Two queries
        // that scanned a whole job per batch get what keeps them constant: the job remembers
        // how many entries it staged (the next seq), and the unreported index holds only
        // entries that have an outcome to report. ledger_by_state also carries `reported`, so it
        // answers the per-state counts alone (ledger_counts is no longer needed).
        {7, "export items kept apart from the ledger rows that every step rewrites; indexes that keep a batch's queries constant",
         R"SQL(
CREATE TABLE ledger_v7 (
    id               INTEGER PRIMARY KEY,
    fingerprint      TEXT NOT NULL,
    job_id           TEXT NOT NULL,
    entry_id         TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    content_hash     TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    amount_minor     INTEGER NOT NULL DEFAULT 0,
    currency         TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL,
    external_id      TEXT,
    external_url     TEXT,
    exported_at      TEXT,
    failure_type     TEXT,
    failure_reason   TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    reported         INTEGER NOT NULL DEFAULT 0,
    updated_at       INTEGER NOT NULL,
    UNIQUE (fingerprint, job_id, entry_id)
);
CREATE TABLE ledger_payloads (
    entry    INTEGER PRIMARY KEY,
    payload  TEXT NOT NULL
);
INSERT INTO ledger_v7 (fingerprint, job_id, entry_id, seq, content_hash, idempotency_key, amount_minor, currency,
                       state, external_id, external_url, exported_at, failure_type, failure_reason, attempts,
                       reported, updated_at)
    SELECT fingerprint, job_id, entry_id, seq, content_hash, idempotency_key, amount_minor, currency, state,
           external_id, external_url, exported_at, failure_type, failure_reason, attempts, reported, updated_at
    FROM ledger ORDER BY fingerprint, job_id, seq;
INSERT INTO ledger_payloads (entry, payload)
    SELECT n.id, o.payload FROM ledger o
    JOIN ledger_v7 n ON n.fingerprint = o.fingerprint AND n.job_id = o.job_id AND n.entry_id = o.entry_id;
DROP TABLE ledger;
ALTER TABLE ledger_v7 RENAME TO ledger;
CREATE INDEX ledger_by_state ON ledger (fingerprint, job_id, state, seq, reported);
CREATE INDEX ledger_by_entry ON ledger (fingerprint, entry_id);
CREATE INDEX ledger_unreported ON ledger (fingerprint, job_id, seq)
    WHERE reported = 0 AND state IN ('posted', 'rejected');
ALTER TABLE export_jobs ADD COLUMN staged INTEGER NOT NULL DEFAULT 0;
UPDATE export_jobs SET staged = (SELECT COALESCE(MAX(l.seq), -1) + 1 FROM ledger l
                                 WHERE l.fingerprint = export_jobs.fingerprint AND l.job_id = export_jobs.job_id);
)SQL"},
        // The master-data sync (core/masterdata): what was last written to Pleo per ERP record
        // (so an unchanged ERP costs no Pleo reads or writes) and the history of syncs.
        {8, "master-data sync: last synced state per connection, kind and ERP id; sync history",
         R"SQL(
CREATE TABLE master_data_synced (
    fingerprint  TEXT NOT NULL,
    connection   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    erp_id       TEXT NOT NULL,
    hash         TEXT NOT NULL,
    pleo_id      TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, connection, kind, erp_id)
);
CREATE TABLE syncs (
    id           TEXT PRIMARY KEY,
    connection   TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    outcome      TEXT,
    full_sync    INTEGER NOT NULL DEFAULT 0,
    dry_run      INTEGER NOT NULL DEFAULT 0,
    report       TEXT
);
CREATE INDEX syncs_by_connection ON syncs (connection, fingerprint, started_at);
)SQL"},
        // Crashes are counted per plugin and file: the SHA-256 of the .so the streak (and a
        // quarantine) belongs to. A replaced file starts clean; NULL (rows from before, and
        // quarantines set without a file) applies to any file.
        {9, "plugin health: the file hash a crash streak and quarantine belong to",
         R"SQL(
ALTER TABLE plugin_health ADD COLUMN file_hash TEXT;
)SQL"},
        // Replicas sharing one database (issue 21): a fencing token per lease (Leases.h; rows from
        // before start at 0 and the next taking makes it 1), and the runs a replica was asked for
        // (a webhook) but could not start because another replica held the connection's lease:
        // whoever holds or next takes that lease runs them (RunRequests.h). One row per
        // connection: requests coalesce, as webhooks during a run do in one process.
        {10, "lease fencing tokens; run requests for the replica that holds a connection's lease",
         R"SQL(
ALTER TABLE leases ADD COLUMN token INTEGER NOT NULL DEFAULT 0;
CREATE TABLE run_requests (
    connection   TEXT PRIMARY KEY,
    lease        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    requested_at INTEGER NOT NULL
);
)SQL"},
    };
    return all;
}

std::string forPostgres(const std::string& sqliteSql) {
    static const std::pair<std::regex, const char*> rules[] = {
        {std::regex(R"(\bINTEGER PRIMARY KEY\b)"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
        {std::regex(R"(\bINTEGER\b)"), "BIGINT"},
        {std::regex(R"(\bBLOB\b)"), "BYTEA"},
        {std::regex(R"((\n\s+)user(\s))"), "$1\"user\"$2"},
    };
    std::string out = sqliteSql;
    for (const auto& [pattern, replacement] : rules) out = std::regex_replace(out, pattern, replacement);
    return out;
}

std::string Migration::sqlFor(Dialect d) const {
    if (d == Dialect::SQLite) return sql;
    return forPostgres(sql) + (postgresExtra ? postgresExtra : "");
}

int latestSchemaVersion() { return migrations().back().version; }

int currentSchemaVersion(Session& db) {
    if (!db.tableExists("schema_version")) return 0;
    return db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_version").getInt();
}

void migrate(Session& db, int target) {
    if (target < 0) target = latestSchemaVersion();
    const bool pg = db.dialect() == Dialect::PostgreSQL;
    // Each step re-reads the version inside its write transaction: another process opening the
    // same new database at the same moment applies every migration once, not twice.
    const auto inTransaction = [&](const std::string& doing, const std::function<void()>& work) {
        try {
            db.begin(Session::Durability::PowerLoss);
            work();
            db.commit();
        } catch (const std::exception& e) {
            db.rollback();
            throw StoreError(doing + " failed on " + db.describe() + ": " + e.what());
        }
    };
    inTransaction("creating the schema_version table", [&] {
        db.exec(std::string("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                            "applied_at TEXT NOT NULL DEFAULT ") +
                (pg ? "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
                    : "(strftime('%Y-%m-%dT%H:%M:%SZ','now'))") +
                ")");
    });
    const int current = currentSchemaVersion(db);
    if (current > latestSchemaVersion())
        throw StoreError("the state database " + db.describe() + " has schema version " + std::to_string(current) +
                         ", created by a newer ledgerbridge (this build knows up to " +
                         std::to_string(latestSchemaVersion()) + "); upgrade ledgerbridge or use another state " +
                         (pg ? "database" : "directory"));
    for (const Migration& m : migrations()) {
        if (m.version <= current || m.version > target) continue;
        inTransaction("schema migration " + std::to_string(m.version) + " (" + m.description + ")", [&] {
            if (currentSchemaVersion(db) >= m.version) return;  // applied meanwhile by another process
            db.exec(m.sqlFor(db.dialect()));
            Statement record(db, "INSERT INTO schema_version (version, description) VALUES (?, ?)");
            record.bind(1, m.version);
            record.bind(2, m.description);
            record.exec();
        });
    }
}

}  // namespace ledgerbridge::store
