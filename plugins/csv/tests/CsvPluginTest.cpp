// The CSV plugin loaded as a real shared library: exact file content, no duplicate rows on
// re-push, settings errors by key, plan writes nothing, no temp files left behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;

namespace {
const lb_plugin_api* csvApi() {
    static const lb_plugin_api* api = sdk::openLibrary(std::getenv("LEDGERBRIDGE_CSV_PLUGIN"));
    return api;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

sdk::Entry entry(const std::string& id, const std::string& job = "job-7") {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = job;
    e.idempotencyKey = "lb-" + id;
    e.date = "2026-02-01";
    e.supplier.name = "Bäckerei \"Zum Kranz\", Berlin";
    sdk::Line l;
    l.lineId = id + "-1";
    l.walletAmount = sdk::Money{123456, "EUR", 2};
    l.netAmount = sdk::Money{98765, "EUR", 2};
    l.taxAmount = sdk::Money{24691, "EUR", 2};
    l.accountCode = "6110";
    l.taxCode = "S25";
    e.lines.push_back(l);
    e.totalWallet = l.walletAmount;
    return e;
}

class CsvPluginTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-csv-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        client = std::make_unique<sdk::PluginClient>(csvApi(), host, "csv");
    }
    void TearDown() override {
        client.reset();
        fs::remove_all(dir);
    }
    void configure(std::vector<std::pair<std::string, std::string>> extra = {}) {
        extra.emplace_back("output_dir", dir.string());
        extra.emplace_back("columns", "entry_id,supplier,gross,net,tax,currency");
        client->configure(extra);
    }
    fs::path dir;
    testkit::MemoryHost host;
    std::unique_ptr<sdk::PluginClient> client;
};
}  // namespace

TEST_F(CsvPluginTest, WritesOneFilePerJobWithExactQuotedRows) {
    configure({{"decimal_separator", ","}, {"delimiter", ";"}});
    const auto out = client->push({entry("E1"), entry("E2", "job-8")});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].externalId, "pleo-export-job-7.csv#E1");
    EXPECT_EQ(out[0].externalUrl, "file://" + (dir / "pleo-export-job-7.csv").string());
    EXPECT_EQ(read(dir / "pleo-export-job-7.csv"),
              "entry_id;supplier;gross;net;tax;currency\r\n"
              "E1;\"Bäckerei \"\"Zum Kranz\"\", Berlin\";1234,56;987,65;246,91;EUR\r\n");
    EXPECT_TRUE(fs::exists(dir / "pleo-export-job-8.csv"));
    for (const auto& f : fs::directory_iterator(dir))
        EXPECT_EQ(f.path().string().find(".tmp-"), std::string::npos) << "temp file left: " << f.path();
}

TEST_F(CsvPluginTest, RePushAddsNoRowAndNewEntriesAppend) {
    configure();
    client->push({entry("E1")});
    const std::string once = read(dir / "pleo-export-job-7.csv");
    client->push({entry("E1"), entry("E1")});
    EXPECT_EQ(read(dir / "pleo-export-job-7.csv"), once);
    client->push({entry("E2")});
    EXPECT_EQ(read(dir / "pleo-export-job-7.csv"),
              once + "E2,\"Bäckerei \"\"Zum Kranz\"\", Berlin\",1234.56,987.65,246.91,EUR\r\n");
    EXPECT_EQ(client->lookup(entry("E2")).externalId, "pleo-export-job-7.csv#E2");
}

TEST_F(CsvPluginTest, PlanShowsTheRowsAndWritesNothing) {
    configure();
    const auto docs = client->plan({entry("E1")}).documents;
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].action, "append to " + (dir / "pleo-export-job-7.csv").string());
    EXPECT_EQ(docs[0].body, "E1,\"Bäckerei \"\"Zum Kranz\"\", Berlin\",1234.56,987.65,246.91,EUR\r\n");
    EXPECT_TRUE(fs::is_empty(dir));
}

TEST_F(CsvPluginTest, BadSettingsAreNamedByKey) {
    try {
        client->configure({{"output_dir", (dir / "missing").string()}, {"columns", "supplier,bogus"},
                           {"delimiter", "|"}});
        FAIL();
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_CONFIG);
        const std::vector<std::pair<std::string, std::string>> expected{
            {"output_dir", "not an existing directory: " + (dir / "missing").string()},
            {"columns", "unknown column 'bogus'; known: entry_id,line_id,job_id,type,sub_type,date,booking_date,"
                        "supplier,supplier_code,employee,employee_code,team,team_code,account,tax_code,tax_rate,"
                        "tax_type,net,tax,gross,currency,supplier_gross,supplier_currency,contra_account,tags,"
                        "description,note,receipts"},
            {"columns", "must include entry_id (re-push and lookup find entries by it)"},
            {"delimiter", "expected \",\", \";\" or \"tab\", got '|'"}};
        EXPECT_EQ(e.settingErrors(), expected);
    }
}

TEST_F(CsvPluginTest, CheckFailsOnAReadOnlyDirectoryUnlessRoot) {
    configure();
    if (::geteuid() == 0) GTEST_SKIP() << "root can write anywhere";
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_THROW(client->check(), sdk::CallFailed);
    fs::permissions(dir, fs::perms::owner_all);
}
