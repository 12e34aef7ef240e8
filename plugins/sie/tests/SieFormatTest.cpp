// The SIE writer checked on the produced bytes: record order, CP437, CRLF, quoting, object
// lists and their declarations, amounts with two decimals whatever the currency's minor units,
// #TRANS rows summing to zero (reverse charge included), the balance check's rejection, the
// identity marker, the #KSUMMA CRC against independently computed values, and a golden file.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <filesystem>
#include <variant>

#include "Cp437.hpp"
#include "SieFile.hpp"
#include "SieFormat.hpp"
#include "SieMapping.hpp"

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
    l.taxType = "normal";
    l.taxRate = "25";
    l.lineId = id;
    l.walletAmount = sdk::Money{gross, "SEK", 2};
    l.supplierAmount = l.walletAmount;
    l.netAmount = sdk::Money{gross - tax, "SEK", 2};
    l.taxAmount = sdk::Money{tax, "SEK", 2};
    l.accountCode = account;
    l.taxCode = tax ? "I25" : "";
    return l;
}

// A reverse-charge line: the price is the net, the tax is on top and not paid to the supplier.
sdk::Line reverseLine(const std::string& id, std::int64_t gross, std::int64_t tax, const std::string& account,
                      const std::string& rate = "25") {
    sdk::Line l = line(id, gross, 0, account);
    l.taxType = "reverse";
    l.taxRate = rate;
    l.taxCode = "RC" + rate;
    l.taxAmount.minor = tax;
    return l;
}

// The golden input: a two-line purchase with tags and VAT, a refund, a reverse-charge
// purchase, and texts that need escaping and replacement.
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
    b.note = "Återbetalning € ✓\nrad två";
    b.lines.push_back(line("b1", -6250, -1250, "5410"));
    b.totalWallet = sdk::Money{-6250, "SEK", 2};
    b.contraAccountCode = "2890";

    sdk::Entry c;
    c.accountingEntryId = "E3";
    c.exportJobId = "job-1";
    c.idempotencyKey = "lb-e3";
    c.date = "2026-04-01";
    c.supplier.name = "Atlassian Pty";
    c.lines.push_back(reverseLine("c1", 100000, 25000, "5420"));
    c.lines.back().tags = {{"CC", "200", "Utveckling"}};
    c.totalWallet = sdk::Money{100000, "SEK", 2};
    c.contraAccountCode = "2890";
    return {a, b, c};
}

SieVoucher voucherOf(const sdk::Entry& e, const SieConfig& c = config()) {
    auto mapped = mapEntry(e, c);
    if (auto* rejected = std::get_if<sdk::Outcome>(&mapped)) ADD_FAILURE() << rejected->message;
    return std::get<SieVoucher>(mapped);
}

std::string recordsOf(const sdk::Entry& e, const SieConfig& c = config()) {
    return verificationRecords(voucherOf(e, c), c.series);
}

std::optional<sdk::Outcome> rejectionOf(const sdk::Entry& e, const SieConfig& c = config()) {
    auto mapped = mapEntry(e, c);
    if (auto* rejected = std::get_if<sdk::Outcome>(&mapped)) return *rejected;
    return std::nullopt;
}

// The fixed entries written as the plugin writes them: head, declarations, vouchers, through
// SieFile (a temp file), the bytes read back.
std::string fixedFile() {
    const std::string path = std::filesystem::temp_directory_path() / ("lb-sie-golden-" + std::to_string(::getpid()) + ".se");
    std::filesystem::remove(path);
    SieAddition add;
    add.head = toCp437(headRecords(config(), "20260401"));
    for (const auto& e : fixedEntries()) {
        const SieVoucher v = voucherOf(e);
        add.verifications += toCp437(verificationRecords(v, config().series));
        for (const auto& d : declarations(v, config())) add.declarations.push_back(toCp437(d));
    }
    SieFile file(path);
    file.load();
    file.append(add, true);
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::filesystem::remove(path);
    return bytes.str();
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
        const std::string v = recordsOf(e);
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
            vatRow = vatRow || t[1] == "2640" || t[1] == "2645";
            ++rows;
        }
        EXPECT_EQ(sum, 0) << v;
        EXPECT_TRUE(vatRow);
        EXPECT_GE(rows, 2);
    }
}

