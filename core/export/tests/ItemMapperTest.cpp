// Mapping Pleo export items to canonical entries: exact money, split lines, tags, and every
// malformed input turned into a named validation failure instead of a crash.
#include <gtest/gtest.h>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/Currency.h"
#include "ledgerbridge/export/IdempotencyKey.h"
#include "ledgerbridge/export/ItemMapper.h"
#include "ledgerbridge/validation.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::exporter;

namespace {

const char* kItem = R"({
  "accountingEntryId": "11111111-1111-4111-8111-111111111111",
  "companyId": "22222222-2222-4222-8222-222222222222",
  "type": "card_purchase", "subType": "purchase",
  "date": "2026-11-07T05:31:56Z", "note": "Team lunch",
  "_links": {}, "additionalInformation": {"reconciliationId": "R-1"},
  "amount": {"inSupplierCurrency": {"currency": "EUR", "value": 12000},
             "inWalletCurrency": {"currency": "DKK", "value": 89696}},
  "supplier": {"name": "Café Nørd", "account": "S-77"},
  "user": {"id": "33333333-3333-4333-8333-333333333333", "name": "Ada", "code": "E-1"},
  "team": {"id": "44444444-4444-4444-8444-444444444444", "name": "Ops", "code": null},
  "contraAccount": {"id": "55555555-5555-4555-8555-555555555555", "name": "Card", "code": "2010", "identifier": null},
  "accountingEntryLines": [
    {"accountingEntryLineId": "l1",
     "lineAmount": {"inSupplierCurrency": {"currency": "EUR", "value": 8000}, "inWalletCurrency": {"currency": "DKK", "value": 59797}},
     "netAmount": {"inSupplierCurrency": {"currency": "EUR", "value": 6400}, "inWalletCurrency": {"currency": "DKK", "value": 47838}},
     "account": {"id": "a1", "name": "Meals", "code": "6110", "identifier": "ACC-6110"},
     "tax": {"id": "t1", "code": "I25", "rate": 0.25, "type": "inclusive",
             "amount": {"inSupplierCurrency": {"currency": "EUR", "value": 1600}, "inWalletCurrency": {"currency": "DKK", "value": 11959}}},
     "tags": [{"id": "g1", "groupCode": "PROJECT", "code": "P-17"}]},
    {"accountingEntryLineId": "l2",
     "lineAmount": {"inSupplierCurrency": {"currency": "EUR", "value": 4000}, "inWalletCurrency": {"currency": "DKK", "value": 29899}},
     "netAmount": {"inSupplierCurrency": {"currency": "EUR", "value": 4000}, "inWalletCurrency": {"currency": "DKK", "value": 29899}},
     "account": {"id": "a2", "name": "Travel", "code": "6200"}, "tags": null}
  ]
})";

std::string withReplaced(std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return pos == std::string::npos ? text : text.replace(pos, from.size(), to);
}

}  // namespace

TEST(ItemMapper, MapsEveryFieldExactly) {
    auto r = mapItem(kItem, "job-1", "key-1");
    ASSERT_TRUE(r.entry) << r.message;
    const auto& e = *r.entry;
    EXPECT_EQ(e.accountingEntryId, "11111111-1111-4111-8111-111111111111");
    EXPECT_EQ(e.exportJobId, "job-1");
    EXPECT_EQ(e.idempotencyKey, "key-1");
    EXPECT_EQ(e.type, "card_purchase");
    EXPECT_EQ(e.date, "2026-11-07");
    EXPECT_EQ(e.note, "Team lunch");
    EXPECT_EQ(e.supplier.name, "Café Nørd");
    EXPECT_EQ(e.supplier.code, "S-77");
    EXPECT_EQ(e.employee.code, "E-1");
    EXPECT_EQ(e.team.name, "Ops");
    EXPECT_EQ(e.totalWallet.minor, 89696);
    EXPECT_EQ(e.totalWallet.currency, "DKK");
    EXPECT_EQ(e.totalSupplier.minor, 12000);
    EXPECT_EQ(e.totalSupplier.currency, "EUR");
    EXPECT_EQ(e.contraAccountCode, "2010");
    ASSERT_EQ(e.lines.size(), 2u);
    EXPECT_EQ(e.lines[0].accountCode, "6110");
    EXPECT_EQ(e.lines[0].accountId, "ACC-6110");
    EXPECT_EQ(e.lines[0].taxCode, "I25");
    EXPECT_EQ(e.lines[0].taxRate, "25");
    EXPECT_EQ(e.lines[0].taxType, "normal");
    EXPECT_EQ(e.lines[0].taxAmount.minor, 11959);
    EXPECT_EQ(e.lines[0].netAmount.minor, 47838);
    ASSERT_EQ(e.lines[0].tags.size(), 1u);
    EXPECT_EQ(e.lines[0].tags[0].groupCode, "PROJECT");
    EXPECT_EQ(e.lines[1].taxAmount.minor, 0);
    EXPECT_EQ(e.lines[1].taxAmount.currency, "DKK");
    EXPECT_FALSE(sdk::validateEntry(e)) << "the sample is balanced";
}

