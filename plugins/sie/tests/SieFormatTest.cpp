// The SIE writer checked on the produced bytes: record order, CP437, CRLF, quoting, object
// lists, amounts with exactly the currency's decimals, #TRANS rows summing to zero, the
// #KSUMMA CRC against independently computed values, and a golden file for a fixed input.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "Cp437.hpp"
#include "SieFormat.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::sie;

namespace {
SieConfig config() {
    SieConfig c;
    c.companyName = "Åkesson & Söner \"Byggvaror\" AB";
    c.orgNr = "556677-8899";
    c.yearStart = "20260101";
    c.yearEnd = "20261231";
    c.kptyp = "BAS2014";
    c.currency = "SEK";
    c.dimensions = {{"CC", 1}, {"PRJ", 6}};
    return c;
}

sdk::Line line(const std::string& id, std::int64_t gross, std::int64_t tax, const std::string& account) {
    sdk::Line l;
    l.lineId = id;
    l.walletAmount = sdk::Money{gross, "SEK", 2};
    l.supplierAmount = l.walletAmount;
    l.netAmount = sdk::Money{gross - tax, "SEK", 2};
    l.taxAmount = sdk::Money{tax, "SEK", 2};
    l.accountCode = account;
    l.taxCode = tax ? "I25" : "";
    return l;
}

// The golden input: a two-line purchase with tags and VAT, a refund, and texts that need
// escaping and replacement.
std::vector<sdk::Entry> fixedEntries() {
    sdk::Entry a;
    a.accountingEntryId = "E1";
    a.exportJobId = "job-1";
    a.idempotencyKey = "lb-e1";
    a.date = "2026-03-05";
    a.supplier.name = "Café \"Blå\" Göteborg \\ Hisingen";
    a.lines.push_back(line("a1", 12500, 2500, "5410"));
    a.lines.back().tags = {{"PRJ", "P-7", "Mässa"}, {"CC", "100", "Sälj"}, {"OTHER", "x", "ignored"}};
    a.lines.push_back(line("a2", 4000, 0, "5800"));
    a.totalWallet = sdk::Money{16500, "SEK", 2};
    a.contraAccountCode = "2890";

    sdk::Entry b;
    b.accountingEntryId = "E2";
    b.exportJobId = "job-1";
    b.idempotencyKey = "lb-e2";
    b.date = "2026-03-31";
    b.note = "Återbetalning €\nrad två";
    b.lines.push_back(line("b1", -6250, -1250, "5410"));
    b.totalWallet = sdk::Money{-6250, "SEK", 2};
    b.contraAccountCode = "2890";
    return {a, b};
}

std::string fixedFile() {
    std::string records = headRecords(config(), "20260401");
    for (const auto& e : fixedEntries()) records += verification(e, config());
    std::string bytes = toCp437(records);
    const std::string open = "#KSUMMA\r\n";
    bytes += "#KSUMMA " + std::to_string(checksum(bytes.substr(bytes.find(open) + open.size()))) + "\r\n";
    return bytes;
}

std::int64_t minorOf(const std::string& amount) {
    const auto dot = amount.find('.');
    EXPECT_NE(dot, std::string::npos) << amount;
    EXPECT_EQ(amount.size() - dot - 1, 2u) << "exactly the currency's decimals: " << amount;
    return std::stoll(amount.substr(0, dot) + amount.substr(dot + 1));
}
}  // namespace

TEST(SieFormat, HeadRecordsInSpecificationOrder) {
    EXPECT_EQ(headRecords(config(), "20260401"),
              "#FLAGGA 0\r\n#KSUMMA\r\n#PROGRAM \"ledgerbridge\" 1.0\r\n#FORMAT PC8\r\n#GEN 20260401\r\n#SIETYP 4\r\n"
              "#ORGNR 556677-8899\r\n#FNAMN \"Åkesson & Söner \\\"Byggvaror\\\" AB\"\r\n#RAR 0 20260101 20261231\r\n"
              "#KPTYP BAS2014\r\n#VALUTA SEK\r\n");
    SieConfig c = config();
    c.checksum = false;
    c.kptyp.clear();
    const std::string head = headRecords(c, "20260401");
    EXPECT_EQ(head.rfind("#FLAGGA 0\r\n#PROGRAM", 0), 0u);
    EXPECT_EQ(head.find("#KPTYP"), std::string::npos);
}

TEST(SieFormat, VerificationRowsSumToZeroWithVatOnItsOwnAccount) {
    for (const auto& e : fixedEntries()) {
        const std::string v = verification(e, config());
        std::istringstream in(v);
        std::string record;
        std::int64_t sum = 0;
        int rows = 0;
        bool vatRow = false;
        while (std::getline(in, record)) {
            ASSERT_FALSE(record.empty());
            EXPECT_EQ(record.back(), '\r');
            if (record.rfind("#TRANS", 0) != 0) continue;
            const auto t = tokens(record);
            sum += minorOf(t.back());
            vatRow = vatRow || t[1] == "2640";
            ++rows;
        }
        EXPECT_EQ(sum, 0) << v;
        EXPECT_TRUE(vatRow);
        EXPECT_GE(rows, 2);
    }
}

