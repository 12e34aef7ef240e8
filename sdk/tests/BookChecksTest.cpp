// The kit's read-back rules on hand-made documents: balance per currency, exactly once, and the
// amounts per account — net, or gross under a tax key (DATEV), the contra side, more decimals
// than the currency has (JPY as 500,00) and fewer (KWD rounded to 2), and what each problem says.
#include <gtest/gtest.h>

#include "ledgerbridge/testkit/BookChecks.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::testkit;

namespace {

sdk::Money money(std::int64_t minor, const std::string& currency = "EUR", int exponent = 2) {
    return sdk::Money{minor, currency, exponent};
}

/// Two lines: 6110 gross 125.00 (net 100.00, tax 25.00), 6120 gross 20.00 (net 16.00, tax 4.00);
/// contra 2900 takes 145.00.
sdk::Entry entry(const std::string& id, const std::string& currency = "EUR", int exponent = 2) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.contraAccountCode = "2900";
    auto line = [&](const std::string& account, std::int64_t gross, std::int64_t tax) {
        sdk::Line l;
        l.lineId = id + "-" + account;
        l.accountCode = account;
        l.walletAmount = money(gross, currency, exponent);
        l.netAmount = money(gross - tax, currency, exponent);
        l.taxAmount = money(tax, currency, exponent);
        l.taxType = "normal";
        return l;
    };
    e.lines = {line("6110", 12500, 2500), line("6120", 2000, 400)};
    e.totalWallet = money(14500, currency, exponent);
    return e;
}

WrittenDocument doc(const std::string& id, std::vector<Posting> postings) {
    return WrittenDocument{id, "", "ledger:" + id, std::move(postings)};
}

Posting p(const std::string& account, std::int64_t minor, const std::string& taxKey = "", int exponent = 2,
          const std::string& currency = "EUR") {
    return Posting{account, minor, currency, exponent, taxKey};
}

/// The net booking of entry(): lines net, input VAT, contra.
WrittenDocument netBooking(const std::string& id) {
    return doc(id, {p("6110", 10000), p("6120", 1600), p("2640", 2900), p("2900", -14500)});
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
    for (const auto& s : problems)
        if (s.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST(BookChecks, ABalancedDocumentPassesAndAnUnbalancedOneIsNamedWithItsAmounts) {
    EXPECT_TRUE(unbalancedDocuments({netBooking("e1")}).empty());
    const auto problems = unbalancedDocuments({doc("e2", {p("6110", 10000), p("2640", 2500), p("2900", -12499)})});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0], "ledger:e2 (entry e2) does not balance in EUR: debits 125.00 EUR, credits 124.99 EUR, "
                           "difference 0.01 EUR");
    EXPECT_TRUE(mentions(unbalancedDocuments({doc("e3", {})}), "has no postings"));
    EXPECT_TRUE(mentions(unbalancedDocuments({doc("e4", {p("6110", 100, "", 2), p("2900", -1000, "", 3)})}),
                         "different numbers of decimals"));
    // Each currency on its own: 1 EUR against 1 SEK does not balance either.
    EXPECT_EQ(unbalancedDocuments({doc("e5", {p("6110", 100), p("2900", -100, "", 2, "SEK")})}).size(), 2u);
}

TEST(BookChecks, EachPostedEntryExactlyOnceNoneForRejectedOrUnknownEntries) {
    const auto a = entry("a"), b = entry("b"), c = entry("c");
    EXPECT_TRUE(entriesNotExactlyOnce({netBooking("a"), netBooking("b")}, {a, b}, {c}).empty());
    const auto problems = entriesNotExactlyOnce({netBooking("a"), netBooking("a"), netBooking("c"), netBooking("x")},
                                                {a, b}, {c});
    EXPECT_TRUE(mentions(problems, "entry a was written 2 times: ledger:a, ledger:a"));
    EXPECT_TRUE(mentions(problems, "entry b was reported posted but no document of it was read back"));
    EXPECT_TRUE(mentions(problems, "entry c was not reported posted, yet written: ledger:c"));
    EXPECT_TRUE(mentions(problems, "ledger:x belongs to entry 'x', which the kit never pushed"));
    EXPECT_EQ(problems.size(), 4u);
}

