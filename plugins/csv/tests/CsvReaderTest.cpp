// The independent reader (csv_reader): it reads back what the real plugin wrote — reverse
// charge, refunds, zero-decimal currencies, non-Latin text and every quoting case — into
// balanced postings per account, and refuses files that break the format, naming file:line
// and the rule.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "CsvReader.hpp"
#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using readers::readCsvFile;

namespace {
const lb_plugin_api* api() {
    static const lb_plugin_api* a = sdk::openLibrary(std::getenv("LEDGERBRIDGE_CSV_PLUGIN"));
    return a;
}

sdk::Money money(std::int64_t minor, const std::string& currency, int exponent) { return {minor, currency, exponent}; }

/// An entry with a normal line and a reverse-charge line (or `lines` as given).
sdk::Entry entry(const std::string& id, const std::string& currency = "SEK", int exponent = 2, int sign = 1) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job-r";
    e.idempotencyKey = "lbk-" + id;
    e.date = "2026-04-30";
    e.supplier.name = "Ресторан \"Пушкин\", 東京;\nsecond line";
    sdk::Line normal;
    normal.lineId = id + "-1";
    normal.walletAmount = money(sign * 12500, currency, exponent);
    normal.netAmount = money(sign * 10000, currency, exponent);
    normal.taxAmount = money(sign * 2500, currency, exponent);
    normal.taxType = "normal";
    normal.taxCode = "S25";
    normal.accountCode = "5410";
    normal.description = "Kaffe, \"bönor\" och 寿司";
    sdk::Line reverse = normal;
    reverse.lineId = id + "-2";
    reverse.walletAmount = reverse.netAmount = money(sign * 40000, currency, exponent);
    reverse.taxAmount = money(sign * 10000, currency, exponent);
    reverse.taxType = "reverse";
    reverse.taxCode = "RC25";
    reverse.accountCode = "6540";
    e.lines = {normal, reverse};
    e.totalWallet = money(sign * 52500, currency, exponent);
    e.contraAccountCode = "1930";
    return e;
}

class CsvReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-csvreader-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }

    std::vector<sdk::Outcome> write(const std::vector<sdk::Entry>& entries,
                                    std::vector<std::pair<std::string, std::string>> settings = {}) {
        testkit::MemoryHost host;
        sdk::PluginClient client(api(), host, "csv");
        settings.emplace_back("output_dir", dir.string());
        settings.emplace_back("tax_account", "2640");
        settings.emplace_back("reverse_charge_input_account", "2645");
        settings.emplace_back("reverse_charge_output_account", "2614");
        client.configure(settings);
        return client.push(entries);
    }
    /// A hand-written file `name` with `text`; returns its path.
    std::string file(const std::string& text, const std::string& name = "f.csv") {
        std::ofstream(dir / name, std::ios::binary) << text;
        return (dir / name).string();
    }
    fs::path dir;
};

std::map<std::string, std::int64_t> byAccount(const testkit::WrittenDocument& d) {
    std::map<std::string, std::int64_t> out;
    for (const auto& p : d.postings) out[p.account] += p.minor;
    return out;
}

std::int64_t sum(const testkit::WrittenDocument& d) {
    std::int64_t s = 0;
    for (const auto& p : d.postings) s += p.minor;
    return s;
}

const std::string kHeader =
    "entry_id,line_id,account,net,tax,gross,currency,contra_account,reverse_charge_input_vat,reverse_charge_output_vat\r\n";

void expectBroken(const std::string& path, const std::string& where, const std::string& rule) {
    try {
        readCsvFile(path);
        ADD_FAILURE() << "read without error; expected " << rule;
    } catch (const std::runtime_error& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.rfind(path + ":" + where + ": ", 0), 0u) << m;
        EXPECT_NE(m.find(rule), std::string::npos) << m;
    }
}
}  // namespace

TEST_F(CsvReaderTest, ReadsBackWhatThePluginWroteAsBalancedPostingsPerAccount) {
    const auto out = write({entry("E1"), entry("E2", "JPY", 0), entry("E3", "SEK", 2, -1)});
    for (const auto& o : out) ASSERT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
    const auto docs = readCsvFile((dir / "pleo-export-job-r.csv").string());
    ASSERT_EQ(docs.size(), 3u);
    EXPECT_EQ(docs[0].accountingEntryId, "E1");
    EXPECT_EQ(docs[0].idempotencyKey, "lbk-E1");
    EXPECT_EQ(docs[0].where, (dir / "pleo-export-job-r.csv").string() + ":2");
    for (const auto& d : docs) EXPECT_EQ(sum(d), 0) << d.where;
    const std::map<std::string, std::int64_t> expected{{"5410", 10000}, {"2640", 2500}, {"6540", 40000},
                                                       {"2645", 10000}, {"2614", -10000}, {"1930", -52500}};
    EXPECT_EQ(byAccount(docs[0]), expected);
    EXPECT_EQ(docs[1].postings.front().exponent, 0);
    EXPECT_EQ(docs[1].postings.front().currency, "JPY");
    EXPECT_EQ(byAccount(docs[1]), expected);  // ¥10000 as written, no decimals
    std::map<std::string, std::int64_t> refund;
    for (const auto& [account, minor] : expected) refund[account] = -minor;
    EXPECT_EQ(byAccount(docs[2]), refund);
}