TEST(SieFormat, ExactRecordsForAPurchase) {
    EXPECT_EQ(recordsOf(fixedEntries()[0]),
              "#VER \"A\" \"\" 20260305 \"Café \\\"Blå\\\" Göteborg / Hisingen [E1 lb-e1]\"\r\n{\r\n"
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
    EXPECT_EQ(identityOfText("x \"y\" [E-1 k-1]")->entryId, "E-1");
    EXPECT_EQ(identityOfText("x \"y\" [E-1 k-1]")->key, "k-1");
    EXPECT_FALSE(identityOfText("no marker"));
}

TEST(SieFormat, Cp437ForSwedishLettersNearestLatinSpellingAndCountedReplacement) {
    std::size_t replaced = 0;
    EXPECT_EQ(toCp437("åäöÅÄÖéÉüÜ", &replaced), "\x86\x84\x94\x8F\x8E\x99\x82\x90\x81\x9A");
    EXPECT_EQ(replaced, 0u);
    std::size_t spelled = 0;
    EXPECT_EQ(toCp437("€ ✓ ø Łódź Œuvre „x” – Жук 東京 \xFF", &replaced, &spelled), "EUR ? o L\xA2" "dz OEuvre \"x\" - ??? ?? ?");
    EXPECT_EQ(replaced, 7u) << "✓, Ж, у, к, 東, 京 and the malformed byte";
    EXPECT_EQ(spelled, 8u) << "€ ø Ł ź Œ „ ” –";
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
    e.lines[1].taxType = "withholding";
    EXPECT_EQ(checkEntry(e, config())->failureReason, "validation_failure");
    EXPECT_NE(checkEntry(e, config())->message.find("tax type 'withholding'"), std::string::npos);
    e = fixedEntries()[0];
    e.lines[0].taxType = "none";
    EXPECT_NE(checkEntry(e, config())->message.find("tax type none but a tax amount of 25.00 SEK"), std::string::npos);
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
    EXPECT_NE(bytes.find("\"\x8F" "terbetalning EUR ? rad tv\x86 [E2 lb-e2]\""), std::string::npos);
    EXPECT_NE(bytes.find("#DIM 1 \"CC\"\r\n#DIM 6 \"PRJ\"\r\n#OBJEKT 1 \"100\" \"S\x84lj\"\r\n"), std::string::npos)
        << "declarations before the first #VER";
    EXPECT_LT(bytes.find("#OBJEKT"), bytes.find("#VER"));
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

TEST(SieFormat, ReverseChargeBooksInputAndOutputVatSoTheVoucherBalances) {
    // 1 000 SEK of software from abroad, 25 % reverse charge: the expense at the price, the
    // self-assessed VAT both as deductible input VAT (2645) and as owed output VAT (2614).
    EXPECT_EQ(recordsOf(fixedEntries()[2]),
              "#VER \"A\" \"\" 20260401 \"Atlassian Pty [E3 lb-e3]\"\r\n{\r\n"
              "#TRANS 5420 {1 \"200\"} 1000.00\r\n"
              "#TRANS 2645 {} 250.00\r\n"
              "#TRANS 2614 {} -250.00\r\n"
              "#TRANS 2890 {} -1000.00\r\n}\r\n");
    EXPECT_FALSE(unbalanced("E3", recordsOf(fixedEntries()[2])));

    // Several rates in one entry, the output account chosen per rate where configured; a
    // refund (negative amounts) reverses every row.
    SieConfig c = config();
    c.reverseOutputVatByRate = {{"12", "2624"}, {"6", "2634"}};
    sdk::Entry e = fixedEntries()[2];
    e.lines = {reverseLine("r1", -40000, -10000, "5420"), reverseLine("r2", -10000, -1200, "4010", "12.0"),
               reverseLine("r3", -5000, -300, "4010", "6"), line("n1", -2500, -500, "5410")};
    e.totalWallet.minor = -57500;
    EXPECT_EQ(recordsOf(e, c),
              "#VER \"A\" \"\" 20260401 \"Atlassian Pty [E3 lb-e3]\"\r\n{\r\n"
              "#TRANS 5420 {} -400.00\r\n#TRANS 2645 {} -100.00\r\n#TRANS 2614 {} 100.00\r\n"
              "#TRANS 4010 {} -100.00\r\n#TRANS 2645 {} -12.00\r\n#TRANS 2624 {} 12.00\r\n"
              "#TRANS 4010 {} -50.00\r\n#TRANS 2645 {} -3.00\r\n#TRANS 2634 {} 3.00\r\n"
              "#TRANS 5410 {} -20.00\r\n#TRANS 2640 {} -5.00\r\n"
              "#TRANS 2890 {} 575.00\r\n}\r\n");
    EXPECT_FALSE(unbalanced("E3", recordsOf(e, c)));
}

TEST(SieFormat, AnUnbalancedVoucherIsRejectedWithItsAmounts) {
    const std::string records =
        "#VER \"A\" \"\" 20260401 \"x [E9]\"\r\n{\r\n#TRANS 5420 {1 \"200\"} 1000.00\r\n#TRANS 2645 {} 250.00\r\n"
        "#TRANS 2890 {} -1000.00\r\n}\r\n";
    const auto rejected = unbalanced("E9", records);
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->kind, sdk::OutcomeKind::Rejected);
    EXPECT_EQ(rejected->failureReason, "validation_failure");
    EXPECT_EQ(rejected->message,
              "entry E9: the voucher does not balance: debits 1250.00, credits -1000.00, difference 250.00 "
              "(25000 hundredths); nothing was written");
    const auto broken = unbalanced("E9", "#TRANS 5420 {} 10,00\r\n");
    ASSERT_TRUE(broken);
    EXPECT_NE(broken->message.find("no valid amount"), std::string::npos);
}

TEST(SieFormat, AmountsHaveTwoDecimalsWhateverTheCurrencysMinorUnits) {
    EXPECT_EQ(formatCents(0), "0.00");
    EXPECT_EQ(formatCents(5), "0.05");
    EXPECT_EQ(formatCents(-123456), "-1234.56");
    EXPECT_EQ(formatCents(INT64_MIN), "-92233720368547758.08");
    EXPECT_EQ(transAmount("#TRANS 5410 {1 \"a b\" 6 \"}\"} -12.5 20260101 \"x\""), std::nullopt)
        << "a '}' inside a quoted object id is not the end of the list — the writer never writes one";
    EXPECT_EQ(transAmount("#TRANS 5410 {1 \"7\"} -12.5"), -1250);
    EXPECT_EQ(transAmount("#TRANS 5410 {} 3"), 300);
    EXPECT_EQ(transAmount("#TRANS 5410 {} 1.234"), std::nullopt);

    // A company keeping its books in JPY (no minor unit): 3 097 JPY is written 3097.00.
    SieConfig jpy = config();
    jpy.currency = "JPY";
    sdk::Entry e = fixedEntries()[0];
    e.lines.resize(1);
    e.lines[0].tags.clear();
    for (sdk::Money* m : {&e.lines[0].walletAmount, &e.lines[0].netAmount, &e.lines[0].taxAmount, &e.totalWallet}) {
        m->currency = "JPY";
        m->exponent = 0;
    }
    e.lines[0].walletAmount.minor = 3097;
    e.lines[0].netAmount.minor = 2478;
    e.lines[0].taxAmount.minor = 619;
    e.totalWallet.minor = 3097;
    EXPECT_NE(recordsOf(e, jpy).find("#TRANS 5410 {} 2478.00\r\n#TRANS 2640 {} 619.00\r\n#TRANS 2890 {} -3097.00\r\n"),
              std::string::npos);

    // KWD has three decimals: exact in hundredths is written, anything else is rejected.
    SieConfig kwd = config();
    kwd.currency = "KWD";
    for (sdk::Money* m : {&e.lines[0].walletAmount, &e.lines[0].netAmount, &e.lines[0].taxAmount, &e.totalWallet}) {
        m->currency = "KWD";
        m->exponent = 3;
    }
    e.lines[0].walletAmount.minor = 12500;
    e.lines[0].netAmount.minor = 10000;
    e.lines[0].taxAmount.minor = 2500;
    e.totalWallet.minor = 12500;
    EXPECT_NE(recordsOf(e, kwd).find("#TRANS 5410 {} 10.00\r\n#TRANS 2640 {} 2.50\r\n#TRANS 2890 {} -12.50\r\n"),
              std::string::npos);
    e.lines[0].netAmount.minor = 10001;
    e.lines[0].taxAmount.minor = 2499;
    const auto rejected = rejectionOf(e, kwd);
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->failureReason, "validation_failure");
    EXPECT_NE(rejected->message.find("amount 10.001 KWD has more than two decimals"), std::string::npos) << rejected->message;
}

