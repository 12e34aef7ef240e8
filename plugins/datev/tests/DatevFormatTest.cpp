// The DATEV writer checked on the produced bytes: header field count and values, 125 columns,
// CRLF, Windows-1252, decimal comma, TTMM, Belegfeld 1 set, Buchungstext length, S/H, BU keys,
// KOST1/KOST2, foreign currency with an exact Kurs, and a golden file for a fixed input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "Cp1252.hpp"
#include "DatevBalance.hpp"
#include "DatevFormat.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::datev;

namespace {
DatevConfig config() {
    DatevConfig c;
    c.beraternummer = 29098;
    c.mandantennummer = 55003;
    c.fiscalYearStartMonth = 1;
    c.sachkontenlaenge = 4;
    c.skr = "03";
    c.bezeichnung = "Pleo Ausgaben";
    c.buKeys = {{"I19", "9"}, {"I7", "8"}, {"Z0", ""}};
    c.automaticVatAccounts = {"3806"};
    c.kost1Group = "CC";
    c.kost2Group = "PRJ";
    return c;
}

sdk::Line line(const std::string& id, std::int64_t gross, std::int64_t tax, const std::string& account,
               const std::string& taxCode) {
    sdk::Line l;
    l.lineId = id;
    l.walletAmount = sdk::Money{gross, "EUR", 2};
    l.supplierAmount = l.walletAmount;
    l.netAmount = sdk::Money{gross - tax, "EUR", 2};
    l.taxAmount = sdk::Money{tax, "EUR", 2};
    l.accountCode = account;
    l.taxCode = taxCode;
    return l;
}

// The fixed input of the golden file: a two-line purchase with tags, a foreign-currency
// purchase, a refund, and text that needs quoting, truncation and replacement.
std::vector<sdk::Entry> fixedEntries() {
    sdk::Entry a;
    a.accountingEntryId = "3f2b9c1e-0d4a-4f7b-9a51-2c6e8d7f1a90";
    a.exportJobId = "job-1";
    a.idempotencyKey = "lb-3f2b9c1e";
    a.date = "2026-02-07";
    a.supplier.name = "Bäckerei \"Zum Kranz\"; Berlin";
    a.lines.push_back(line("a1", 11900, 1900, "4650", "I19"));
    a.lines.back().tags = {{"CC", "100", "Vertrieb"}, {"PRJ", "P_7", "Messe"}};
    a.lines.push_back(line("a2", 1070, 70, "3806", "I7"));
    a.totalWallet = sdk::Money{12970, "EUR", 2};
    a.contraAccountCode = "1361";

    sdk::Entry b;
    b.accountingEntryId = "E-USD#2";
    b.exportJobId = "job-1";
    b.idempotencyKey = "lb-usd-2";
    b.date = "2026-02-28";
    b.supplier.name = "Notion Labs Inc. ✓ — a supplier name that is far longer than sixty characters";
    b.lines.push_back(line("b1", 9259, 0, "4930", "Z0"));
    b.lines.back().supplierAmount = sdk::Money{10000, "USD", 2};
    b.totalWallet = sdk::Money{9259, "EUR", 2};
    b.contraAccountCode = "1361";

    sdk::Entry c;
    c.accountingEntryId = "E3";
    c.exportJobId = "job-1";
    c.idempotencyKey = "lb-e3";
    c.date = "2026-02-01";
    c.note = "Erstattung\r\nzweite Zeile";
    c.lines.push_back(line("c1", -2380, -380, "4650", "I19"));
    c.totalWallet = sdk::Money{-2380, "EUR", 2};
    c.contraAccountCode = "1361";
    return {a, b, c};
}

std::string fixedFile() {
    std::string text = headerLine(config(), Period{2026, 2}, "20260301120000000") + "\r\n" + columnLine() + "\r\n";
    for (const auto& e : fixedEntries()) text += bookingRows(e, config());
    return toCp1252(text);
}

std::vector<std::string> lines(const std::string& bytes) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t pos; (pos = bytes.find("\r\n", start)) != std::string::npos; start = pos + 2)
        out.push_back(bytes.substr(start, pos - start));
    EXPECT_EQ(start, bytes.size()) << "text after the last CRLF";
    return out;
}
}  // namespace

