// Migrations: from an empty file and from every older version, data kept; a newer file refused.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include "TempDir.h"
#include "ledgerbridge/common/Exception.h"
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
