// The receipt cache: download once, content-addressed, size checks, damaged files re-fetched.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/ReceiptCache.h"

using namespace ledgerbridge;
using namespace ledgerbridge::exporter;
namespace fs = std::filesystem;

class ReceiptCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-receipts-" + std::to_string(::getpid()));
        fs::remove_all(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path dir;
    int downloads = 0;
    ReceiptCache::Downloader serve(std::string body) {
        return [this, body](const std::string&) {
            ++downloads;
            return body;
        };
    }
};

TEST_F(ReceiptCacheTest, DownloadsOnceAndFindsItAgainByUrl) {
    ReceiptCache cache(dir.string(), serve("%PDF-1.4 receipt"));
    auto first = cache.fetch("https://files.example/r/1.pdf?sig=abc", 16);
    EXPECT_TRUE(first.downloaded);
    EXPECT_EQ(first.size, 16);
    std::ifstream in(first.path, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content, "%PDF-1.4 receipt");
    ReceiptCache again(dir.string(), [](const std::string&) -> std::string { throw std::runtime_error("URL expired"); });
    auto second = again.fetch("https://files.example/r/1.pdf?sig=abc", 16);
    EXPECT_FALSE(second.downloaded) << "a cached receipt never needs the (maybe expired) URL again";
    EXPECT_EQ(second.path, first.path);
    EXPECT_EQ(downloads, 1);
}

TEST_F(ReceiptCacheTest, SameBytesFromTwoUrlsAreStoredOnce) {
    ReceiptCache cache(dir.string(), serve("same bytes"));
    auto a = cache.fetch("https://x/a", 0);
    auto b = cache.fetch("https://x/b", 0);
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.contentHash, b.contentHash);
}

TEST_F(ReceiptCacheTest, TruncatedDownloadIsRefusedAndNotCached) {
    ReceiptCache cache(dir.string(), serve("short"));
    try {
        cache.fetch("https://files.example/r/2.png?token=secret-signature", 1000);
        FAIL() << "expected ProtocolError";
    } catch (const ProtocolError& e) {
        EXPECT_EQ(std::string(e.what()), "the receipt at https://files.example/r/2.png arrived with 5 bytes, Pleo "
                                         "announced 1000 (truncated download?)");
    }
    EXPECT_FALSE(fs::exists(dir / "by-url"));
}

TEST_F(ReceiptCacheTest, DownloadFailureNamesTheUrlWithoutItsQuery) {
    ReceiptCache cache(dir.string(), [](const std::string&) -> std::string { throw NetworkError("connection refused"); });
    try {
        cache.fetch("https://files.example/r/3.pdf?X-Signature=s3cr3t", 0);
        FAIL() << "expected NetworkError";
    } catch (const NetworkError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "the receipt at https://files.example/r/3.pdf could not be downloaded: connection refused");
    }
}

TEST_F(ReceiptCacheTest, OversizedReceiptIsRefused) {
    ReceiptCache cache(dir.string(), serve(std::string(100, 'x')), 10);
    EXPECT_THROW(cache.fetch("https://x/big", 0), ProtocolError);
}

TEST_F(ReceiptCacheTest, DamagedCacheFileIsDownloadedAgain) {
    ReceiptCache cache(dir.string(), serve("good bytes"));
    auto first = cache.fetch("https://x/c", 0);
    std::ofstream(first.path, std::ios::trunc) << "damaged";
    auto second = cache.fetch("https://x/c", 0);
    EXPECT_TRUE(second.downloaded);
    EXPECT_EQ(downloads, 2);
}

// A process killed while writing a receipt leaves its temp file; opening the cache removes such
// leftovers of dead processes (only temp files of the cache's own 64-hex names), and a receipt
// is written with owner-only permissions.
TEST_F(ReceiptCacheTest, TempFilesOfAKilledProcessAreRemovedWhenTheCacheOpens) {
    ReceiptCache cache(dir.string(), serve("%PDF-1.4 receipt"));
    const auto got = cache.fetch("https://files.example/r/1.pdf", 16);
    EXPECT_EQ(fs::status(got.path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    ::waitpid(child, nullptr, 0);
    const std::string dead = std::to_string(child);
    const fs::path partial = fs::path(got.path).string() + ".tmp-" + dead + "-0";
    const fs::path index = dir / "by-url" / (std::string(64, 'a') + ".tmp-" + dead);
    const fs::path foreign = dir / "by-url" / ("notes.txt.tmp-" + dead);
    for (const fs::path& p : {partial, index, foreign}) std::ofstream(p) << "half";
    ReceiptCache reopened(dir.string(), serve("unused"));
    EXPECT_FALSE(fs::exists(partial));
    EXPECT_FALSE(fs::exists(index));
    EXPECT_TRUE(fs::exists(foreign)) << "not a cache file's temp name";
    EXPECT_TRUE(fs::exists(got.path));
}
