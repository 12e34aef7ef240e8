// Idempotency keys name the booking: the same entry fetched again — in another job, with newly
// signed receipt URLs, its JSON fields in another order, its lines listed the other way round —
// keeps its key; any change to what is booked (amount, account, tax, date, supplier, dimension,
// contra account, type) gives a new key.
#include <gtest/gtest.h>

#include <set>

#include "ledgerbridge/export/IdempotencyKey.h"
#include "ledgerbridge/export/ItemMapper.h"

using namespace ledgerbridge;
using namespace ledgerbridge::exporter;

namespace {

const char* kEntryId = "11111111-1111-4111-8111-111111111111";

// As fetched in job 1.
const char* kFirstFetch = R"({
  "accountingEntryId": "11111111-1111-4111-8111-111111111111",
  "companyId": "22222222-2222-4222-8222-222222222222",
  "type": "card_purchase", "subType": "purchase",
  "date": "2026-11-07T05:31:56Z", "note": "Team lunch",
  "_links": {"self": "https://api.pleo.io/v3/export-items/1?job=J1"},
  "additionalInformation": {"reconciliationId": "R-1"},
  "files": [{"url": "https://files.pleo.io/r/1.pdf?X-Amz-Signature=aaaa&X-Amz-Date=20261207T010000Z", "size": 7, "type": "application/pdf"}],
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
     "tags": [{"id": "g1", "groupCode": "PROJECT", "code": "P-17", "name": "Apollo"},
              {"id": "g2", "groupCode": "DEPT", "code": "D-2", "name": "Sales"}]},
    {"accountingEntryLineId": "l2",
     "lineAmount": {"inSupplierCurrency": {"currency": "EUR", "value": 4000}, "inWalletCurrency": {"currency": "DKK", "value": 29899}},
     "netAmount": {"inSupplierCurrency": {"currency": "EUR", "value": 4000}, "inWalletCurrency": {"currency": "DKK", "value": 29899}},
     "account": {"id": "a2", "name": "Travel", "code": "6200"}, "tags": null}
  ]
})";

// The same entry fetched in job 2 after the state directory was lost: other receipt URL and
// signature, other _links, fields and lines and tags in another order, other line ids, the
// note and the display names edited — nothing that changes what is booked.
const char* kSecondFetch = R"({
  "accountingEntryLines": [
    {"account": {"code": "6200", "name": "Travel & transport", "id": "a2"},
     "netAmount": {"inWalletCurrency": {"value": 29899, "currency": "DKK"}, "inSupplierCurrency": {"value": 4000, "currency": "EUR"}},
     "lineAmount": {"inWalletCurrency": {"value": 29899, "currency": "DKK"}, "inSupplierCurrency": {"value": 4000, "currency": "EUR"}},
     "accountingEntryLineId": "line-b"},
    {"tags": [{"code": "D-2", "groupCode": "DEPT", "name": "Sales Nordics"},
              {"code": "P-17", "groupCode": "PROJECT", "name": "Apollo"}],
     "tax": {"type": "inclusive", "rate": 0.25, "code": "I25",
             "amount": {"inWalletCurrency": {"value": 11959, "currency": "DKK"}, "inSupplierCurrency": {"value": 1600, "currency": "EUR"}}},
     "account": {"identifier": "ACC-6110", "code": "6110", "name": "Meals and entertainment", "id": "a1"},
     "netAmount": {"inWalletCurrency": {"value": 47838, "currency": "DKK"}, "inSupplierCurrency": {"value": 6400, "currency": "EUR"}},
     "lineAmount": {"inWalletCurrency": {"value": 59797, "currency": "DKK"}, "inSupplierCurrency": {"value": 8000, "currency": "EUR"}},
     "accountingEntryLineId": "line-a"}
  ],
  "contraAccount": {"identifier": null, "code": "2010", "name": "Company card", "id": "55555555-5555-4555-8555-555555555555"},
  "team": {"code": null, "name": "Ops", "id": "44444444-4444-4444-8444-444444444444"},
  "user": {"code": "E-1", "name": "Ada", "id": "33333333-3333-4333-8333-333333333333"},
  "supplier": {"account": "S-77", "name": "Café Nørd"},
  "amount": {"inWalletCurrency": {"value": 89696, "currency": "DKK"},
             "inSupplierCurrency": {"value": 12000, "currency": "EUR"}},
  "files": [{"type": "application/pdf", "size": 7, "url": "https://files.pleo.io/r/1.pdf?X-Amz-Signature=bbbb&X-Amz-Date=20261207T030000Z"}],
  "additionalInformation": {"reconciliationId": "R-1"},
  "_links": {"self": "https://api.pleo.io/v3/export-items/1?job=J2"},
  "note": "Team lunch with the Oslo office",
  "date": "2026-11-07T05:31:56Z", "subType": "purchase", "type": "card_purchase",
  "companyId": "22222222-2222-4222-8222-222222222222",
  "accountingEntryId": "11111111-1111-4111-8111-111111111111"
})";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return pos == std::string::npos ? text : text.replace(pos, from.size(), to);
}

std::string keyOf(const std::string& json) { return itemIdempotencyKey(json, kEntryId, contentHash(json)); }

}  // namespace

