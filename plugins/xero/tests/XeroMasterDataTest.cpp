// The Xero plugin's master data (its real .so through the SDK's client) against the stateful
// Xero test double over real HTTP: every kind equals, field by field, the records the test
// wrote itself (XeroMasterDataSet.hpp); paging covers every contact exactly once; cursors and
// ids are stable; If-Modified-Since brings only changes; archived records come back archived;
// rates are exact; 401, a bad cursor, a bad changed_since and an unknown kind are clear errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "XeroDouble.hpp"
#include "XeroMasterDataSet.hpp"
#include "XeroTestSupport.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::xerotest;
using sdk::MasterKind;
using sdk::MasterRecord;

namespace {
std::string describe(const MasterRecord& r) {
    return sdk::masterKindName(r.kind) + " id=" + r.id + " code=" + r.code + " name=" + r.name +
           " archived=" + (r.archived ? "1" : "0") + " type=" + r.type + " parent=" + r.parentId + " rate=" + r.taxRate +
           " in=" + r.inputAccountCode + " out=" + r.outputAccountCode + " tax=" + r.defaultTaxCodeId +
           " account=" + r.defaultAccountCode + " reg=" + r.registrationNumber + " vat=" + r.vatNumber +
           " country=" + r.country + " currency=" + r.currency + " updated=" + r.updatedAt;
}

std::vector<MasterRecord> byId(std::vector<MasterRecord> v) {
    std::sort(v.begin(), v.end(), [](const MasterRecord& a, const MasterRecord& b) { return a.id < b.id; });
    return v;
}

/// Field by field, naming the record and printing both sides of every difference.
void expectSameRecords(const std::vector<MasterRecord>& expected, const std::vector<MasterRecord>& actual) {
    const auto e = byId(expected), a = byId(actual);
    ASSERT_EQ(e.size(), a.size());
    for (std::size_t i = 0; i < e.size(); ++i)
        EXPECT_EQ(describe(e[i]), describe(a[i])) << "record " << i;
}

class XeroMasterDataTest : public ::testing::Test {
protected:
    void SetUp() override {
        xero.setOrganisation(set.org);
        open();
    }
    void open() {
        client = std::make_unique<sdk::PluginClient>(xeroApi(), host, "xero");
        client->configure(settings(xero.baseUrl()));
    }
    sdk::MasterDataPage page(MasterKind kind, const std::string& cursor = "", std::size_t size = 500,
                             const std::string& changedSince = "") {
        sdk::MasterDataRequest r;
        r.kind = kind;
        r.cursor = cursor;
        r.pageSize = size;
        r.changedSince = changedSince;
        return client->readMasterData(r);
    }
    /// Every page of `kind`; each page at most `size` records, each cursor new.
    std::vector<MasterRecord> readAll(MasterKind kind, std::size_t size = 500, const std::string& changedSince = "",
                                      std::vector<std::string>* cursors = nullptr) {
        std::vector<MasterRecord> all;
        std::string cursor;
        for (int pages = 0; pages < 100; ++pages) {
            const auto p = page(kind, cursor, size, changedSince);
            EXPECT_LE(p.records.size(), size);
            all.insert(all.end(), p.records.begin(), p.records.end());
            if (p.nextCursor.empty()) return all;
            if (cursors) cursors->push_back(p.nextCursor);
            cursor = p.nextCursor;
        }
        ADD_FAILURE() << "more than 100 pages";
        return all;
    }
    std::vector<XeroDouble::Request> gets(const std::string& path) const {
        std::vector<XeroDouble::Request> out;
        for (const auto& r : xero.requests())
            if (r.method == "GET" && r.target.rfind(path, 0) == 0) out.push_back(r);
        return out;
    }

    MasterDataSet set = masterDataSet();
    XeroDouble xero;
    XeroTestHost host;
    std::unique_ptr<sdk::PluginClient> client;
};
}  // namespace

