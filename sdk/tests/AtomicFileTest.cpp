// The SDK's atomic-file helper: content and mode, O_EXCL|O_NOFOLLOW on a planted name, error
// paths naming the file (read-only folder, rename onto a folder, append through a symlink),
// the committed-length append, and which stale temp files are removed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "FileContent.hpp"
#include "ledgerbridge/atomic_file.hpp"

namespace fs = std::filesystem;
using ledgerbridge::sdk::FileError;
namespace sdk = ledgerbridge::sdk;

namespace {
using sdktest::fileContent;

std::vector<std::string> namesIn(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

pid_t deadPid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

class AtomicFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-atomic-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    void TearDown() override {
        fs::permissions(dir, fs::perms::owner_all);
        fs::remove_all(dir);
    }
    fs::path dir;
};
}  // namespace

TEST_F(AtomicFileTest, ReplacesTheFileWithTheGivenModeAndLeavesNoTempFile) {
    const std::string path = (dir / "a.txt").string();
    sdk::writeFileAtomically(path, "first");
    sdk::writeFileAtomically(path, std::string(100000, 'x') + "second");
    EXPECT_EQ(fileContent(path), std::string(100000, 'x') + "second");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the default mode is owner-only";
    sdk::writeFileAtomically(path, "", 0644);
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0600, 0600u);
    EXPECT_EQ(st.st_mode & 0044, 0044u & ~static_cast<unsigned>([] { mode_t m = ::umask(0); ::umask(m); return m; }()));
    EXPECT_EQ(fileContent(path), "");
    EXPECT_EQ(namesIn(dir), std::vector<std::string>{"a.txt"});
}

TEST_F(AtomicFileTest, NeverWritesThroughASymlinkPlantedUnderTheNextTempName) {
    // Someone who can write the folder plants the next temp name as a link to a file of ours.
    const fs::path victim = dir / "victim";
    std::ofstream(victim) << "precious";
    const std::string path = (dir / "out.csv").string();
    const std::string planted = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                                std::to_string(sdk::files_detail::tempCounter().load());
    fs::create_symlink(victim, planted);
    sdk::writeFileAtomically(path, "rows");
    EXPECT_EQ(fileContent(victim), "precious") << "O_EXCL|O_NOFOLLOW: the link is not followed";
    EXPECT_EQ(fileContent(path), "rows") << "another temp name is used";
    EXPECT_TRUE(fs::is_symlink(planted)) << "the planted link is left alone";
}

/// Runs `body` as an unprivileged user when the tests run as root (root writes into read-only
/// folders): in a child that drops to nobody; returns what `body` returned.
std::string asUnprivileged(const std::function<std::string()>& body) {
    if (::geteuid() != 0) return body();
    int fds[2];
    if (::pipe(fds) != 0) return "pipe failed";
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(fds[0]);
        std::string out = ::setgid(65534) == 0 && ::setuid(65534) == 0 ? body() : "cannot drop to nobody";
        if (::write(fds[1], out.data(), out.size()) < 0) ::_exit(2);
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string out;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    ::waitpid(child, nullptr, 0);
    return out;
}

TEST_F(AtomicFileTest, AReadOnlyFolderFailsNamingTheTempFileAndTheReason) {
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                             fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    const std::string path = (dir / "a.txt").string();
    const std::string message = asUnprivileged([&]() -> std::string {
        try {
            sdk::writeFileAtomically(path, "x");
            return "no error";
        } catch (const FileError& e) {
            return std::string(e.error() == EACCES ? "EACCES " : "other errno ") + e.what();
        }
    });
    EXPECT_EQ(message.rfind("EACCES cannot create " + path + ".tmp-", 0), 0u) << message;
    EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
    EXPECT_TRUE(fs::is_empty(dir));
}

TEST_F(AtomicFileTest, AFailedRenameRemovesTheTempFileAndNamesTheTarget) {
    fs::create_directories(dir / "taken" / "child");  // a non-empty folder cannot be renamed over
    try {
        sdk::writeFileAtomically((dir / "taken").string(), "x");
        FAIL() << "no error";
    } catch (const FileError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("cannot rename into " + (dir / "taken").string() + ": ", 0), 0u)
            << e.what();
    }
    EXPECT_EQ(namesIn(dir), std::vector<std::string>{"taken"}) << "no temp file left";
}

TEST_F(AtomicFileTest, AMissingFolderFailsNamingTheTempFile) {
    EXPECT_THROW(sdk::writeFileAtomically((dir / "missing" / "a.txt").string(), "x"), FileError);
}

