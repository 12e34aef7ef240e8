// Migrations: from an empty file and from every older version, data kept; a newer file refused.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include "TempDir.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Integrity.h"
#include "ledgerbridge/store/Ledger.h"
#include "ledgerbridge/store/Migrations.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge;

TEST(Migrations, VersionsAreContiguousFromOne) {
    int expected = 1;
    for (const auto& m : store::migrations()) EXPECT_EQ(m.version, expected++) << m.description;
}

TEST(Migrations, EmptyFileMigratesToLatest) {
    TempDir tmp;
    SQLite::Database db(tmp.sub("x.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    EXPECT_EQ(store::currentSchemaVersion(db), 0);
    store::migrate(db);
    EXPECT_EQ(store::currentSchemaVersion(db), store::latestSchemaVersion());
    EXPECT_TRUE(db.tableExists("grants"));
    EXPECT_TRUE(db.tableExists("plugin_health"));
}

// For each older version: build a database at that version, put a run in it, migrate with
// the real StateStore, and check the run survived with the columns later versions added.
TEST(Migrations, EveryOlderVersionMigratesForwardKeepingData) {
    for (int from = 1; from < store::latestSchemaVersion(); ++from) {
        SCOPED_TRACE("from version " + std::to_string(from));
        TempDir tmp;
        {
            SQLite::Database db(tmp.sub("ledgerbridge.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            store::migrate(db, from);
            ASSERT_EQ(store::currentSchemaVersion(db), from);
            db.exec("INSERT INTO runs (id, connection, fingerprint, started_at, outcome) VALUES ('r1','acme','fp',5,'ok')");
            db.exec("INSERT INTO plugin_state VALUES ('csv','fp','cursor',x'2a',1)");
        }
        store::StateStore s(tmp.str());
        EXPECT_EQ(s.schemaVersion(), store::latestSchemaVersion());
        s.read([](SQLite::Database& db) {
            SQLite::Statement q(db, "SELECT connection, outcome, dry_run FROM runs WHERE id = 'r1'");
            ASSERT_TRUE(q.executeStep());
            EXPECT_EQ(q.getColumn(0).getString(), "acme");
            EXPECT_EQ(q.getColumn(1).getString(), "ok");
            EXPECT_EQ(q.getColumn(2).getInt(), 0);
            EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM plugin_state").getInt(), 1);
        });
    }
}

// Version 7 moved the export item out of the ledger row: every entry of a version-6 ledger
// keeps its state, order and item.
TEST(Migrations, LedgerRowsKeepTheirItemsWhenItemsMoveToTheirOwnTable) {
    TempDir tmp;
    {
        SQLite::Database db(tmp.sub("ledgerbridge.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        store::migrate(db, 6);
        for (int i = 0; i < 3; ++i) {
            std::string n = std::to_string(i);
            // The real hash of the item: the ledger checks it whenever it hands the item out.
            std::string hash = store::sha256Hex("{\"accountingEntryId\":\"e" + n + "\"}");
            db.exec("INSERT INTO ledger (fingerprint, job_id, entry_id, seq, payload, content_hash, idempotency_key, "
                    "state, external_id, reported, updated_at) VALUES ('fp', 'j1', 'e" + n + "', " + n +
                    ", '{\"accountingEntryId\":\"e" + n + "\"}', '" + hash + "', 'k" + n + "', " +
                    (i == 0 ? "'posted', 'X-0', 1" : "'planned', NULL, 0") + ", 5)");
        }
    }
    store::StateStore s(tmp.str());
    ASSERT_EQ(s.schemaVersion(), store::latestSchemaVersion());
    store::Ledger ledger(s);
    auto first = ledger.entry("fp", "j1", "e0");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->payload, "{\"accountingEntryId\":\"e0\"}");
    EXPECT_EQ(first->state, store::EntryState::Posted);
    EXPECT_EQ(first->externalId, "X-0");
    EXPECT_TRUE(first->reported);
    auto planned = ledger.entries("fp", "j1", store::EntryState::Planned, 10);
    ASSERT_EQ(planned.size(), 2u);
    EXPECT_EQ(planned[0].entryId, "e1");
    EXPECT_EQ(planned[1].payload, "{\"accountingEntryId\":\"e2\"}");
    EXPECT_EQ(planned[1].idempotencyKey, "k2");
    s.read([](SQLite::Database& db) {
        EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM ledger_payloads").getInt(), 3);
        EXPECT_FALSE(db.tableExists("ledger_v7"));
    });
}

TEST(Migrations, DatabaseFromANewerBuildIsRefused) {
    TempDir tmp;
    {
        SQLite::Database db(tmp.sub("ledgerbridge.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        store::migrate(db);
        db.exec("INSERT INTO schema_version (version, description) VALUES (999, 'from the future')");
    }
    try {
        store::StateStore s(tmp.str());
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("has schema version 999, created by a newer ledgerbridge"), std::string::npos)
            << e.what();
    }
}
