// The DATEV plugin loaded as a real shared library: one file per job and month, named
// EXTF_<job>_<YYYYMM>.csv, re-push leaves it byte-identical, lookup by key, settings errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "DatevFormat.hpp"
#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {
const lb_plugin_api* datevApi() {
    static const lb_plugin_api* api = sdk::openLibrary(std::getenv("LEDGERBRIDGE_DATEV_PLUGIN"));
    return api;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

sdk::Entry entry(const std::string& id, const std::string& date, const std::string& supplier = "Café Žižkov") {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job/9";
    e.idempotencyKey = "lb-" + id;
    e.date = date;
    e.supplier.name = supplier;
    sdk::Line l;
    l.lineId = id + "-1";
    l.walletAmount = sdk::Money{11900, "EUR", 2};
    l.supplierAmount = l.walletAmount;
    l.netAmount = sdk::Money{10000, "EUR", 2};
    l.taxAmount = sdk::Money{1900, "EUR", 2};
    l.accountCode = "4650";
    l.taxCode = "I19";
    e.lines.push_back(l);
    e.totalWallet = l.walletAmount;
    e.contraAccountCode = "1361";
    return e;
}

class DatevPluginTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-datev-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        client = std::make_unique<sdk::PluginClient>(datevApi(), host, "datev");
        client->configure({{"output_dir", dir.string()}, {"beraternummer", "29098"}, {"mandantennummer", "55003"},
                           {"bu_keys", "I19:9"}});
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

TEST_F(DatevPluginTest, OneFilePerJobAndMonthAndRePushChangesNothing) {
    const auto out = client->push({entry("E1", "2026-02-03"), entry("E2", "2026-03-04"), entry("E3", "2026-02-28")});
    ASSERT_EQ(out.size(), 3u);
    for (const auto& o : out) EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
    const fs::path feb = dir / "EXTF_job_9_202602.csv";
    const fs::path mar = dir / "EXTF_job_9_202603.csv";
    EXPECT_EQ(out[0].externalId, "EXTF_job_9_202602.csv#E1");
    const std::string febBytes = read(feb);
    const std::string marBytes = read(mar);
    EXPECT_NE(febBytes.find(";20260201;20260228;"), std::string::npos);
    EXPECT_NE(marBytes.find(";20260301;20260331;"), std::string::npos);
    EXPECT_NE(febBytes.find("\"Caf\xE9 \x8Ei\x9Ekov\""), std::string::npos) << "Windows-1252 bytes";
    EXPECT_NE(febBytes.find(";0302;"), std::string::npos);
    EXPECT_NE(febBytes.find(";2802;"), std::string::npos);

    const auto again = client->push({entry("E1", "2026-02-03"), entry("E3", "2026-02-28")});
    EXPECT_EQ(again.at(0).externalId, out[0].externalId);
    EXPECT_EQ(read(feb), febBytes);
    const auto more = client->push({entry("E4", "2026-02-10")});
    EXPECT_EQ(more.at(0).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(read(feb).substr(0, febBytes.size()), febBytes) << "appending keeps the header and earlier rows";
    for (const auto& p : fs::directory_iterator(dir)) EXPECT_EQ(p.path().string().find(".tmp-"), std::string::npos);
}

TEST_F(DatevPluginTest, LookupFindsPostedEntriesByKey) {
    client->push({entry("E1", "2026-02-03")});
    EXPECT_EQ(client->lookup(entry("E1", "2026-02-03")).kind, sdk::OutcomeKind::Posted);
    EXPECT_EQ(client->lookup(entry("E9", "2026-02-03")).kind, sdk::OutcomeKind::Absent);
}

TEST_F(DatevPluginTest, ReplacementsAreLoggedNotSilent) {
    client->push({entry("E1", "2026-02-03", "Łódź ✓")});
    bool warned = false;
    for (const auto& line : host.logLines) warned = warned || line.find("Windows-1252") != std::string::npos;
    EXPECT_TRUE(warned);
}

TEST_F(DatevPluginTest, BadSettingsAreNamed) {
    try {
        client->configure({{"output_dir", dir.string()}, {"beraternummer", "12"}, {"mandantennummer", "1"},
                           {"bu_keys", "I19:abc"}});
        FAIL();
    } catch (const sdk::CallFailed& e) {
        EXPECT_NE(std::string(e.what()).find("beraternummer"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bu_keys"), std::string::npos) << e.what();
    }
}
