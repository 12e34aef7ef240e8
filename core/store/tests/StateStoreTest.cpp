// Opening the store: permissions, WAL, and each failure with its message.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include "StoreBackends.h"
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
    s.read([&](store::Session& db) { mode = db.execAndGet("PRAGMA journal_mode").getString(); });
    EXPECT_EQ(mode, "wal");
}

namespace {
void insertState(store::Session& db) {
    store::Statement q(db, "INSERT INTO plugin_state VALUES ('p','f','k',?,1)");
    q.bindBlob(1, std::string("\x01\x00\x02", 3));
    q.exec();
}
}  // namespace

LB_ON_BOTH_BACKENDS(StateStoreBackends);

TEST_P(StateStoreBackends, ReopeningKeepsDataAndDoesNotMigrateTwice) {
    open()->transaction(insertState);
    auto opened = open();
    store::StateStore& s = *opened;
    int rows = 0, migrationsRecorded = 0;
    std::string value;
    s.read([&](store::Session& db) {
        value = db.execAndGet("SELECT value FROM plugin_state").getString();
        rows = db.execAndGet("SELECT COUNT(*) FROM plugin_state").getInt();
        migrationsRecorded = db.execAndGet("SELECT COUNT(*) FROM schema_version").getInt();
    });
    EXPECT_EQ(rows, 1);
    EXPECT_EQ(value, std::string("\x01\x00\x02", 3)) << "binary-safe";
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

TEST_P(StateStoreBackends, TransactionRollsBackWhenWorkThrows) {
    auto opened = open();
    store::StateStore& s = *opened;
    EXPECT_THROW(s.transaction([](store::Session& db) {
        insertState(db);
        throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    int rows = -1;
    s.read([&](store::Session& db) { rows = db.execAndGet("SELECT COUNT(*) FROM plugin_state").getInt(); });
    EXPECT_EQ(rows, 0);
    // A statement that fails inside the transaction rolls it back too, and the store stays usable.
    EXPECT_THROW(s.transaction([](store::Session& db) {
        insertState(db);
        insertState(db);  // the same primary key again
    }),
                 StoreError);
    s.transaction(insertState);
    s.read([&](store::Session& db) { rows = db.execAndGet("SELECT COUNT(*) FROM plugin_state").getInt(); });
    EXPECT_EQ(rows, 1);
}