TEST(BookChecks, LineAccountsCarryNetAndTheContraMinusTheTotal) {
    EXPECT_TRUE(amountsNotCarried({netBooking("e")}, {entry("e")}).empty());
    // Gross on the expense account without a tax key: the tax is booked twice.
    auto problems = amountsNotCarried({doc("e", {p("6110", 12500), p("6120", 1600), p("2640", 2900), p("2900", -14500)})},
                                      {entry("e")});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0], "ledger:e (entry e): account 6110 carries 125.00 EUR, expected 100.00 EUR (net of line e-6110)");
    // The contra side short by a cent, and an account missing altogether.
    problems = amountsNotCarried({doc("e", {p("6110", 10000), p("2640", 2900), p("2900", -14499)})}, {entry("e")});
    EXPECT_TRUE(mentions(problems, "account 2900 carries -144.99 EUR, expected -145.00 EUR (minus the entry's total, the contra side)"));
    EXPECT_TRUE(mentions(problems, "has no posting to account 6120; expected 16.00 EUR (net of line e-6120)"));
    // Another contra account when the target books the other side on its own (testkit.contra_account).
    EXPECT_TRUE(amountsNotCarried({doc("e", {p("6110", 10000), p("6120", 1600), p("2640", 2900), p("1930", -14500)})},
                                  {entry("e")}, "1930")
                    .empty());
}

TEST(BookChecks, UnderATaxKeyAnAccountCarriesGross) {
    // DATEV: each row books the gross amount with a BU key; the target splits the tax.
    const auto datev = doc("e", {p("6110", 12500, "9"), p("2900", -12500), p("6120", 2000, "9"), p("2900", -2000)});
    EXPECT_TRUE(amountsNotCarried({datev}, {entry("e")}).empty());
    EXPECT_TRUE(unbalancedDocuments({datev}).empty());
    // Net under a tax key would lose the tax.
    const auto problems = amountsNotCarried({doc("e", {p("6110", 10000, "9"), p("6120", 2000, "9"), p("2900", -14500)})},
                                            {entry("e")});
    EXPECT_TRUE(mentions(problems, "account 6110 carries 100.00 EUR, expected 125.00 EUR (gross of line e-6110)"));
}

TEST(BookChecks, MoreDecimalsThanTheCurrencyAreExactFewerAreRoundedPerLine) {
    // JPY (0 decimals) written as DATEV's 12500,00: exact.
    const auto yen = doc("y", {p("6110", 1250000, "9", 2, "JPY"), p("6120", 200000, "9", 2, "JPY"),
                               p("2900", -1450000, "", 2, "JPY")});
    EXPECT_TRUE(amountsNotCarried({yen}, {entry("y", "JPY", 0)}).empty()) << describeProblems(amountsNotCarried({yen}, {entry("y", "JPY", 0)}));
    // KWD (3 decimals): lines 12.345 and 2.005 gross; written with 2 decimals they are 12.35
    // and 2.01 (half away from zero), the contra side -14.36.
    sdk::Entry kwd = entry("k", "KWD", 3);
    kwd.lines[0].walletAmount.minor = 12345;
    kwd.lines[0].taxAmount.minor = 0;
    kwd.lines[0].netAmount.minor = 12345;
    kwd.lines[1].walletAmount.minor = 2005;
    kwd.lines[1].taxAmount.minor = 0;
    kwd.lines[1].netAmount.minor = 2005;
    kwd.totalWallet.minor = 14350;
    const auto rounded = doc("k", {p("6110", 1235, "", 2, "KWD"), p("6120", 201, "", 2, "KWD"), p("2900", -1436, "", 2, "KWD")});
    EXPECT_TRUE(amountsNotCarried({rounded}, {kwd}).empty()) << describeProblems(amountsNotCarried({rounded}, {kwd}));
    const auto truncated = doc("k", {p("6110", 1234, "", 2, "KWD"), p("6120", 200, "", 2, "KWD"), p("2900", -1434, "", 2, "KWD")});
    EXPECT_EQ(amountsNotCarried({truncated}, {kwd}).size(), 3u);
}

TEST(BookChecks, APostingInAnotherCurrencyIsNamed) {
    const auto problems = amountsNotCarried({doc("e", {p("6110", 10000), p("6120", 1600), p("2640", 2900),
                                                       p("2900", -14500), p("9999", 5, "", 2, "SEK")})},
                                            {entry("e")});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0], "ledger:e (entry e) posts 0.05 SEK to 9999; the entry is in EUR");
}
