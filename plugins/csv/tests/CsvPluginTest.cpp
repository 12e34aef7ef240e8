// The CSV plugin loaded as a real shared library: exact file content, no duplicate rows on
// re-push, settings errors by key, plan writes nothing, no temp files left behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
    e.contraAccountCode = "1930";
    return e;
}

/// The booking columns plus a quoted text column.
const char* kColumns = "entry_id,supplier,account,gross,net,tax,currency,contra_account,reverse_charge_input_vat,"
                       "reverse_charge_output_vat";

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
        extra.emplace_back("columns", kColumns);
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
              "entry_id;supplier;account;gross;net;tax;currency;contra_account;reverse_charge_input_vat;"
              "reverse_charge_output_vat\r\n"
              "E1;\"Bäckerei \"\"Zum Kranz\"\", Berlin\";6110;1234,56;987,65;246,91;EUR;1930;0,00;0,00\r\n");
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
              once + "E2,\"Bäckerei \"\"Zum Kranz\"\", Berlin\",6110,1234.56,987.65,246.91,EUR,1930,0.00,0.00\r\n");
    EXPECT_EQ(client->lookup(entry("E2")).externalId, "pleo-export-job-7.csv#E2");
}

TEST_F(CsvPluginTest, PlanShowsTheRowsAndWritesNothing) {
    configure();
    const auto docs = client->plan({entry("E1")}).documents;
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].action, "append to " + (dir / "pleo-export-job-7.csv").string());
    EXPECT_EQ(docs[0].body, "E1,\"Bäckerei \"\"Zum Kranz\"\", Berlin\",6110,1234.56,987.65,246.91,EUR,1930,0.00,0.00\r\n");
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
                        "description,note,receipts,idempotency_key,tax_account,reverse_charge_input_vat,"
                        "reverse_charge_input_account,reverse_charge_output_vat,reverse_charge_output_account"},
            {"columns", "must include entry_id (re-push and lookup find entries by it)"},
            {"columns", "must include account,net,tax,gross,currency,contra_account,reverse_charge_input_vat,"
                        "reverse_charge_output_vat (every row must be bookable from the file alone)"},
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

namespace {
/// E1 with a second, reverse-charge line (the supplier charged no VAT; 25 % self-assessed).
sdk::Entry withReverseCharge(const std::string& id) {
    sdk::Entry e = entry(id);
    sdk::Line rc = e.lines[0];
    rc.lineId = id + "-2";
    rc.walletAmount = rc.netAmount = sdk::Money{40000, "EUR", 2};
    rc.taxAmount = sdk::Money{10000, "EUR", 2};
    rc.taxType = "reverse";
    rc.taxCode = "RC25";
    rc.accountCode = "6540";
    e.lines.push_back(rc);
    e.totalWallet.minor += 40000;
    return e;
}
}  // namespace

TEST_F(CsvPluginTest, ReverseChargeIsWrittenOnBothSidesWithItsAccounts) {
    client->configure({{"output_dir", dir.string()},
                       {"columns", "entry_id,line_id,account,net,tax,tax_account,gross,currency,contra_account,"
                                   "reverse_charge_input_vat,reverse_charge_input_account,reverse_charge_output_vat,"
                                   "reverse_charge_output_account"},
                       {"tax_account", "2640"},
                       {"reverse_charge_input_account", "2645"},
                       {"reverse_charge_output_account", "2614"}});
    const auto out = client->push({withReverseCharge("E1")});
    ASSERT_EQ(out[0].kind, sdk::OutcomeKind::Posted) << out[0].message;
    EXPECT_EQ(read(dir / "pleo-export-job-7.csv"),
              "entry_id,line_id,account,net,tax,tax_account,gross,currency,contra_account,reverse_charge_input_vat,"
              "reverse_charge_input_account,reverse_charge_output_vat,reverse_charge_output_account\r\n"
              "E1,E1-1,6110,987.65,246.91,2640,1234.56,EUR,1930,0.00,2645,0.00,2614\r\n"
              "E1,E1-2,6540,400.00,0.00,2640,400.00,EUR,1930,100.00,2645,100.00,2614\r\n");
}