TEST(SieFormat, LongTextsAreCutBeforeTheMarkerWhichStaysWhole) {
    sdk::Entry e = fixedEntries()[0];
    e.supplier.name = std::string(30, 'x') + std::string(200, 'y') + "ö";
    const SieVoucher v = voucherOf(e);
    EXPECT_EQ(v.description, std::string(30, 'x') + std::string(67, 'y') + "...");
    e.supplier.name = std::string(97, 'z') + "ÅÄÖ";  // exactly 100 characters: kept
    EXPECT_EQ(voucherOf(e).description, e.supplier.name);
    const auto t = tokens(recordsOf(e).substr(0, recordsOf(e).find("\r\n")));
    ASSERT_EQ(t.size(), 5u);
    EXPECT_EQ(identityOfText(t[4])->entryId, "E1");
}

TEST(SieFormat, IdentityMarkerSurvivesAnyIdAndReadsOldFiles) {
    for (const auto& [id, key] : std::vector<std::pair<std::string, std::string>>{
             {"0b5e4c1a-1111-4222-8333-944445555666", "lb1-0123456789abcdef0123456789abcdef01234567"},
             {"id with blanks ]\"\\", "key [x] 100%"},
             {"Ärende-Ж-€", ""},
             {"same", "same"}}) {
        const std::string marker = identityMarker(id, key);
        EXPECT_EQ(toCp437(marker), marker) << "ASCII only, so CP437 cannot change it";
        EXPECT_EQ(marker.find_first_of(" \"\\", marker.find(' ') + 1), std::string::npos) << marker;
        const auto identity = identityOfText("Supplier [not it] " + marker);
        ASSERT_TRUE(identity) << marker;
        EXPECT_EQ(identity->entryId, id);
        EXPECT_EQ(identity->key, key.empty() ? id : key);
    }
    EXPECT_EQ(identityMarker("E1", ""), "[E1]");
    const auto old = identityOfText("Kafé [lb-E1]");  // written before entry ids were recorded
    ASSERT_TRUE(old);
    EXPECT_EQ(old->key, "lb-E1");
    EXPECT_FALSE(identityOfText("x [bad%G1]"));
}