TEST(DatevFormat, HeaderHas31FieldsWithTheFormatIdentityAndPeriod) {
    const auto f = splitLine(headerLine(config(), Period{2026, 2}, "20260301120000000"));
    ASSERT_EQ(f.size(), kHeaderFieldCount);
    EXPECT_EQ(f[0], "EXTF");
    EXPECT_EQ(f[1], "700");
    EXPECT_EQ(f[2], "21");
    EXPECT_EQ(f[3], "Buchungsstapel");
    EXPECT_EQ(f[4], "13");
    EXPECT_EQ(f[5], "20260301120000000");
    EXPECT_EQ(f[10], "29098");
    EXPECT_EQ(f[11], "55003");
    EXPECT_EQ(f[12], "20260101");  // WJ-Beginn
    EXPECT_EQ(f[13], "4");
    EXPECT_EQ(f[14], "20260201");  // Datum vom
    EXPECT_EQ(f[15], "20260228");  // Datum bis
    EXPECT_EQ(f[16], "Pleo Ausgaben");
    EXPECT_EQ(f[18], "1");  // Buchungstyp Finanzbuchführung
    EXPECT_EQ(f[21], "EUR");
    EXPECT_EQ(f[26], "03");
}

TEST(DatevFormat, FiscalYearStartingInJulyPutsJanuaryInThePreviousYear) {
    DatevConfig c = config();
    c.fiscalYearStartMonth = 7;
    EXPECT_EQ(splitLine(headerLine(c, Period{2026, 1}, "x"))[12], "20250701");
    EXPECT_EQ(splitLine(headerLine(c, Period{2026, 7}, "x"))[12], "20260701");
    EXPECT_EQ(splitLine(headerLine(c, Period{2024, 2}, "x"))[15], "20240229");
}

TEST(DatevFormat, FileIsCrlfWindows1252With125ColumnsEverywhere) {
    const std::string bytes = fixedFile();
    EXPECT_EQ(bytes.find('\n'), bytes.find("\r\n") + 1);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        if (bytes[i] == '\n') {
            EXPECT_EQ(bytes[i - 1], '\r') << "bare LF at byte " << i;
        }
    const auto rows = lines(bytes);
    ASSERT_EQ(rows.size(), 2u + 4u);  // header, names, 4 bookings
    EXPECT_EQ(splitLine(rows[1]).size(), kColumnCount);
    for (std::size_t r = 2; r < rows.size(); ++r) EXPECT_EQ(splitLine(rows[r]).size(), kColumnCount) << r;
    // "Schlüssel" in the column names: ü is 0xFC in Windows-1252, never UTF-8's C3 BC.
    EXPECT_NE(rows[1].find("Gegenkonto (ohne BU-Schl\xFC" "ssel)"), std::string::npos);
    EXPECT_EQ(bytes.find("\xC3"), std::string::npos);
}