TEST_F(CsvPluginTest, AnEntryWhoseRowsWouldNotBalanceIsRejectedWithTheAmountsAndNothingIsWritten) {
    configure();
    sdk::Entry mils = entry("E1");
    mils.totalWallet.exponent = 3;  // passes the SDK's checks (same currency), not the rows' balance
    sdk::Entry foreignNet = entry("E2");
    foreignNet.lines[0].netAmount.currency = "SEK";
    const auto out = client->push({mils, foreignNet, entry("E3")});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].kind, sdk::OutcomeKind::Rejected);
    EXPECT_EQ(out[0].failureReason, "validation_failure");
    EXPECT_EQ(out[0].message, "entry E1 would be written unbalanced: row 1 (line E1-1) is in EUR with 2 decimals, the "
                              "total in EUR with 3");
    EXPECT_EQ(out[1].kind, sdk::OutcomeKind::Rejected);
    EXPECT_NE(out[1].message.find("net or tax in SEK"), std::string::npos) << out[1].message;
    EXPECT_EQ(out[2].kind, sdk::OutcomeKind::Posted);
    const std::string text = read(dir / "pleo-export-job-7.csv");
    EXPECT_EQ(text.find("E1,"), std::string::npos);
    EXPECT_EQ(text.find("E2,"), std::string::npos);
    // The dry run shows the same: the same rejections, a document only for the good entry.
    const auto dry = client->plan({mils, foreignNet, entry("E4")});
    ASSERT_EQ(dry.documents.size(), 1u);
    EXPECT_EQ(dry.documents[0].entryIndex, 2u);
    ASSERT_EQ(dry.rejections.size(), 2u);
    EXPECT_EQ(dry.rejections[0].entryIndex, 0u);
    EXPECT_EQ(dry.rejections[0].message, out[0].message);
    EXPECT_EQ(dry.rejections[1].entryIndex, 1u);
    EXPECT_EQ(dry.rejections[1].message, out[1].message);
    sdk::Entry noAccount = entry("E5");
    noAccount.lines[0].accountCode.clear();
    const auto standard = client->plan({noAccount});
    ASSERT_EQ(standard.rejections.size(), 1u);
    EXPECT_EQ(standard.rejections[0].failureReason, "account_unknown");
}

TEST_F(CsvPluginTest, AFreshInstanceFindsEntriesWrittenInAnyJobAndUnderAnyKey) {
    configure();
    client->push({entry("E1"), entry("E2")});
    const std::string job7 = read(dir / "pleo-export-job-7.csv");

    // A new session with an empty host state (state directory lost): the same entries come again
    // in a new job, with new idempotency keys.
    testkit::MemoryHost freshHost;
    sdk::PluginClient fresh(csvApi(), freshHost, "csv");
    fresh.configure({{"output_dir", dir.string()}, {"columns", kColumns}});
    sdk::Entry again = entry("E1", "job-9");
    again.idempotencyKey = "lb-E1-changed";
    EXPECT_EQ(fresh.lookup(again).externalId, "pleo-export-job-7.csv#E1");
    const auto dry = fresh.plan({again});
    EXPECT_TRUE(dry.documents.empty());
    EXPECT_TRUE(dry.rejections.empty());
    const auto out = fresh.push({again, entry("E2", "job-9"), entry("E3", "job-9")});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].externalId, "pleo-export-job-7.csv#E1");
    EXPECT_EQ(out[1].externalId, "pleo-export-job-7.csv#E2");
    EXPECT_EQ(out[2].externalId, "pleo-export-job-9.csv#E3");
    EXPECT_EQ(read(dir / "pleo-export-job-7.csv"), job7) << "an entry was written twice";
    const std::string job9 = read(dir / "pleo-export-job-9.csv");
    EXPECT_EQ(job9.find("E1,"), std::string::npos);
    EXPECT_EQ(job9.find("E2,"), std::string::npos);
    EXPECT_NE(job9.find("E3,"), std::string::npos);
    EXPECT_EQ(fresh.lookup(entry("E4", "job-9")).kind, sdk::OutcomeKind::Absent);

    // The first session sees what the second wrote, too.
    EXPECT_EQ(client->lookup(entry("E3", "job-7")).externalId, "pleo-export-job-9.csv#E3");
}

TEST_F(CsvPluginTest, AnUncommittedTailIsNotFoundAndIsReplacedByTheNextPush) {
    configure();
    client->push({entry("E1")});
    const std::string committed = read(dir / "pleo-export-job-7.csv");
    // A push killed after its rows reached the file, before the committed length was recorded.
    std::ofstream(dir / "pleo-export-job-7.csv", std::ios::app | std::ios::binary) << "E2,\"half a ro";
    testkit::MemoryHost freshHost;
    sdk::PluginClient fresh(csvApi(), freshHost, "csv");
    fresh.configure({{"output_dir", dir.string()}, {"columns", kColumns}});
    EXPECT_EQ(fresh.lookup(entry("E2")).kind, sdk::OutcomeKind::Absent);
    EXPECT_EQ(read(dir / "pleo-export-job-7.csv").size(), committed.size() + 13) << "lookup changed the file";
    fresh.push({entry("E2")});
    EXPECT_EQ(read(dir / "pleo-export-job-7.csv"),
              committed + "E2,\"Bäckerei \"\"Zum Kranz\"\", Berlin\",6110,1234.56,987.65,246.91,EUR,1930,0.00,0.00\r\n");
}

