// FilePluginHealthStore: call records, crash counting, quarantine and enable, persistence.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

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

namespace {
std::string freshDir(const std::string& name) {
    const std::string dir =
        (std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}
std::string readAll(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

// Records go through the SDK's atomic-file helper: its temp file is created O_EXCL|O_NOFOLLOW,
// so a symlink planted under the name the old code wrote through ("<record>.tmp", opened with
// O_TRUNC) is neither followed nor truncated, and no temp file stays behind.
TEST(FilePluginHealthStore, AWriteNeverFollowsASymlinkPlantedBesideTheRecord) {
    const std::string dir = freshDir("lb-health-symlink");
    const std::string victim = dir + "/victim.txt";
    { std::ofstream(victim) << "keep me"; }
    std::filesystem::create_symlink(victim, dir + "/x.health.tmp");
    FilePluginHealthStore s(dir);
    s.recordCallStart("x", "push");
    EXPECT_EQ(readAll(victim), "keep me");
    EXPECT_EQ(readAll(dir + "/x.health"), "inside=push\ncrashes=0\nquarantined=\n");
    EXPECT_EQ((std::filesystem::status(dir + "/x.health").permissions() & std::filesystem::perms::all),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    int entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
    EXPECT_EQ(entries, 3) << "victim, planted symlink, the record: no temp file left";
    std::filesystem::remove_all(dir);
}

// A process killed between the temp file and the rename leaves "<record>.tmp-<pid>-<n>": the
// next store on that folder removes it when its writer is gone, and nothing else.
TEST(FilePluginHealthStore, TempFilesOfAKilledWriterAreRemovedWhenTheStoreOpens) {
    const std::string dir = freshDir("lb-health-stale");
    const pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    ASSERT_GT(dead, 0);
    ::waitpid(dead, nullptr, 0);  // reaped: its pid names no live process
    const std::string stale = dir + "/x.health.tmp-" + std::to_string(dead) + "-0";
    const std::string live = dir + "/y.health.tmp-" + std::to_string(::getppid()) + "-0";
    const std::string foreign = dir + "/notes.txt.tmp-" + std::to_string(dead) + "-0";
    for (const auto& p : {stale, live, foreign}) std::ofstream(p) << "partial";
    FilePluginHealthStore s(dir);
    EXPECT_FALSE(std::filesystem::exists(stale)) << "its writer is gone";
    EXPECT_TRUE(std::filesystem::exists(live)) << "its writer is alive";
    EXPECT_TRUE(std::filesystem::exists(foreign)) << "not a health record's temp file";
    std::filesystem::remove_all(dir);
}
