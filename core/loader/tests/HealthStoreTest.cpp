// FilePluginHealthStore: call records, crash counting, quarantine and enable, persistence.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledgerbridge/loader/PluginHealthStore.h"

using ledgerbridge::loader::FilePluginHealthStore;

TEST(FilePluginHealthStore, CountsCrashesQuarantinesAndEnables) {
    const std::string dir = (std::filesystem::temp_directory_path() / ("lb-health-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir);
    {
        FilePluginHealthStore s(dir);
        EXPECT_FALSE(s.unfinishedCall("x"));
        s.recordCallStart("x", "push");
    }
    FilePluginHealthStore s(dir);  // a restart reads the same records
    EXPECT_EQ(s.unfinishedCall("x"), std::optional<std::string>("push"));
    EXPECT_EQ(s.recordCrash("x"), 1);
    EXPECT_FALSE(s.unfinishedCall("x"));
    s.recordCallStart("x", "plan");
    EXPECT_EQ(s.recordCrash("x"), 2);
    s.quarantine("x", "reason");
    EXPECT_EQ(s.quarantined("x"), std::optional<std::string>("reason"));
    EXPECT_FALSE(s.quarantined("y"));
    s.recordCallStart("x", "push");
    s.recordCallEnd("x");
    EXPECT_EQ(s.consecutiveCrashes("x"), 2) << "a returned call does not reset the count";
    s.recordCleanSession("x");
    EXPECT_EQ(s.consecutiveCrashes("x"), 0);
    s.enable("x");
    EXPECT_FALSE(s.quarantined("x"));
    EXPECT_EQ(s.consecutiveCrashes("x"), 0);
    s.recordCallStart("x", "push");
    s.recordCallEnd("x");
    EXPECT_FALSE(s.unfinishedCall("x"));
    std::filesystem::remove_all(dir);
}
