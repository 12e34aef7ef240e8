// The checker itself must be able to fail: hand-made documents that are unbalanced, duplicated,
// missing, wrongly booked or written for a rejected entry are each caught, and right ones pass.
#include <gtest/gtest.h>

#include "Balance.hpp"
#include "BookAudit.hpp"

using namespace ledgerbridge;
using books::BookAudit;
using books::ProblemKind;
using testkit::Posting;
using testkit::WrittenDocument;

namespace {

sdk::Money money(std::int64_t minor, const std::string& currency) {
    return sdk::Money{minor, currency, currency == "JPY" ? 0 : 2};
}

/// 125.00 SEK gross: 100.00 net + 25.00 VAT on 4010, contra 1900; a second, reverse-charge
/// line of 40.00 on 4020 (tax 10.00 self-assessed, net == gross).
sdk::Entry entry(const std::string& id = "e1") {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.idempotencyKey = "lb1-" + id;
    e.type = "card_purchase";
    e.totalWallet = money(16500, "SEK");
    e.totalSupplier = money(16500, "SEK");
    e.contraAccountCode = "1900";
    sdk::Line a;
    a.accountCode = "4010";
    a.walletAmount = a.supplierAmount = money(12500, "SEK");
    a.netAmount = money(10000, "SEK");
    a.taxAmount = money(2500, "SEK");
    a.taxCode = "I25";
    a.taxType = "normal";
    sdk::Line b;
    b.accountCode = "4020";
    b.walletAmount = b.supplierAmount = b.netAmount = money(4000, "SEK");
    b.taxAmount = money(1000, "SEK");
    b.taxCode = "RC25";
    b.taxType = "reverse";
    e.lines = {a, b};
    return e;
}

Posting p(const std::string& account, std::int64_t minor, const std::string& currency = "SEK", int exponent = 2,
          const std::string& key = "") {
    return Posting{account, minor, currency, exponent, key};
}

WrittenDocument sieLike(const std::string& id = "e1", const std::string& where = "f.se:10") {
    return WrittenDocument{id, "", where,
                           {p("4010", 10000), p("2640", 2500), p("4020", 4000), p("2645", 1000), p("2614", -1000),
                            p("1900", -16500)}};
}

std::vector<ProblemKind> kinds(const BookAudit& audit) {
    std::vector<ProblemKind> out;
    for (const auto& problem : audit.check()) out.push_back(problem.kind);
    return out;
}

}  // namespace

TEST(BookAudit, ARightDocumentPasses) {
    BookAudit audit;
    audit.expectPosted(entry());
    audit.addFile({sieLike()});
    EXPECT_EQ(audit.check().size(), 0u) << audit.check().front().message;
    EXPECT_EQ(audit.documents(), 1u);
}

TEST(BookAudit, AReverseChargeVoucherWithoutOutputVatIsUnbalanced) {
    WrittenDocument d = sieLike();
    d.postings.erase(d.postings.begin() + 4);  // the self-assessed output VAT
    BookAudit audit;
    audit.expectPosted(entry());
    audit.addFile({d});
    auto problems = audit.check();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].kind, ProblemKind::Unbalanced);
    EXPECT_NE(problems[0].message.find("SEK postings sum to 10.00"), std::string::npos) << problems[0].message;
    EXPECT_NE(problems[0].message.find("RC25 reverse"), std::string::npos) << "names what the entry is";
}

TEST(BookAudit, WrongAmountsOnALineOrTheContraAccountAreFound) {
    WrittenDocument d = sieLike();
    d.postings[0].minor = 12500;  // gross on the expense account without a tax key...
    d.postings[1].minor = 0;      // ...and no VAT: balanced, but wrong
    BookAudit audit;
    audit.expectPosted(entry());
    audit.addFile({d});
    auto problems = audit.check();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].kind, ProblemKind::Amounts);
    EXPECT_NE(problems[0].message.find("account 4010 in SEK: written 125.00, expected 100.00 (net)"), std::string::npos)
        << problems[0].message;
}