TEST_F(XeroMasterDataTest, TheManifestDeclaresMasterDataAndChangedSince) {
    const lb_manifest* m = xeroApi()->describe();
    EXPECT_TRUE(m->capabilities & LB_CAP_MASTER_DATA);
    EXPECT_TRUE(m->capabilities & LB_CAP_MASTER_DATA_CHANGED_SINCE);
    EXPECT_NE(xeroApi()->read_master_data, nullptr);
}

TEST_F(XeroMasterDataTest, EveryKindEqualsTheOrganisationsDataFieldByField) {
    for (MasterKind kind : sdk::allMasterKinds()) {
        SCOPED_TRACE(sdk::masterKindName(kind));
        expectSameRecords(set.expected[kind], readAll(kind));
    }
    // The contact whose address names no known country: no country, and a warning naming it.
    bool warned = false;
    for (const auto& line : host.logLines)
        warned = warned || (line.find(set.unknownCountryContact) != std::string::npos && line.find("Atlantis") != std::string::npos);
    EXPECT_TRUE(warned) << "no warning names the contact with the country 'Atlantis'";
    // Archived tracking categories and options are asked for; tax rates and tracking are read whole.
    for (const auto& r : gets("/TrackingCategories")) EXPECT_EQ(r.target, "/TrackingCategories?includeArchived=true");
    for (const auto& r : gets("/TaxRates")) EXPECT_EQ(r.target, "/TaxRates");
}

TEST_F(XeroMasterDataTest, ArchivedAndDeletedRecordsComeBackArchivedNeverLeftOut) {
    auto find = [](const std::vector<MasterRecord>& v, const std::string& code) {
        for (const auto& r : v)
            if (r.code == code) return r;
        return MasterRecord{};
    };
    const auto accounts = readAll(MasterKind::Account);
    EXPECT_TRUE(find(accounts, "429").archived) << "ARCHIVED account";
    EXPECT_TRUE(find(accounts, "720").archived) << "DELETED account";
    EXPECT_FALSE(find(accounts, "400").archived);
    EXPECT_TRUE(find(readAll(MasterKind::TaxCode), "ZERORATEDINPUT").archived);
    EXPECT_TRUE(find(readAll(MasterKind::Dimension), "Old Department").archived);
    const auto values = readAll(MasterKind::DimensionValue);
    EXPECT_TRUE(find(values, "West").archived);
    EXPECT_TRUE(find(values, "Gemini").archived);
    int archivedSuppliers = 0;
    for (const auto& r : readAll(MasterKind::Supplier, 100)) archivedSuppliers += r.archived;
    EXPECT_EQ(archivedSuppliers, 13);

    // An account archived in Xero after a first read arrives archived in the next one.
    auto org = set.org;
    for (auto& a : org.chart)
        if (a.code == "400") a.status = "ARCHIVED", a.updatedMs = kMar5 + 60000;
    xero.setOrganisation(org);
    const auto changed = readAll(MasterKind::Account, 500, "2026-03-05T12:00:30Z");
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0].code, "400");
    EXPECT_TRUE(changed[0].archived);
}

TEST_F(XeroMasterDataTest, TaxRatesAreExactDecimalTextAndReverseChargeIsItsType) {
    std::map<std::string, MasterRecord> rates;
    for (const auto& r : readAll(MasterKind::TaxCode)) rates[r.id] = r;
    EXPECT_EQ(rates["TAX003"].taxRate, "33.333333333333333") << "a double would give 33.33333333333333";
    EXPECT_EQ(rates["TAX002"].taxRate, "12.5");
    EXPECT_EQ(rates["TAX004"].taxRate, "0.0001") << "1E-4 as Xero may write it";
    EXPECT_EQ(rates["INPUT2"].taxRate, "20");
    // The reverse charge's document rate is 0; the rate the buyer self-assesses is 20.
    EXPECT_EQ(rates["REVERSECHARGES"].type, "reverse");
    EXPECT_EQ(rates["REVERSECHARGES"].taxRate, "20");
    EXPECT_EQ(rates["ECACQUISITIONS"].type, "reverse");
    EXPECT_EQ(rates["EXEMPTEXPENSES"].type, "exempt");
    EXPECT_EQ(rates["INPUT2"].type, "normal");
}