TEST(DatevFormat, BookingFieldsFollowTheRules) {
    const auto entries = fixedEntries();
    const auto a1 = bookingFields(entries[0], 0, config());
    EXPECT_EQ(a1[0], "119,00");
    EXPECT_EQ(a1[1], "\"S\"");
    EXPECT_EQ(a1[2], "\"EUR\"");
    EXPECT_EQ(a1[3], "");
    EXPECT_EQ(a1[6], "4650");
    EXPECT_EQ(a1[7], "1361");
    EXPECT_EQ(a1[8], "\"0009\"") << "BU-Schlüssel is ^\"\\d{4}\"$";
    EXPECT_EQ(a1[9], "0702");  // TTMM
    EXPECT_EQ(a1[10], "\"3f2b9c1e-0d4a-4f7b-9a51-2c6e8d7f1a90\"");
    EXPECT_EQ(a1[11], "\"\"");  // empty text field
    EXPECT_EQ(a1[13], "\"Bäckerei \"\"Zum Kranz\"\"; Berlin\"");
    EXPECT_EQ(a1[36], "\"100\"");
    EXPECT_EQ(a1[37], "\"P_7\"");
    EXPECT_EQ(a1[47], "\"Pleo-Key\"");
    EXPECT_EQ(a1[48], "\"lb-3f2b9c1e\"");
    EXPECT_EQ(a1[49], "\"Pleo-Eintrag\"");
    EXPECT_EQ(a1[50], "\"3f2b9c1e-0d4a-4f7b-9a51-2c6e8d7f1a90\"") << "the entry id verbatim, to find it by id";
    const auto a2 = bookingFields(entries[0], 1, config());
    EXPECT_EQ(a2[8], "\"\"") << "automatic-VAT account gets no BU-Schlüssel";
    EXPECT_EQ(a2[0], "10,70");

    const auto b1 = bookingFields(entries[1], 0, config());
    EXPECT_EQ(b1[0], "100,00");
    EXPECT_EQ(b1[2], "\"USD\"");
    EXPECT_EQ(b1[3], "1,080030");  // 100.00 USD / 92.59 EUR, 6 places, half up
    EXPECT_EQ(b1[4], "92,59");
    EXPECT_EQ(b1[5], "\"EUR\"");
    EXPECT_EQ(b1[8], "\"\"");  // Z0 maps to an empty key
    EXPECT_EQ(b1[10], "\"E-USD-2\"") << "'#' is not in Belegfeld 1's character set";
    EXPECT_EQ(decodeUtf8(splitLine(b1[13] + ";")[0]).size(), 60u);

    const auto c1 = bookingFields(entries[2], 0, config());
    EXPECT_EQ(c1[0], "23,80");
    EXPECT_EQ(c1[1], "\"H\"");
    EXPECT_EQ(c1[9], "0102");
    EXPECT_EQ(c1[13], "\"Erstattung  zweite Zeile\"");
}

TEST(DatevFormat, AmountsUseADecimalCommaWithoutThousandsSeparators) {
    auto e = fixedEntries()[0];
    e.lines.resize(1);
    e.lines[0].walletAmount.minor = 123456789;
    e.lines[0].supplierAmount.minor = 123456789;
    EXPECT_EQ(bookingFields(e, 0, config())[0], "1234567,89");
    e.lines[0].walletAmount.minor = 5;
    e.lines[0].supplierAmount.minor = 5;
    EXPECT_EQ(bookingFields(e, 0, config())[0], "0,05");
    e.lines[0].walletAmount.minor = 926;
    e.lines[0].supplierAmount = sdk::Money{1500, "JPY", 0};
    const auto jpy = bookingFields(e, 0, config());
    EXPECT_EQ(jpy[0], "1500,00") << "a zero-decimal Umsatz still has exactly two decimals";
    EXPECT_EQ(jpy[2], "\"JPY\"");
    EXPECT_EQ(jpy[3], "161,987041");
    EXPECT_EQ(jpy[4], "9,26");
}

TEST(DatevFormat, ZeroDecimalBaseCurrencyGetsTwoZeroDecimals) {
    DatevConfig c = config();
    c.wkz = "JPY";
    auto e = fixedEntries()[0];
    e.lines.resize(1);
    e.lines[0].walletAmount = e.lines[0].supplierAmount = sdk::Money{309699, "JPY", 0};
    e.totalWallet = e.lines[0].walletAmount;
    EXPECT_FALSE(checkEntry(e, c));
    const auto f = bookingFields(e, 0, c);
    EXPECT_EQ(f[0], "309699,00");
    EXPECT_EQ(f[2], "\"JPY\"");
    EXPECT_FALSE(balanceProblem(e, bookingTable(e, c)));
}