TEST(BookAudit, GrossWithATaxKeyAndSupplierCurrencyAtAnotherExponent) {
    // DATEV-like: one row per line, gross with a BU key, JPY written with two decimals.
    sdk::Entry e = entry();
    e.totalSupplier = money(3000, "JPY");
    e.lines[0].supplierAmount = money(2200, "JPY");
    e.lines[1].supplierAmount = money(800, "JPY");
    WrittenDocument rowA{"e1", "", "EXTF.csv:3", {p("4010", 220000, "JPY", 2, "9"), p("1900", -220000, "JPY", 2)}};
    WrittenDocument rowB{"e1", "", "EXTF.csv:4", {p("4020", 80000, "JPY", 2, "94"), p("1900", -80000, "JPY", 2)}};
    BookAudit audit;
    audit.expectPosted(e);
    audit.addFile({rowA, rowB});  // adjacent rows of one entry: one booking
    EXPECT_EQ(audit.check().size(), 0u) << audit.check().front().message;

    rowB.postings[0].minor = 8000;  // 80.00 JPY where 800 JPY was due
    rowB.postings[1].minor = -8000;
    BookAudit wrong;
    wrong.expectPosted(e);
    wrong.addFile({rowA, rowB});
    EXPECT_EQ(kinds(wrong), std::vector<ProblemKind>{ProblemKind::Amounts});
}

TEST(BookAudit, AnEntryWrittenTwiceOrNeverIsFound) {
    BookAudit twice;
    twice.expectPosted(entry());
    twice.addFile({sieLike("e1", "a.se:10")});
    twice.addFile({sieLike("e1", "b.se:10")});
    EXPECT_EQ(kinds(twice), std::vector<ProblemKind>{ProblemKind::Duplicate});

    BookAudit again;  // the same entry again later in the same file
    again.expectPosted(entry("e1"));
    again.expectPosted(entry("e2"));
    again.addFile({sieLike("e1", "a.se:10"), sieLike("e2", "a.se:20"), sieLike("e1", "a.se:30")});
    EXPECT_EQ(kinds(again), std::vector<ProblemKind>{ProblemKind::Duplicate});

    BookAudit never;
    never.expectPosted(entry());
    never.addFile({});
    EXPECT_EQ(kinds(never), std::vector<ProblemKind>{ProblemKind::Missing});
}

TEST(BookAudit, ARejectedOrUnknownEntryMustNotBeWritten) {
    BookAudit audit;
    audit.expectAbsent("e1", "rejected by the plugin: tax_code_unknown: ...");
    audit.addFile({sieLike("e1"), sieLike("stranger", "f.se:20")});
    EXPECT_EQ(kinds(audit), (std::vector<ProblemKind>{ProblemKind::Unexpected, ProblemKind::Unexpected}));
}

TEST(BookAudit, AStoredKeyMustBeTheEntrysKey) {
    WrittenDocument d = sieLike();
    d.idempotencyKey = "lb1-other";
    BookAudit audit;
    audit.expectPosted(entry());
    audit.addFile({d});
    EXPECT_EQ(kinds(audit), std::vector<ProblemKind>{ProblemKind::Key});
}

TEST(BookAudit, AFileTheReaderRefusesIsAFormatError) {
    BookAudit audit;
    audit.expectPosted(entry());
    audit.readFile(books::BookFormat::None, "/nonexistent/x.txt");
    auto problems = audit.check();
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].kind, ProblemKind::Format);
    EXPECT_EQ(problems[1].kind, ProblemKind::Missing);
}

TEST(Balance, SumsPerCurrencyExactlyAcrossExponents) {
    WrittenDocument d{"e", "", "x:1", {p("1", 100, "JPY", 0), p("2", -10000, "JPY", 2), p("3", 5, "EUR"), p("4", -5, "EUR")}};
    EXPECT_TRUE(books::imbalances(d).empty());
    d.postings[1].minor = -9999;
    ASSERT_EQ(books::imbalances(d).size(), 1u);
    EXPECT_NE(books::imbalances(d)[0].find("JPY postings sum to 0.01"), std::string::npos) << books::imbalances(d)[0];
    WrittenDocument huge{"e", "", "x:1", {p("1", INT64_MAX, "SEK"), p("2", INT64_MAX, "SEK")}};
    ASSERT_EQ(books::imbalances(huge).size(), 1u);
    EXPECT_NE(books::imbalances(huge)[0].find("overflow"), std::string::npos);
    EXPECT_EQ(books::imbalances(WrittenDocument{"e", "", "x:1", {}}).size(), 1u) << "a document without postings";
}