TEST_F(XeroMasterDataTest, SupplierPagesCoverEveryContactExactlyOnceWithXerosPaging) {
    std::vector<std::string> cursors;
    const auto all = readAll(MasterKind::Supplier, 100, "", &cursors);
    std::set<std::string> ids;
    for (const auto& r : all) EXPECT_TRUE(ids.insert(r.id).second) << "contact " << r.id << " came twice";
    EXPECT_EQ(ids.size(), 263u);  // suppliers (archived included), no customers
    std::set<std::string> expected;
    for (const auto& r : set.expected[MasterKind::Supplier]) expected.insert(r.id);
    EXPECT_EQ(ids, expected);
    EXPECT_EQ(cursors, (std::vector<std::string>{"page:2;pageSize:100", "page:3;pageSize:100"}));

    const auto requests = gets("/Contacts");
    ASSERT_EQ(requests.size(), 3u);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const std::string& t = requests[i].target;
        EXPECT_NE(t.find("where=IsSupplier%3D%3Dtrue"), std::string::npos) << t;
        EXPECT_NE(t.find("includeArchived=true"), std::string::npos) << t;
        EXPECT_NE(t.find("order=ContactID%20ASC"), std::string::npos) << t;
        EXPECT_NE(t.find("&page=" + std::to_string(i + 1) + "&pageSize=100"), std::string::npos) << t;
        EXPECT_EQ(requests[i].ifModifiedSince, "");
    }

    // The host passes a cursor back verbatim, also to a new instance: the same page again.
    const auto second = page(MasterKind::Supplier, cursors[0], 100);
    open();
    const auto again = page(MasterKind::Supplier, cursors[0], 100);
    ASSERT_EQ(second.records.size(), again.records.size());
    for (std::size_t i = 0; i < second.records.size(); ++i) EXPECT_EQ(second.records[i], again.records[i]);
    EXPECT_EQ(again.nextCursor, cursors[1]);

    // Xero's page is at most 1000 contacts, whatever the host asks for.
    const auto big = page(MasterKind::Supplier, "", 5000);
    EXPECT_EQ(big.records.size(), 263u);
    EXPECT_EQ(big.nextCursor, "");
    EXPECT_NE(gets("/Contacts").back().target.find("pageSize=1000"), std::string::npos);
}

