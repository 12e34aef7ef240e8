// Opening the store: permissions, WAL, and each failure with its message.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/stat.h>

#include <fstream>

#include "TempDir.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/Migrations.h"
#include "ledgerbridge/store/StateStore.h"

using namespace ledgerbridge;

namespace {
mode_t modeOf(const std::string& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
}
}  // namespace

TEST(StateStore, CreatesPrivateDirectoryAndFileInWalModeAtLatestSchema) {
    TempDir tmp;
    std::string dir = tmp.sub("state/nested");
    store::StateStore s(dir);
    EXPECT_EQ(modeOf(dir), 0700u);
    EXPECT_EQ(modeOf(s.path()), 0600u);
    EXPECT_EQ(s.schemaVersion(), store::latestSchemaVersion());
    std::string mode;
    s.read([&](SQLite::Database& db) { mode = db.execAndGet("PRAGMA journal_mode").getString(); });
    EXPECT_EQ(mode, "wal");
}

TEST(StateStore, ReopeningKeepsDataAndDoesNotMigrateTwice) {
    TempDir tmp;
    {
        store::StateStore s(tmp.str());
        s.transaction([](SQLite::Database& db) { db.exec("INSERT INTO plugin_state VALUES ('p','f','k',x'01',1)"); });
    }
    store::StateStore s(tmp.str());
    int rows = 0, migrationsRecorded = 0;
    s.read([&](SQLite::Database& db) {
        rows = db.execAndGet("SELECT COUNT(*) FROM plugin_state").getInt();
        migrationsRecorded = db.execAndGet("SELECT COUNT(*) FROM schema_version").getInt();
    });
    EXPECT_EQ(rows, 1);
    EXPECT_EQ(migrationsRecorded, store::latestSchemaVersion());
}

TEST(StateStore, UnwritableDirectoryIsNamedAndNothingIsCreated) {
    if (::geteuid() == 0) {
        // root ignores directory permissions; a file in the way of the directory still fails.
        TempDir tmp;
        std::ofstream(tmp.sub("blocker")) << "x";
        try {
            store::StateStore s(tmp.sub("blocker/state"));
            FAIL() << "expected IoError";
        } catch (const IoError& e) {
            EXPECT_NE(std::string(e.what()).find("cannot create the state directory " + tmp.sub("blocker/state")),
                      std::string::npos)
                << e.what();
        }
        return;
    }
    TempDir tmp;
    ::chmod(tmp.str().c_str(), 0500);
    EXPECT_THROW(store::StateStore s(tmp.sub("state")), IoError);
    ::chmod(tmp.str().c_str(), 0700);
}

TEST(StateStore, AFileThatIsNotADatabaseIsRefusedWithAHint) {
    TempDir tmp;
    std::ofstream(tmp.sub("ledgerbridge.db")) << "this is not sqlite, just text that is long enough to matter......";
    try {
        store::StateStore s(tmp.str());
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot be read as a state database"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("recover it (see \"State: damage and recovery\""), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("rather than starting afresh"), std::string::npos) << e.what();
    }
}

TEST(StateStore, TransactionRollsBackWhenWorkThrows) {
    TempDir tmp;
    store::StateStore s(tmp.str());
    EXPECT_THROW(s.transaction([](SQLite::Database& db) {
        db.exec("INSERT INTO plugin_state VALUES ('p','f','k',x'01',1)");
        throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    int rows = -1;
    s.read([&](SQLite::Database& db) { rows = db.execAndGet("SELECT COUNT(*) FROM plugin_state").getInt(); });
    EXPECT_EQ(rows, 0);
}
