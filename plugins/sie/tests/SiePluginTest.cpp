// The SIE plugin loaded as a real shared library: one file per job, re-push leaves it
// byte-identical, appending keeps #FLAGGA first and a valid closing #KSUMMA, lookup by key.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "SieFormat.hpp"
#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {
const lb_plugin_api* sieApi() {
    static const lb_plugin_api* api = sdk::openLibrary(std::getenv("LEDGERBRIDGE_SIE_PLUGIN"));
    return api;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

sdk::Entry entry(const std::string& id, const std::string& supplier = "Kafé Ängen") {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job-5";
    e.idempotencyKey = "lb-" + id;
    e.date = "2026-03-05";
    e.supplier.name = supplier;
    sdk::Line l;
    l.lineId = id + "-1";
    l.walletAmount = sdk::Money{12500, "SEK", 2};
    l.supplierAmount = l.walletAmount;
    l.netAmount = sdk::Money{10000, "SEK", 2};
    l.taxAmount = sdk::Money{2500, "SEK", 2};
    l.accountCode = "5410";
    l.taxCode = "I25";
    l.tags = {{"PRJ", "P-7", "Mässa"}};
    e.lines.push_back(l);
    e.totalWallet = l.walletAmount;
    e.contraAccountCode = "2890";
    return e;
}

// Verifies the closing #KSUMMA of a file against the records after the opening one.
void expectValidChecksum(const std::string& bytes) {
    const std::string open = "#FLAGGA 0\r\n#KSUMMA\r\n";
    ASSERT_EQ(bytes.rfind(open, 0), 0u);
    const auto close = bytes.rfind("#KSUMMA ");
    ASSERT_NE(close, std::string::npos);
    const std::string records = bytes.substr(open.size(), close - open.size());
    EXPECT_EQ(bytes.substr(close), "#KSUMMA " + std::to_string(sie::checksum(records)) + "\r\n");
}

class SiePluginTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-sie-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        client = std::make_unique<sdk::PluginClient>(sieApi(), host, "sie");
        client->configure({{"output_dir", dir.string()}, {"company_name", "Test AB"}, {"org_nr", "556677-8899"},
                           {"fiscal_year_start", "20260101"}, {"fiscal_year_end", "20261231"},
                           {"dimensions", "PRJ:6"}});
    }
    void TearDown() override {
        client.reset();
        fs::remove_all(dir);
    }
    fs::path dir;
    testkit::MemoryHost host;
    std::unique_ptr<sdk::PluginClient> client;
};
}  // namespace

TEST_F(SiePluginTest, OneFilePerJobIdempotentWithAValidChecksumAfterEveryAppend) {
    const auto out = client->push({entry("E1"), entry("E2")});
    ASSERT_EQ(out.size(), 2u);
    for (const auto& o : out) EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
    EXPECT_EQ(out[0].externalId, "pleo-job-5.se#E1");
    const fs::path file = dir / "pleo-job-5.se";
    const std::string first = read(file);
    expectValidChecksum(first);
    EXPECT_NE(first.find("#TRANS 5410 {6 \"P-7\"} 100.00\r\n#TRANS 2640 {} 25.00\r\n#TRANS 2890 {} -125.00\r\n"),
              std::string::npos);
    EXPECT_NE(first.find("\"Kaf\x82 \x8Engen [E1 lb-E1]\""), std::string::npos) << "CP437 bytes";

    client->push({entry("E2"), entry("E1")});
    EXPECT_EQ(read(file), first) << "re-push changed the file";

    client->push({entry("E3")});
    const std::string second = read(file);
    expectValidChecksum(second);
    EXPECT_EQ(second.find("#KSUMMA "), second.rfind("#KSUMMA ")) << "exactly one closing #KSUMMA";
    EXPECT_NE(second.find("[E3 lb-E3]"), std::string::npos);
    for (const auto& p : fs::directory_iterator(dir)) EXPECT_EQ(p.path().string().find(".tmp-"), std::string::npos);
}

TEST_F(SiePluginTest, LookupFindsPostedEntriesByKey) {
    client->push({entry("E1")});
    EXPECT_EQ(client->lookup(entry("E1")).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(client->lookup(entry("E9")).kind, sdk::OutcomeKind::Absent);
}

TEST_F(SiePluginTest, ReplacementsAreLogged) {
    client->push({entry("E1", "Łódź ✓")});
    bool warned = false;
    for (const auto& line : host.logLines) warned = warned || line.find("CP437") != std::string::npos;
    EXPECT_TRUE(warned);
}