TEST(ItemMapper, ZeroAndThreeDecimalCurrenciesKeepTheirExponent) {
    auto r = mapItem(withReplaced(kItem, R"("currency": "EUR", "value": 12000})", R"("currency": "JPY", "value": 2000})"),
                     "j", "k");
    ASSERT_TRUE(r.entry) << r.message;
    EXPECT_EQ(r.entry->totalSupplier.exponent, 0);
    EXPECT_EQ(r.entry->totalWallet.exponent, 2);
    EXPECT_EQ(currencyExponent("BHD"), 3);
    EXPECT_EQ(sdk::formatDecimal(2000, currencyExponent("JPY")), "2000");
}

TEST(ItemMapper, EachMalformedInputIsANamedValidationFailure) {
    struct Case {
        std::string from, to, message;
    };
    std::vector<Case> cases = {
        {R"("value": 89696})", R"("value": 896.96})",
         "the export item cannot be mapped: amount.inWalletCurrency.value is 896.960000, not a whole number of minor units"},
        {R"("value": 89696})", R"("value": "89696"})",
         "the export item cannot be mapped: amount.inWalletCurrency.value is not a number"},
        {R"("value": 89696})", R"("value": 99999999999999999999})",
         "the export item is malformed: Problem while parsing a number"},
        {R"("currency": "DKK", "value": 89696})", R"("currency": "dkk", "value": 89696})",
         "the export item cannot be mapped: amount.inWalletCurrency.currency 'dkk' is not an ISO 4217 currency code"},
        {R"("accountingEntryLineId": "l2",)", "", "the export item cannot be mapped: accountingEntryLines[1].accountingEntryLineId is missing"},
        {R"("date": "2026-11-07T05:31:56Z",)", R"("date": "yesterday",)",
         "the export item cannot be mapped: date 'yesterday' is not an ISO-8601 date"},
        {R"("tags": [{"id": "g1", "groupCode": "PROJECT", "code": "P-17"}])", R"("tags": [{"id": "g1", "code": "P-17"}])",
         "the export item cannot be mapped: accountingEntryLines[0].tags[0].groupCode is missing"},
        {R"("type": "card_purchase",)", "", "the export item cannot be mapped: type is missing"},
    };
    for (const auto& c : cases) {
        auto r = mapItem(withReplaced(kItem, c.from, c.to), "j", "k");
        EXPECT_FALSE(r.entry) << c.message;
        EXPECT_EQ(r.failureReason, "validation_failure");
        EXPECT_EQ(r.message, c.message);
    }
}

TEST(ItemMapper, TruncatedOrHostileJsonNeverCrashes) {
    std::string item = kItem;
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, item.size() / 3, item.size() / 2, item.size() - 2}) {
        auto r = mapItem(item.substr(0, cut), "j", "k");
        EXPECT_FALSE(r.entry);
        EXPECT_EQ(r.failureReason, "validation_failure");
        EXPECT_FALSE(r.message.empty());
    }
    auto r = mapItem("[1,2,3]", "j", "k");
    EXPECT_EQ(r.message, "the export item cannot be mapped: the export item is not a JSON object");
    r = mapItem(std::string(100000, '['), "j", "k");
    EXPECT_FALSE(r.entry);
}

TEST(ItemMapper, SummaryNeedsAnIdAndReadsTheWalletTotal) {
    auto s = summarizeItem(kItem);
    EXPECT_EQ(s.accountingEntryId, "11111111-1111-4111-8111-111111111111");
    EXPECT_EQ(s.walletAmountMinor, 89696);
    EXPECT_EQ(s.walletCurrency, "DKK");
    EXPECT_THROW(summarizeItem(R"({"type":"x"})"), ProtocolError);
    EXPECT_THROW(summarizeItem("{"), ProtocolError);
}

TEST(TaxRate, PercentIsExactWithoutFloatingArithmetic) {
    EXPECT_EQ(percentFromFraction(0.25), "25");
    EXPECT_EQ(percentFromFraction(0.125), "12.5");
    EXPECT_EQ(percentFromFraction(0.07), "7");
    EXPECT_EQ(percentFromFraction(0.0), "0");
    EXPECT_EQ(percentFromFraction(1.0), "100");
    EXPECT_EQ(percentFromFraction(0.055), "5.5");
    EXPECT_EQ(percentFromFraction(0.19), "19");
}

TEST(IdempotencyKey, StableForSameContentAndDifferentForChangedContent) {
    auto h1 = contentHash(kItem);
    EXPECT_EQ(idempotencyKey("e1", h1), idempotencyKey("e1", contentHash(kItem)));
    EXPECT_NE(idempotencyKey("e1", h1), idempotencyKey("e2", h1));
    EXPECT_NE(idempotencyKey("e1", h1), idempotencyKey("e1", contentHash(std::string(kItem) + " ")));
    EXPECT_EQ(idempotencyKey("e1", h1).size(), 44u);
    EXPECT_EQ(idempotencyKey("e1", h1).rfind("lb1-", 0), 0u);
}