TEST(DatevFormat, ThreeDecimalAmountsAreWrittenOnlyWhenExactOtherwiseRejected) {
    DatevConfig c = config();
    c.wkz = "KWD";
    auto e = fixedEntries()[0];
    e.lines.resize(1);
    e.lines[0].walletAmount = e.lines[0].supplierAmount = sdk::Money{12340, "KWD", 3};
    e.totalWallet = e.lines[0].walletAmount;
    EXPECT_FALSE(checkEntry(e, c));
    EXPECT_EQ(bookingFields(e, 0, c)[0], "12,34");
    EXPECT_FALSE(balanceProblem(e, bookingTable(e, c)));
    e.lines[0].walletAmount = e.lines[0].supplierAmount = sdk::Money{12345, "KWD", 3};
    e.totalWallet = e.lines[0].walletAmount;
    const auto r = checkEntry(e, c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->failureReason, "validation_failure");
    EXPECT_NE(r->message.find("12,345 KWD"), std::string::npos) << r->message;
    EXPECT_NE(r->message.find("two decimals"), std::string::npos) << r->message;
}

TEST(DatevFormat, ForeignAmountsThatKursCannotCarryAreBookedInTheBaseCurrency) {
    auto e = fixedEntries()[1];
    e.lines[0].supplierAmount = sdk::Money{12345, "KWD", 3};  // three decimals: no exact Umsatz
    auto f = bookingFields(e, 0, config());
    EXPECT_EQ(f[0], "92,59");
    EXPECT_EQ(f[2], "\"EUR\"");
    EXPECT_EQ(f[3], "");
    EXPECT_EQ(f[4], "");
    EXPECT_EQ(f[51], "\"Originalbetrag\"");
    EXPECT_EQ(f[52], "\"12,345 KWD\"");
    e.lines[0].supplierAmount = sdk::Money{7800, "GBP", 2};  // Kurs 0,84... is below 1: not ^[1-9]
    f = bookingFields(e, 0, config());
    EXPECT_EQ(f[2], "\"EUR\"");
    EXPECT_EQ(f[3], "");
    EXPECT_EQ(f[52], "\"78,00 GBP\"");
    e.lines[0].supplierAmount = sdk::Money{200000000, "IDR", 2};  // Kurs 21600,... has five digits
    EXPECT_EQ(bookingFields(e, 0, config())[3], "");
}

TEST(DatevFormat, RowsThatDoNotCarryTheTotalAreRejectedWithTheAmounts) {
    const auto e = fixedEntries()[0];
    auto table = bookingTable(e, config());
    EXPECT_FALSE(balanceProblem(e, table));
    table[1][0] = "10,71";
    const auto r = balanceProblem(e, table);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->failureReason, "validation_failure");
    EXPECT_NE(r->message.find("129,71 EUR"), std::string::npos) << r->message;
    EXPECT_NE(r->message.find("129,70 EUR"), std::string::npos) << r->message;
    table = bookingTable(e, config());
    table[0][7] = table[0][6];
    EXPECT_TRUE(balanceProblem(e, table)) << "Konto == Gegenkonto moves nothing";
    auto refund = fixedEntries()[2];
    EXPECT_FALSE(balanceProblem(refund, bookingTable(refund, config()))) << "H rows book a negative total";
    refund.totalWallet.minor = 2380;
    EXPECT_TRUE(balanceProblem(refund, bookingTable(refund, config())));
}

