// Master data read from the Business Central double through the real plugin: every kind equals
// the double's own data field by field, at page sizes 1, 2 and 1000; cursors are offsets a new
// instance can use; a cursor the plugin never gave is refused by name.
#include "BcTestSupport.hpp"
#include "ledgerbridge/testkit/MasterDataPages.hpp"

namespace ledgerbridge::bctest {
namespace {

using sdk::MasterKind;

class BcMasterDataTest : public BcPluginFixture {};

TEST_F(BcMasterDataTest, AccountsAreTheChartWithCategoryAndBlocked) {
    const auto company = BcDouble::defaultCompany();
    for (std::size_t pageSize : {1u, 2u, 1000u}) {
        const auto read = testkit::readAllMasterData(*client, MasterKind::Account, pageSize);
        ASSERT_EQ(read.records.size(), company.accounts.size()) << "page size " << pageSize;
        for (std::size_t i = 0; i < read.records.size(); ++i) {
            const auto& a = company.accounts[i];
            const auto& r = read.records[i];
            EXPECT_EQ(r.id, a.id);
            EXPECT_EQ(r.code, a.number);
            EXPECT_EQ(r.name, a.displayName);
            EXPECT_EQ(r.archived, a.blocked) << a.number;
            EXPECT_EQ(r.type, a.category == "Expense" ? "expense" : "liability") << a.number;
        }
    }
}

TEST_F(BcMasterDataTest, VendorsCarryNumberVatCountryCurrencyAndOnlyAllBlockedIsArchived) {
    const auto company = BcDouble::defaultCompany();
    const auto read = testkit::readAllMasterData(*client, MasterKind::Supplier, 2);
    ASSERT_EQ(read.records.size(), 3u);
    EXPECT_EQ(read.pages, 2u);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& v = company.vendors[i];
        EXPECT_EQ(read.records[i].id, v.id);
        EXPECT_EQ(read.records[i].code, v.number);
        EXPECT_EQ(read.records[i].name, v.displayName);
        EXPECT_EQ(read.records[i].vatNumber, v.taxRegistrationNumber);
        EXPECT_EQ(read.records[i].country, v.country);
        EXPECT_EQ(read.records[i].currency, v.currencyCode);
    }
    EXPECT_FALSE(read.records[0].archived);
    EXPECT_FALSE(read.records[1].archived) << "blocked for payments only is still a vendor to book on";
    EXPECT_TRUE(read.records[2].archived);
}

TEST_F(BcMasterDataTest, DimensionValuesNameTheirDimensionAndTaxGroupsAreTaxCodes) {
    const auto company = BcDouble::defaultCompany();
    const auto dims = testkit::readAllMasterData(*client, MasterKind::Dimension, 1000).records;
    const auto values = testkit::readAllMasterData(*client, MasterKind::DimensionValue, 1).records;
    const auto taxes = testkit::readAllMasterData(*client, MasterKind::TaxCode, 1000).records;
    ASSERT_EQ(dims.size(), company.dimensions.size());
    ASSERT_EQ(values.size(), company.dimensionValues.size());
    ASSERT_EQ(taxes.size(), company.taxGroups.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_EQ(values[i].code, company.dimensionValues[i].code);
        EXPECT_EQ(values[i].parentId, company.dimensionValues[i].dimensionId);
    }
    for (std::size_t i = 0; i < taxes.size(); ++i) {
        EXPECT_EQ(taxes[i].code, company.taxGroups[i].code);
        EXPECT_EQ(taxes[i].name, company.taxGroups[i].displayName);
    }
}

TEST_F(BcMasterDataTest, ACursorIsAnOffsetANewInstanceCanUseAndGarbageIsRefused) {
    sdk::MasterDataRequest request;
    request.kind = MasterKind::Account;
    request.pageSize = 3;
    const auto first = client->readMasterData(request);
    ASSERT_EQ(first.nextCursor, "3");
    request.cursor = first.nextCursor;
    xerotest::XeroTestHost other;
    auto fresh = connect(other);
    EXPECT_EQ(fresh->readMasterData(request).records.front().code, BcDouble::defaultCompany().accounts[3].number);
    request.cursor = "page-two";
    try {
        client->readMasterData(request);
        FAIL() << "a garbage cursor was accepted";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("page-two"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ledgerbridge::bctest
