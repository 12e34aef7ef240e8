// What each row books and the balance check on it: reverse charge on both sides, and every way
// a row set can fail to balance named with its amounts.
#include <gtest/gtest.h>

#include "CsvBooking.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::csv;

namespace {
sdk::Line line(const std::string& id, std::int64_t gross, std::int64_t net, std::int64_t tax, const std::string& type) {
    sdk::Line l;
    l.lineId = id;
    l.walletAmount = sdk::Money{gross, "SEK", 2};
    l.netAmount = sdk::Money{net, "SEK", 2};
    l.taxAmount = sdk::Money{tax, "SEK", 2};
    l.taxType = type;
    l.accountCode = "5410";
    return l;
}

sdk::Entry entry(std::vector<sdk::Line> lines) {
    sdk::Entry e;
    e.accountingEntryId = "E1";
    e.lines = std::move(lines);
    e.totalWallet = sdk::Money{0, "SEK", 2};
    for (const auto& l : e.lines) e.totalWallet.minor += l.walletAmount.minor;
    return e;
}
}  // namespace

TEST(CsvBooking, ReverseChargeBooksTheSelfAssessedVatOnBothSidesAndNoneAsPaidTax) {
    const auto e = entry({line("L1", 12500, 10000, 2500, "normal"), line("L2", 40000, 40000, 10000, "reverse"),
                          line("L3", 700, 700, 0, "none")});
    const auto rows = rowAmounts(e);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].tax, 2500);
    EXPECT_EQ(rows[0].reverseChargeInput, 0);
    EXPECT_EQ(rows[1].tax, 0);
    EXPECT_EQ(rows[1].reverseChargeInput, 10000);
    EXPECT_EQ(rows[1].reverseChargeOutput, 10000);
    EXPECT_EQ(rows[1].net, 40000);
    EXPECT_EQ(rows[1].gross, 40000);
    EXPECT_EQ(rows[2].tax, 0);
    EXPECT_FALSE(balanceProblem(e, rows));
}

TEST(CsvBooking, ARowWhoseAmountsDoNotAddUpIsRejectedWithItsAmounts) {
    const auto e = entry({line("L1", 12500, 10000, 2500, "normal")});
    auto rows = rowAmounts(e);
    rows[0].tax = 2499;
    const auto problem = balanceProblem(e, rows);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->kind, sdk::OutcomeKind::Rejected);
    EXPECT_EQ(problem->failureReason, "validation_failure");
    EXPECT_EQ(problem->message,
              "entry E1 would be written unbalanced: row 1 (line L1): net 10000 + tax 2499 + reverse-charge input VAT 0 "
              "- reverse-charge output VAT 0 = 12499 minor units, gross is 12500");
}

TEST(CsvBooking, ReverseChargeSidesThatDifferAreRejected) {
    const auto e = entry({line("L1", 40000, 40000, 10000, "reverse")});
    auto rows = rowAmounts(e);
    rows[0].reverseChargeOutput = 9999;
    rows[0].net = 39999;  // row sum still matches the gross: only the sides differ
    const auto problem = balanceProblem(e, rows);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->message, "entry E1 would be written unbalanced: row 1 (line L1): reverse-charge input VAT 10000 "
                                "differs from output VAT 9999 minor units");
}

TEST(CsvBooking, RowsThatDoNotSumToTheTotalAreRejectedWithBothAmounts) {
    auto e = entry({line("L1", 12500, 10000, 2500, "normal"), line("L2", 100, 100, 0, "none")});
    e.totalWallet.minor = 12601;
    const auto problem = balanceProblem(e, rowAmounts(e));
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->message, "entry E1 would be written unbalanced: the rows' gross amounts sum to 12600 minor units, "
                                "the entry's total is 12601 SEK");
}

TEST(CsvBooking, AmountsInAnotherCurrencyOrExponentAreRejected) {
    auto netInEur = entry({line("L1", 12500, 10000, 2500, "normal")});
    netInEur.lines[0].netAmount.currency = "EUR";
    auto problem = balanceProblem(netInEur, rowAmounts(netInEur));
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->message.find("net or tax in EUR with 2 decimals, gross in SEK with 2"), std::string::npos)
        << problem->message;

    auto totalInMils = entry({line("L1", 12500, 10000, 2500, "normal")});
    totalInMils.totalWallet.exponent = 3;
    problem = balanceProblem(totalInMils, rowAmounts(totalInMils));
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->message.find("row 1 (line L1) is in SEK with 2 decimals, the total in SEK with 3"), std::string::npos)
        << problem->message;
}

TEST(CsvBooking, RefundsAndZeroDecimalCurrenciesBalance) {
    auto refund = entry({line("L1", -12500, -10000, -2500, "normal"), line("L2", -400, -400, -100, "reverse")});
    EXPECT_FALSE(balanceProblem(refund, rowAmounts(refund)));
    auto yen = entry({line("L1", 3097, 2816, 281, "normal")});
    for (auto* m : {&yen.lines[0].walletAmount, &yen.lines[0].netAmount, &yen.lines[0].taxAmount, &yen.totalWallet})
        m->currency = "JPY", m->exponent = 0;
    EXPECT_FALSE(balanceProblem(yen, rowAmounts(yen)));
}

TEST(CsvBooking, OverflowIsRejectedNotWrapped) {
    auto e = entry({line("L1", INT64_MAX, INT64_MAX, 1, "normal")});
    const auto problem = balanceProblem(e, rowAmounts(e));
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->message.find("overflow"), std::string::npos) << problem->message;
}