TEST_F(CsvReaderTest, ReadsSemicolonFilesWithDecimalCommas) {
    write({entry("E1")}, {{"delimiter", ";"}, {"decimal_separator", ","}});
    const auto docs = readCsvFile((dir / "pleo-export-job-r.csv").string());
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(sum(docs[0]), 0);
    EXPECT_EQ(byAccount(docs[0])["1930"], -52500);
}

TEST_F(CsvReaderTest, OnlyTheCommittedLengthCounts) {
    write({entry("E1")});
    const auto path = dir / "pleo-export-job-r.csv";
    std::ofstream(path, std::ios::app | std::ios::binary) << "E9,E9-1,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n";
    const auto docs = readCsvFile(path.string());
    ASSERT_EQ(docs.size(), 1u) << "a tail past the sidecar's committed length was read";
}

TEST_F(CsvReaderTest, AnEntryWrittenInTwoPlacesIsTwoDocuments) {
    const auto path = file(kHeader + "E1,L1,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n"
                                     "E2,L1,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n"
                                     "E1,L1,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n");
    const auto docs = readCsvFile(path);
    ASSERT_EQ(docs.size(), 3u);
    EXPECT_EQ(docs[2].accountingEntryId, "E1");
    EXPECT_EQ(docs[2].where, path + ":4");
}

TEST_F(CsvReaderTest, ReportsUnbalancedRowsAsWrittenWithoutJudging) {
    const auto path = file(kHeader + "E1,L1,5410,1.00,0.25,1.00,SEK,1930,0.00,0.00\r\n");
    const auto docs = readCsvFile(path);
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(sum(docs[0]), 25);
}

TEST_F(CsvReaderTest, RefusesFilesThatBreakTheFormat) {
    const std::string row = "E1,L1,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00";
    expectBroken(file(kHeader + row + "\n", "lf.csv"), "2", "bare LF, not CRLF");
    expectBroken(file(kHeader + row, "noend.csv"), "2", "does not end with CRLF");
    expectBroken(file(kHeader + "E1,L\"1,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n", "quote.csv"), "2",
                 "quote inside an unquoted field");
    expectBroken(file(kHeader + "E1,\"L1\"x,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n", "after.csv"), "2",
                 "character after a closing quote");
    expectBroken(file(kHeader + "E1,\"L1,5410\r\n", "open.csv"), "2", "quoted field not closed");
    expectBroken(file(kHeader + "E1,L1,5410,1.00,0.00,1.00,SEK,1930,0.00\r\n", "fields.csv"), "2",
                 "record has 9 fields, the header 10");
    expectBroken(file(kHeader + "E1,L1,5410,1.0,0.00,1.00,SEK,1930,0.00,0.00\r\n", "decimals.csv"), "2",
                 "tax has 2 decimals, other amounts of the record 1");
    expectBroken(file(kHeader + "E1,L1,5410,1e2,0.00,1.00,SEK,1930,0.00,0.00\r\n", "exp.csv"), "2",
                 "net '1e2' is not a decimal amount");
    expectBroken(file(kHeader + "E1,L1,5410,+1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n", "plus.csv"), "2",
                 "net '+1.00' is not a decimal amount");
    expectBroken(file(kHeader + "E1,L1,5410,1.00,0.00,1.00,sek,1930,0.00,0.00\r\n", "cur.csv"), "2",
                 "currency 'sek' is not an ISO 4217 code");
    expectBroken(file(kHeader + ",L1,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n", "noid.csv"), "2", "entry_id is empty");
    expectBroken(file(kHeader + row + "\r\n" + row + "\r\n", "dupline.csv"), "3", "line_id 'L1' appears twice in entry E1");
    expectBroken(file("entry_id,account,net,gross,currency\r\n", "cols.csv"), "1", "the header lacks the booking column tax");
    expectBroken(file("\xEF\xBB\xBF" + kHeader, "bom.csv"), "1", "byte order mark");
    expectBroken(file(kHeader + "E1,L1,5410,1.00,0.00,1.00,SEK,\xC3\x28,0.00,0.00\r\n", "utf8.csv"), "2",
                 "invalid UTF-8 continuation byte");
    expectBroken(file("", "empty.csv"), "1", "header record is missing");
    expectBroken(file("id;account\r\n", "noentry.csv"), "1", "no entry_id column");
    const std::string dated = "entry_id,date,account,net,tax,gross,currency,contra_account,reverse_charge_input_vat,"
                              "reverse_charge_output_vat\r\n";
    expectBroken(file(dated + "E1,2026-13-01,5410,1.00,0.00,1.00,SEK,1930,0.00,0.00\r\n", "date.csv"), "2",
                 "date '2026-13-01' is not YYYY-MM-DD");
    const std::string semi = "entry_id;account;net;tax;gross;currency;contra_account;reverse_charge_input_vat;"
                             "reverse_charge_output_vat\r\n";
    expectBroken(file(semi + "E1;5410;1,00;0,00;1,00;SEK;1930;0,00;0,00\r\nE2;5410;1.00;0.00;1.00;SEK;1930;0.00;0.00\r\n",
                      "sep.csv"),
                 "3", "uses '.' as decimal separator, earlier records ','");
}