TEST(DatevFormat, FieldsOutsideDatevsRulesAreRejectedNotBent) {
    auto e = fixedEntries()[0];
    e.lines[0].tags = {{"CC", "1-00", "Vertrieb"}};
    auto r = checkEntry(e, config());
    ASSERT_TRUE(r);
    EXPECT_NE(r->message.find("KOST"), std::string::npos) << r->message;
    e = fixedEntries()[0];
    e.lines[0].accountCode = "46A0";
    EXPECT_EQ(checkEntry(e, config())->failureReason, "account_unknown");
    e.lines[0].accountCode = "465000";  // Sachkontenlänge 4: at most 5 digits
    EXPECT_EQ(checkEntry(e, config())->failureReason, "account_unknown");
    e = fixedEntries()[0];
    e.lines[0].taxType = "reverse";
    e.lines[0].taxCode = "Z0";  // maps to no key: the self-assessed VAT would vanish
    EXPECT_EQ(checkEntry(e, config())->failureReason, "tax_code_unknown");
    e.lines[0].taxCode = "I19";
    EXPECT_FALSE(checkEntry(e, config()));
    e = fixedEntries()[0];
    e.accountingEntryId = std::string(211, 'x');
    EXPECT_EQ(checkEntry(e, config())->failureReason, "validation_failure");
    EXPECT_EQ(buKeyField("94"), "0094");
    EXPECT_EQ(buKeyField(""), "");
}

TEST(DatevFormat, KursIsExactIntegerArithmetic) {
    EXPECT_EQ(kurs({10800, "USD", 2}, {10000, "EUR", 2}), "1,080000");
    EXPECT_EQ(kurs({15000, "JPY", 0}, {9259, "EUR", 2}), "162,004536");
    EXPECT_EQ(kurs({1, "USD", 2}, {3, "EUR", 2}), "0,333333");
    EXPECT_EQ(kurs({2, "USD", 2}, {3, "EUR", 2}), "0,666667");
    EXPECT_EQ(kurs({-10800, "USD", 2}, {-10000, "EUR", 2}), "1,080000");
}

TEST(DatevFormat, Windows1252ReplacesAndCountsWhatItCannotEncode) {
    std::size_t replaced = 0;
    EXPECT_EQ(toCp1252("€ äöüß Œ ✓ 日", &replaced), "\x80 \xE4\xF6\xFC\xDF \x8C ? ?");
    EXPECT_EQ(replaced, 2u);
    replaced = 0;
    EXPECT_EQ(toCp1252("bad \xFF byte", &replaced), "bad ? byte");
    EXPECT_EQ(replaced, 1u);
}

TEST(DatevFormat, BelegfeldAndTextLimits) {
    EXPECT_EQ(belegfeld1("AB 12/3_x$&%*+-#"), "AB-12/3_x$&%*+--");
    EXPECT_EQ(belegfeld1(std::string(50, 'A')).size(), 36u);
    EXPECT_EQ(textField("", 60), "\"\"");
    EXPECT_EQ(textField("äöü", 2), "\"äö\"");
}

TEST(DatevFormat, EntriesTheFormatCannotCarryAreRejected) {
    auto entries = fixedEntries();
    EXPECT_FALSE(checkEntry(entries[0], config()));
    auto e = entries[0];
    e.date = "07.02.2026";
    EXPECT_EQ(checkEntry(e, config())->failureReason, "validation_failure");
    e = entries[0];
    e.totalWallet.currency = "SEK";
    EXPECT_EQ(checkEntry(e, config())->failureReason, "validation_failure");
    e = entries[0];
    e.lines[0].taxCode = "X99";
    EXPECT_EQ(checkEntry(e, config())->failureReason, "tax_code_unknown");
    e = entries[0];
    e.contraAccountCode.clear();
    EXPECT_EQ(checkEntry(e, config())->failureReason, "account_unknown");
}

TEST(DatevFormat, GoldenFile) {
    const std::string path = std::string(DATEV_GOLDEN_DIR) + "/EXTF_job-1_202602.csv";
    if (std::getenv("LEDGERBRIDGE_UPDATE_GOLDEN")) {
        std::ofstream(path, std::ios::binary) << fixedFile();
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path;
    std::ostringstream golden;
    golden << in.rdbuf();
    EXPECT_EQ(fixedFile(), golden.str());
}
