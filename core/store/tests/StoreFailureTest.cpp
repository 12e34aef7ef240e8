// SQLite failures read as what they are: a full disk is "state store: disk full", never a
// failure of whatever the host was doing at the time (a plugin call, a push).
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include "TempDir.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/store/PluginHealth.h"

using namespace ledgerbridge;

TEST(StoreFailure, AFullDiskIsAStoreErrorThatSaysSo) {
    TempDir tmp;
    store::StateStore s(tmp.str());
    store::PluginHealth health(s);
    health.recordCallStart("csv", "push");
    // No page may be added any more: SQLite answers SQLITE_FULL exactly as on a full disk.
    s.read([](store::Session& db) {
        const int pages = db.execAndGet("PRAGMA page_count").getInt();
        db.exec("PRAGMA max_page_count = " + std::to_string(pages));
    });
    try {
        for (int i = 0; i < 200; ++i) health.recordCallStart("plugin-with-a-long-name-" + std::to_string(i), "push");
        FAIL() << "the writes never filled the database";
    } catch (const StoreError& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.rfind("state store: disk full: ", 0), 0u) << m;
        EXPECT_NE(m.find(s.path()), std::string::npos) << m;
        EXPECT_NE(m.find("Free space on the state directory's disk"), std::string::npos) << m;
    }
    EXPECT_EQ(health.unfinishedCall("csv"), std::nullopt) << "this process's own call is not a crash";
}