TEST(SieFormat, ExactRecordsForAPurchase) {
    EXPECT_EQ(verification(fixedEntries()[0], config()),
              "#VER \"A\" \"\" 20260305 \"Café \\\"Blå\\\" Göteborg / Hisingen [lb-e1]\"\r\n{\r\n"
              "#TRANS 5410 {1 \"100\" 6 \"P-7\"} 100.00\r\n"
              "#TRANS 2640 {} 25.00\r\n"
              "#TRANS 5800 {} 40.00\r\n"
              "#TRANS 2890 {} -165.00\r\n}\r\n");
}

TEST(SieFormat, QuotingEscapesQuotesAndRemovesControlCharacters) {
    EXPECT_EQ(quote("a\"b"), "\"a\\\"b\"");
    EXPECT_EQ(quote("tab\there\r\nnext"), "\"tab here  next\"");
    EXPECT_EQ(quote("slut\\"), "\"slut/\"");
    EXPECT_EQ(quote(""), "\"\"");
    EXPECT_EQ(tokens("#VER \"A\" \"\" 20260305 \"x \\\"y\\\" [k]\""),
              (std::vector<std::string>{"#VER", "A", "", "20260305", "x \"y\" [k]"}));
    EXPECT_EQ(keyOfText("x \"y\" [k-1]"), "k-1");
    EXPECT_EQ(keyOfText("no key"), "");
}

TEST(SieFormat, Cp437ForSwedishLettersAndCountedReplacement) {
    std::size_t replaced = 0;
    EXPECT_EQ(toCp437("åäöÅÄÖéÉüÜ", &replaced), "\x86\x84\x94\x8F\x8E\x99\x82\x90\x81\x9A");
    EXPECT_EQ(replaced, 0u);
    EXPECT_EQ(toCp437("€ ✓ ø", &replaced), "? ? ?");
    EXPECT_EQ(replaced, 3u);
}

TEST(SieFormat, Crc32MatchesZlibAndTheSpecificationsFieldRule) {
    EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
    // Expected values computed with Python's zlib.crc32 over label + field contents.
    EXPECT_EQ(checksum("#KONTO 1915 \"Kassa \\\"special\\\"\"\r\n"), 1921122205u);
    EXPECT_EQ(checksum("#TRANS 7010 {1 \"456\"} 13200.00\r\n{\r\n}\r\n"), 3174400141u);
    EXPECT_EQ(checksum(toCp437("#FNAMN \"Åkesson & Söner\"\r\n")), 1613162655u);
    EXPECT_EQ(checksum("#TRANS\t7010  { 1 \"456\" }   13200.00\r\n"), 3174400141u) << "blanks do not count";
}

TEST(SieFormat, EntriesOutsideTheYearOrInAnotherCurrencyAreRejected) {
    auto e = fixedEntries()[0];
    EXPECT_FALSE(checkEntry(e, config()));
    e.date = "2027-01-01";
    EXPECT_EQ(checkEntry(e, config())->failureReason, "validation_failure");
    e = fixedEntries()[0];
    e.totalWallet.currency = "EUR";
    EXPECT_EQ(checkEntry(e, config())->failureReason, "validation_failure");
    e = fixedEntries()[0];
    e.lines[0].accountCode = "Travel";
    EXPECT_EQ(checkEntry(e, config())->failureReason, "account_unknown");
    e = fixedEntries()[0];
    e.lines.resize(1);
    e.lines[0].tags.clear();
    e.lines[0].walletAmount.minor = INT64_MIN;
    e.lines[0].netAmount.minor = INT64_MIN;
    e.lines[0].taxAmount.minor = 0;
    e.totalWallet.minor = INT64_MIN;
    EXPECT_EQ(checkEntry(e, config())->failureReason, "validation_failure") << "a total that cannot be negated";
}

TEST(SieFormat, GoldenFile) {
    const std::string bytes = fixedFile();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n') {
            EXPECT_EQ(bytes[i - 1], '\r') << "bare LF at byte " << i;
        }
    }
    EXPECT_NE(bytes.find("#FNAMN \"\x8Fkesson & S\x94ner"), std::string::npos);
    EXPECT_NE(bytes.find("\"\x8F" "terbetalning ? rad tv\x86 [lb-e2]\""), std::string::npos);
    const std::string path = std::string(SIE_GOLDEN_DIR) + "/pleo-job-1.se";
    if (std::getenv("LEDGERBRIDGE_UPDATE_GOLDEN")) {
        std::ofstream(path, std::ios::binary) << bytes;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path;
    std::ostringstream golden;
    golden << in.rdbuf();
    EXPECT_EQ(bytes, golden.str());
}