TEST_F(CsvPluginTest, AFileWithOtherColumnsIsNeverAppendedTo) {
    configure();
    client->push({entry("E1")});
    testkit::MemoryHost freshHost;
    sdk::PluginClient other(csvApi(), freshHost, "csv");
    other.configure({{"output_dir", dir.string()}, {"columns", std::string(kColumns) + ",note"}});
    EXPECT_EQ(other.lookup(entry("E1")).kind, sdk::OutcomeKind::Posted);  // still found by its entry_id
    try {
        other.push({entry("E2")});
        FAIL() << "appended rows that do not match the file's header";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_TARGET);
        EXPECT_NE(std::string(e.what()).find("was written with other columns"), std::string::npos) << e.what();
    }
}

// A process killed between creating a temp file and renaming it leaves the temp file behind.
// The next push removes the plugin's own stale temp files (dead writer) — and nothing else.
TEST_F(CsvPluginTest, TempFilesOfAKilledProcessAreRemovedByTheNextPushAndNothingElse) {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    ::waitpid(child, nullptr, 0);  // now a pid with no process
    const std::string dead = std::to_string(child);
    std::ofstream(dir / ("pleo-export-job-7.csv.tmp-" + dead)) << "entry_id\r\nhalf a ro";
    std::ofstream(dir / (".pleo-export-job-7.csv.committed.tmp-" + dead + "-3")) << "12";
    std::ofstream(dir / ("other-export.csv.tmp-" + dead)) << "not ours: another prefix";
    std::ofstream(dir / ("pleo-export-job-9.csv.tmp-" + std::to_string(::getpid()) + "-0")) << "a live writer";
    configure();
    client->push({entry("E1")});
    EXPECT_FALSE(fs::exists(dir / ("pleo-export-job-7.csv.tmp-" + dead)));
    EXPECT_FALSE(fs::exists(dir / (".pleo-export-job-7.csv.committed.tmp-" + dead + "-3")));
    EXPECT_TRUE(fs::exists(dir / ("other-export.csv.tmp-" + dead))) << "another program's file was removed";
    EXPECT_TRUE(fs::exists(dir / ("pleo-export-job-9.csv.tmp-" + std::to_string(::getpid()) + "-0")))
        << "a temp file of a live process was removed";
    bool logged = false;
    for (const auto& line : host.logLines) logged |= line.find("pleo-export-job-7.csv.tmp-" + dead) != std::string::npos;
    EXPECT_TRUE(logged) << "the removal is logged with the file's name";
    EXPECT_EQ(client->lookup(entry("E1")).externalId, "pleo-export-job-7.csv#E1");
}

TEST_F(CsvPluginTest, FilesAreOwnerOnlyUnlessFileModeSaysOtherwise) {
    const mode_t old = ::umask(022);  // a usual umask, which would leave 0644 files readable by all
    auto modeOf = [](const fs::path& p) { return static_cast<unsigned>(fs::status(p).permissions() & fs::perms::all); };
    configure();
    client->push({entry("E1")});
    EXPECT_EQ(modeOf(dir / "pleo-export-job-7.csv"), 0600u) << "exports name people, suppliers and amounts";
    EXPECT_EQ(modeOf(dir / ".pleo-export-job-7.csv.committed"), 0600u);

    configure({{"file_mode", "0640"}});  // a group collects the exports
    client->push({entry("E2", "job-8")});
    EXPECT_EQ(modeOf(dir / "pleo-export-job-8.csv"), 0640u);
    ::umask(old);

    const std::vector<std::pair<std::string, std::string>> bad{
        {"0777", "'0777' sets an execute, setuid, setgid or sticky bit; export files are data"},
        {"0400", "'0400' does not let the owner read and write the files it writes"},
        {"rw-r-----", "expected octal permission bits such as 0600 or 0640, got 'rw-r-----'"},
        {"0689", "expected octal permission bits such as 0600 or 0640, got '0689'"}};
    for (const auto& [mode, message] : bad) {
        try {
            configure({{"file_mode", mode}});
            ADD_FAILURE() << "file_mode " << mode << " was accepted";
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_CONFIG);
            EXPECT_EQ(e.settingErrors(), (std::vector<std::pair<std::string, std::string>>{{"file_mode", message}}));
        }
    }
}