TEST_F(XeroMasterDataTest, WholeListsArePagedByIdWithStableCursorsAcrossInstances) {
    std::vector<std::string> cursors;
    const auto accounts = readAll(MasterKind::Account, 3, "", &cursors);
    EXPECT_EQ(cursors.size(), 3u);  // 11 accounts in pages of 3
    expectSameRecords(set.expected[MasterKind::Account], accounts);
    EXPECT_EQ(gets("/Accounts").size(), 1u) << "the later pages come from the list the first page read";

    // A new instance (the host restarted between pages) reads Xero again and goes on after the
    // cursor's id: the same records, none twice.
    open();
    const auto rest = page(MasterKind::Account, cursors[1], 3);
    ASSERT_EQ(rest.records.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(rest.records[i], accounts[6 + i]);
    EXPECT_EQ(rest.nextCursor, cursors[2]);

    // Ids are the same in every read.
    open();
    const auto again = readAll(MasterKind::DimensionValue, 2);
    const auto first = readAll(MasterKind::DimensionValue, 500);
    ASSERT_EQ(again.size(), first.size());
    for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(again[i].id, first[i].id);
}

TEST_F(XeroMasterDataTest, ChangedSinceSendsIfModifiedSinceWhereXeroHasItAndBringsOnlyChanges) {
    std::set<std::string> changed(set.changedSinceMar1.begin(), set.changedSinceMar1.end());
    std::set<std::string> got;
    for (MasterKind kind : {MasterKind::Account, MasterKind::Supplier})
        for (const auto& r : readAll(kind, 100, kMar1)) EXPECT_TRUE(got.insert(r.id).second);
    EXPECT_EQ(got, changed);
    for (const auto& r : gets("/Accounts")) EXPECT_EQ(r.ifModifiedSince, kMar1);
    for (const auto& r : gets("/Contacts")) EXPECT_EQ(r.ifModifiedSince, kMar1);

    // A date alone is midnight UTC; an offset is kept as given.
    readAll(MasterKind::Account, 500, "2026-03-01");
    EXPECT_EQ(gets("/Accounts").back().ifModifiedSince, "2026-03-01T00:00:00Z");
    readAll(MasterKind::Account, 500, "2026-03-01T01:00:00+01:00");
    EXPECT_EQ(gets("/Accounts").back().ifModifiedSince, "2026-03-01T01:00:00+01:00");

    // Xero cannot filter tax rates and tracking: all of them (a superset), no header sent.
    EXPECT_EQ(readAll(MasterKind::TaxCode, 500, kMar1).size(), set.expected[MasterKind::TaxCode].size());
    EXPECT_EQ(readAll(MasterKind::DimensionValue, 500, kMar1).size(), set.expected[MasterKind::DimensionValue].size());
    for (const auto& r : gets("/TaxRates")) EXPECT_EQ(r.ifModifiedSince, "");
    for (const auto& r : gets("/TrackingCategories")) EXPECT_EQ(r.ifModifiedSince, "");
}

TEST_F(XeroMasterDataTest, AnEmptyOrganisationGivesEmptyPagesNotErrors) {
    XeroDouble::Organisation empty;
    empty.accounts.clear();
    empty.taxTypes.clear();
    empty.tracking.clear();
    xero.setOrganisation(empty);
    for (MasterKind kind : sdk::allMasterKinds()) {
        const auto p = page(kind);
        EXPECT_TRUE(p.records.empty()) << sdk::masterKindName(kind);
        EXPECT_EQ(p.nextCursor, "") << sdk::masterKindName(kind);
    }
}

TEST_F(XeroMasterDataTest, UnauthorisedBadCursorsBadDatesAndUnknownKindsAreClearErrors) {
    auto failure = [&](const std::function<void()>& call) -> std::pair<lb_status, std::string> {
        try {
            call();
        } catch (const sdk::CallFailed& e) {
            return {e.status(), e.what()};
        }
        return {LB_OK, "no error"};
    };
    const auto badCursor = failure([&] { page(MasterKind::Supplier, "after:x"); });
    EXPECT_EQ(badCursor.first, LB_ERR_INVALID_ARGUMENT) << badCursor.second;
    EXPECT_NE(badCursor.second.find("cursor 'after:x'"), std::string::npos) << badCursor.second;
    EXPECT_EQ(failure([&] { page(MasterKind::Account, "page:2;pageSize:100"); }).first, LB_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(failure([&] { page(MasterKind::Supplier, "page:0;pageSize:100"); }).first, LB_ERR_INVALID_ARGUMENT);

    const auto badDate = failure([&] { page(MasterKind::Account, "", 500, "last tuesday"); });
    EXPECT_EQ(badDate.first, LB_ERR_INVALID_ARGUMENT) << badDate.second;
    EXPECT_NE(badDate.second.find("changed_since 'last tuesday'"), std::string::npos) << badDate.second;

    const auto unknown = failure([&] { page(static_cast<MasterKind>(42)); });
    EXPECT_EQ(unknown.first, LB_ERR_UNSUPPORTED) << unknown.second;

    // A rate limit longer than max_retry_wait_seconds: a target error with the wait, for the host to retry.
    xero.rateLimitNext(1, 120);
    const auto limited = failure([&] { page(MasterKind::Account); });
    EXPECT_EQ(limited.first, LB_ERR_TARGET) << limited.second;
    EXPECT_NE(limited.second.find("retry in 120 s"), std::string::npos) << limited.second;

    const std::string token = *host.token;
    host.token = "";
    for (MasterKind kind : sdk::allMasterKinds()) {
        const auto denied = failure([&] { page(kind); });
        EXPECT_EQ(denied.first, LB_ERR_TARGET) << denied.second;
        EXPECT_NE(denied.second.find("401"), std::string::npos) << denied.second;
        EXPECT_NE(denied.second.find("authorised again"), std::string::npos) << denied.second;
        EXPECT_EQ(denied.second.find(token), std::string::npos);
    }
    for (const auto& line : host.logLines) EXPECT_EQ(line.find(token), std::string::npos) << line;
}

TEST_F(XeroMasterDataTest, TheIssuesBenchmarkOrganisationCostsFourteenGetsAndFiveWhenNothingChanged) {
    // 2,000 accounts, 50 tax rates, 5 tracking categories of 200 options, 5,000 suppliers.
    XeroDouble::Organisation big;
    for (int i = 0; i < 2000; ++i)
        big.chart.push_back({guid(6, i), std::to_string(10000 + i), "Account " + std::to_string(i), "EXPENSE", "ACTIVE", "INPUT2", kJan5});
    for (int i = 0; i < 50; ++i)
        big.taxRates.push_back({"TAX" + std::to_string(100 + i), "Rate " + std::to_string(i), "ACTIVE", "INPUT", "25.0000", "25.0000"});
    for (int c = 0; c < 5; ++c) {
        big.trackingCategories.push_back({guid(7, c), "Dimension " + std::to_string(c), "ACTIVE", {}});
        for (int o = 0; o < 200; ++o)
            big.trackingCategories.back().options.push_back({guid(8, c * 1000 + o), "Value " + std::to_string(o), "ACTIVE"});
    }
    for (int i = 0; i < 5000; ++i) {
        XeroDouble::Contact ct;
        ct.id = guid(9, i);
        ct.name = "Supplier " + std::to_string(i);
        ct.updatedMs = kJan5;
        big.contacts.push_back(ct);
    }
    xero.setOrganisation(big);
    auto getsPerPath = [&](std::size_t from) {
        std::map<std::string, int> n;
        const auto all = xero.requests();
        for (std::size_t i = from; i < all.size(); ++i) ++n[all[i].target.substr(0, all[i].target.find('?'))];
        return n;
    };
    const std::map<MasterKind, std::size_t> sizes{{MasterKind::Account, 2000},      {MasterKind::TaxCode, 50},
                                                  {MasterKind::Dimension, 5},       {MasterKind::DimensionValue, 1000},
                                                  {MasterKind::Supplier, 5000}};
    std::size_t start = xero.requests().size();
    for (const auto& [kind, n] : sizes) EXPECT_EQ(readAll(kind, 500).size(), n) << sdk::masterKindName(kind);
    EXPECT_EQ(getsPerPath(start), (std::map<std::string, int>{
                                      {"/Accounts", 1}, {"/Contacts", 10}, {"/TaxRates", 1}, {"/TrackingCategories", 2}}));

    start = xero.requests().size();
    for (const auto& [kind, n] : sizes) readAll(kind, 1000);
    EXPECT_EQ(getsPerPath(start), (std::map<std::string, int>{
                                      {"/Accounts", 1}, {"/Contacts", 5}, {"/TaxRates", 1}, {"/TrackingCategories", 2}}));

    start = xero.requests().size();
    for (const auto& [kind, n] : sizes) readAll(kind, 500, "2026-06-01T00:00:00Z");
    EXPECT_EQ(getsPerPath(start), (std::map<std::string, int>{
                                      {"/Accounts", 1}, {"/Contacts", 1}, {"/TaxRates", 1}, {"/TrackingCategories", 2}}));
}