TEST(IdempotencyKey, TheSameBookingFetchedAgainKeepsItsKey) {
    ASSERT_NE(contentHash(kFirstFetch), contentHash(kSecondFetch)) << "the payloads differ";
    EXPECT_EQ(keyOf(kFirstFetch), keyOf(kSecondFetch));
    // The job an entry is mapped for is not part of its booking either.
    auto a = mapItem(kFirstFetch, "job-1", "");
    auto b = mapItem(kSecondFetch, "job-2", "");
    ASSERT_TRUE(a.entry && b.entry);
    EXPECT_EQ(canonicalBooking(*a.entry), canonicalBooking(*b.entry));
    EXPECT_EQ(bookingKey(*a.entry), keyOf(kFirstFetch));
}

TEST(IdempotencyKey, KeysArePrintableVersionedAndPerEntry) {
    std::string key = keyOf(kFirstFetch);
    EXPECT_EQ(key.size(), 44u);
    EXPECT_EQ(key.rfind("lb2-", 0), 0u);
    EXPECT_EQ(key.find_first_not_of("lb2-0123456789abcdef"), std::string::npos) << key;
    EXPECT_NE(key, keyOf(replaced(kFirstFetch, kEntryId, "99999999-1111-4111-8111-111111111111")));
}

TEST(IdempotencyKey, AnyChangeToTheBookingGivesANewKey) {
    const std::string base = keyOf(kFirstFetch);
    const std::pair<const char*, const char*> changes[] = {
        {R"("value": 59797)", R"("value": 59798)"},                      // a line's wallet amount
        {R"("value": 8000)", R"("value": 8001)"},                        // a line's supplier amount
        {R"("value": 47838)", R"("value": 47830)"},                      // a net amount
        {R"("value": 11959)", R"("value": 11950)"},                      // a tax amount
        {R"("value": 89696)", R"("value": 89697)"},                      // the total
        {R"("currency": "EUR", "value": 12000)", R"("currency": "SEK", "value": 12000)"},  // a currency
        {R"("code": "6110")", R"("code": "6111")"},                      // an account code
        {R"("identifier": "ACC-6110")", R"("identifier": "ACC-6111")"},  // an account id
        {R"("code": "I25")", R"("code": "I12")"},                        // a tax code
        {R"("rate": 0.25)", R"("rate": 0.12)"},                          // a tax rate
        {R"("type": "inclusive")", R"("type": "reverse")"},              // a tax type
        {R"("date": "2026-11-07T05:31:56Z")", R"("date": "2026-11-08T05:31:56Z")"},  // the date
        {R"("code": "P-17")", R"("code": "P-18")"},                      // a dimension
        {R"("groupCode": "DEPT")", R"("groupCode": "COST")"},            // a dimension's group
        {R"("name": "Café Nørd")", R"("name": "Café Syd")"},             // the supplier
        {R"("account": "S-77")", R"("account": "S-78")"},                // the supplier's code
        {R"("code": "E-1")", R"("code": "E-2")"},                        // the employee
        {R"("code": "2010")", R"("code": "2011")"},                      // the contra account
        {R"("type": "card_purchase")", R"("type": "reimbursement")"},    // the entry type
        {R"("subType": "purchase")", R"("subType": "refund")"},          // the sub type
    };
    std::set<std::string> keys{base};
    for (const auto& [from, to] : changes) {
        SCOPED_TRACE(std::string(from) + " -> " + to);
        std::string key = keyOf(replaced(kFirstFetch, from, to));
        EXPECT_NE(key, base);
        EXPECT_TRUE(keys.insert(key).second) << "two different changes gave the same key";
    }
}

TEST(IdempotencyKey, AFieldCannotImitateItsNeighbours) {
    // "61" + "10" and "6110" + "" concatenate to the same text; length prefixes keep them apart.
    sdk::Entry a, b;
    a.accountingEntryId = b.accountingEntryId = kEntryId;
    a.lines.resize(1);
    b.lines.resize(1);
    a.lines[0].accountCode = "61";
    a.lines[0].accountId = "10";
    b.lines[0].accountCode = "6110";
    EXPECT_NE(bookingKey(a), bookingKey(b));
    // Two lines that swap their amounts are a different booking, even with the same multiset of values.
    sdk::Entry c = a, d = a;
    c.lines.resize(2);
    d.lines.resize(2);
    c.lines[0].walletAmount = {100, "DKK", 2};
    c.lines[1].accountCode = "62";
    c.lines[1].walletAmount = {200, "DKK", 2};
    d.lines[0].walletAmount = {200, "DKK", 2};
    d.lines[1].accountCode = "62";
    d.lines[1].walletAmount = {100, "DKK", 2};
    EXPECT_NE(bookingKey(c), bookingKey(d));
}

TEST(IdempotencyKey, AnItemThatCannotBeMappedStillGetsAStableKeyOfItsExactContent) {
    const std::string broken = replaced(kFirstFetch, R"("value": 8000})", R"("value": 80.5})");
    ASSERT_FALSE(mapItem(broken, "job-1", "").entry);
    EXPECT_EQ(keyOf(broken), keyOf(broken));
    EXPECT_EQ(keyOf(broken).rfind("lb2-", 0), 0u);
    EXPECT_NE(keyOf(broken), keyOf(replaced(broken, "Team lunch", "Lunch")));
    EXPECT_NE(keyOf(broken), keyOf(kFirstFetch));
}

TEST(IdempotencyKey, VersionOneKeysAreStillRecognisable) {
    // Ledgers written before booking keys hold lb1 keys; they keep them (see README).
    std::string v1 = idempotencyKey(kEntryId, contentHash(kFirstFetch));
    EXPECT_EQ(v1.rfind("lb1-", 0), 0u);
    EXPECT_EQ(v1.size(), 44u);
    EXPECT_NE(v1, keyOf(kFirstFetch));
}
