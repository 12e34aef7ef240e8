// The Fortnox plugin's master data (its real .so) against the Fortnox test double: the records
// equal what this test builds from the double's company field by field (ids, names, archived,
// BAS types, supplier fields), paging over Fortnox's page/limit (cost centres then projects,
// a company without cost centres), an empty company, a cursor it did not give, no tax codes.
#include <gtest/gtest.h>

#include "FortnoxDouble.hpp"
#include "FortnoxTestSupport.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/testkit/MasterDataPages.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::fortnoxtest;
using sdk::MasterKind;
using sdk::MasterRecord;

namespace {
MasterRecord record(MasterKind kind, std::string id, std::string code, std::string name, bool archived) {
    MasterRecord r;
    r.kind = kind;
    r.id = std::move(id);
    r.code = std::move(code);
    r.name = std::move(name);
    r.archived = archived;
    return r;
}

class FortnoxMasterDataTest : public ::testing::Test {
protected:
    void SetUp() override {
        fortnox.setWindowLimit(0);
        client = std::make_unique<sdk::PluginClient>(fortnoxApi(), host, "fortnox");
        client->configure(settings(fortnox.baseUrl()));
    }
    std::vector<MasterRecord> all(MasterKind kind, std::size_t pageSize = 500) {
        return testkit::readAllMasterData(*client, kind, pageSize).records;
    }
    FortnoxDouble fortnox;
    xerotest::XeroTestHost host;
    std::unique_ptr<sdk::PluginClient> client;
};
}  // namespace

TEST_F(FortnoxMasterDataTest, AccountsAreTheChartWithBasTypesAndInactiveOnesArchived) {
    std::vector<MasterRecord> expected;
    for (const auto& [number, a] : FortnoxDouble::defaultCompany().accounts) {
        MasterRecord r = record(MasterKind::Account, number, number, a.description, !a.active);
        const char c = number[0];
        r.type = c == '1' ? "asset" : c == '2' ? (number[1] == '0' ? "equity" : "liability") : c == '3' ? "revenue" : "expense";
        expected.push_back(r);
    }
    const auto got = all(MasterKind::Account);
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "record " << i << " " << got[i].id;
    EXPECT_TRUE(got.back().archived) << "6999 is inactive";
}

TEST_F(FortnoxMasterDataTest, CostCentresAndProjectsAreTwoDimensionsWithTheirValues) {
    const auto dims = all(MasterKind::Dimension);
    ASSERT_EQ(dims.size(), 2u);
    EXPECT_EQ(dims[0], record(MasterKind::Dimension, "costcenter", "costcenter", "Kostnadsställe", false));
    EXPECT_EQ(dims[1], record(MasterKind::Dimension, "project", "project", "Projekt", false));

    std::vector<MasterRecord> expected;
    const auto company = FortnoxDouble::defaultCompany();
    for (const auto& cc : company.costCenters) {
        expected.push_back(record(MasterKind::DimensionValue, "costcenter:" + cc.code, cc.code, cc.description, !cc.active));
        expected.back().parentId = "costcenter";
    }
    for (const auto& p : company.projects) {
        expected.push_back(record(MasterKind::DimensionValue, "project:" + p.number, p.number, p.description,
                                  p.status == "COMPLETED"));
        expected.back().parentId = "project";
    }
    for (std::size_t size : {1u, 2u, 500u}) {
        const auto got = all(MasterKind::DimensionValue, size);
        ASSERT_EQ(got.size(), expected.size()) << "page size " << size;
        for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "page size " << size << " #" << i;
    }
}

TEST_F(FortnoxMasterDataTest, SuppliersCarryTheirNumbersRegistrationVatCountryAndCurrency) {
    const auto got = all(MasterKind::Supplier, 2);
    const auto company = FortnoxDouble::defaultCompany();
    ASSERT_EQ(got.size(), company.suppliers.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        const auto& s = company.suppliers[i];
        MasterRecord r = record(MasterKind::Supplier, s.number, s.number, s.name, !s.active);
        r.registrationNumber = s.organisationNumber;
        r.vatNumber = s.vatNumber;
        r.country = s.countryCode;
        r.currency = s.currency;
        EXPECT_EQ(got[i], r) << "supplier " << s.number;
    }
}

TEST_F(FortnoxMasterDataTest, PagesFollowFortnoxsMetaInformationAndSkipAnEmptyResource) {
    FortnoxDouble::Company company = FortnoxDouble::defaultCompany();
    company.costCenters.clear();
    fortnox.setCompany("main", company);
    const auto pages = testkit::readAllMasterData(*client, MasterKind::DimensionValue, 2);
    ASSERT_EQ(pages.records.size(), 3u) << "the projects only";
    EXPECT_EQ(pages.pages, 2u);
    EXPECT_EQ(pages.records[0].id, "project:P100");
    ASSERT_EQ(all(MasterKind::Dimension).size(), 1u) << "no cost centres: no cost-centre dimension";

    const auto first = client->readMasterData({MasterKind::Supplier, "", "", 2});
    EXPECT_EQ(first.nextCursor, "suppliers:2:2");
    const auto again = client->readMasterData({MasterKind::Supplier, first.nextCursor, "", 500});
    ASSERT_EQ(again.records.size(), 1u) << "a cursor keeps the limit it began with";
    EXPECT_EQ(again.nextCursor, "");
}

TEST_F(FortnoxMasterDataTest, AnEmptyCompanyGivesNoRecordsAndABadCursorIsNamed) {
    fortnox.setCompany("main", FortnoxDouble::Company{});
    for (MasterKind k : {MasterKind::Account, MasterKind::Dimension, MasterKind::DimensionValue, MasterKind::Supplier}) {
        const auto page = client->readMasterData({k, "", "", 100});
        EXPECT_TRUE(page.records.empty()) << sdk::masterKindName(k);
        EXPECT_EQ(page.nextCursor, "");
    }
    try {
        client->readMasterData({MasterKind::Account, "accounts:x:1", "", 100});
        FAIL() << "a cursor the plugin did not give";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("accounts:x:1"), std::string::npos) << e.what();
    }
    try {
        client->readMasterData({MasterKind::TaxCode, "", "", 100});
        FAIL() << "tax codes are unsupported";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_UNSUPPORTED);
    }
}