TEST_F(AtomicFileTest, AppendCutsTheUncommittedTailAndReturnsTheNewLength) {
    const std::string path = (dir / "job.csv").string();
    sdk::writeFileAtomically(path, "head\r\nrow1\r\n");
    std::ofstream(path, std::ios::app) << "half a r";  // a push killed before it committed
    EXPECT_EQ(sdk::appendDurably(path, "row2\r\n", 12), 18u);
    EXPECT_EQ(fileContent(path), "head\r\nrow1\r\nrow2\r\n");
    EXPECT_EQ(sdk::appendDurably(path, "", 18), 18u);
    EXPECT_EQ(fileContent(path), "head\r\nrow1\r\nrow2\r\n");
}

TEST_F(AtomicFileTest, AppendRefusesAFileShorterThanItsCommittedLength) {
    const std::string path = (dir / "job.csv").string();
    sdk::writeFileAtomically(path, "head\r\n");
    try {
        sdk::appendDurably(path, "row\r\n", 100);
        FAIL() << "no error";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find("shorter than its committed 100 bytes"), std::string::npos) << e.what();
    }
    EXPECT_EQ(fileContent(path), "head\r\n");
}

TEST_F(AtomicFileTest, AppendNeverFollowsASymlink) {
    const fs::path victim = dir / "victim";
    std::ofstream(victim) << "precious";
    fs::create_symlink(victim, dir / "job.csv");
    try {
        sdk::appendDurably((dir / "job.csv").string(), "row\r\n", 8);
        FAIL() << "no error";
    } catch (const FileError& e) {
        EXPECT_EQ(e.error(), ELOOP) << e.what();
        EXPECT_EQ(std::string(e.what()).rfind("cannot open " + (dir / "job.csv").string(), 0), 0u) << e.what();
    }
    EXPECT_EQ(fileContent(victim), "precious");
}

TEST_F(AtomicFileTest, StaleTempFilesOfDeadProcessesAreRemovedOnlyWhenTheyAreOurs) {
    const std::string dead = std::to_string(deadPid());
    const std::string alive = std::to_string(::getppid());  // our parent outlives the test
    const std::string self = std::to_string(::getpid());
    for (const std::string& name : std::vector<std::string>{"pleo-1.se.tmp-" + dead,             // ours, older naming: removed
                                   "pleo-2.se.tmp-" + dead + "-7",      // ours: removed
                                   "pleo-3.se.tmp-" + alive + "-0",     // a live writer: kept
                                   "pleo-4.se.tmp-" + self + "-0",      // this process, fresh: kept
                                   "pleo-5.se.tmp-" + self + "-1",      // this pid, a day old: removed
                                   "notes.txt.tmp-" + dead,             // not ours: kept
                                   std::string("pleo-6.se.tmp-12ab"),   // not a temp name: kept
                                   std::string("pleo-7.se")})
        std::ofstream(dir / name) << "x";
    fs::create_symlink("/nonexistent", dir / ("pleo-8.se.tmp-" + dead));  // not a regular file: kept
    const struct timeval old[2] = {{std::time(nullptr) - 2 * 86400, 0}, {std::time(nullptr) - 2 * 86400, 0}};
    ASSERT_EQ(::utimes((dir / ("pleo-5.se.tmp-" + self + "-1")).c_str(), old), 0);

    auto ours = [](const std::string& finalName) {
        return finalName.rfind("pleo-", 0) == 0 && finalName.size() > 3 &&
               finalName.compare(finalName.size() - 3, 3, ".se") == 0;
    };
    auto removed = sdk::removeStaleTempFiles(dir.string(), ours);
    std::sort(removed.begin(), removed.end());
    EXPECT_EQ(removed, (std::vector<std::string>{"pleo-1.se.tmp-" + dead, "pleo-2.se.tmp-" + dead + "-7",
                                                 "pleo-5.se.tmp-" + self + "-1"}));
    std::vector<std::string> kept{"notes.txt.tmp-" + dead, "pleo-3.se.tmp-" + alive + "-0",
                                  "pleo-4.se.tmp-" + self + "-0", "pleo-6.se.tmp-12ab", "pleo-7.se",
                                  "pleo-8.se.tmp-" + dead};
    std::sort(kept.begin(), kept.end());
    EXPECT_EQ(namesIn(dir), kept);
    EXPECT_TRUE(sdk::removeStaleTempFiles((dir / "missing").string(), ours).empty()) << "a missing folder is no error";
}
