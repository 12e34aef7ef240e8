// The network of the Xero plugin's conformance-kit binary: every kit instance's requests go
// over real HTTP to the stateful Xero test double, each kit target in its own Xero
// organisation (tenant). The settings file's base_url names no real host; requests are
// re-aimed at the double, and the configured tenant id is replaced by the target's own (the
// kit shares one settings file between its instances, as two connections would not).
// Master data: every organisation holds the double's default chart, tax types and tracking plus
// an archived record of every kind and three supplier contacts (testkit.md.expect_archived);
// a target configured with the empty base URL (testkit.md.empty.base_url) is an organisation
// without any master data (testkit.md.empty.*).
#include <Poco/String.h>

#include <cstdio>
#include <cstring>

#include "XeroKit.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/testkit/Kit.hpp"

namespace ledgerbridge::xerotest {

namespace {
/// The double's default organisation plus an archived record of every kind and suppliers.
XeroDouble::Organisation kitOrganisation(const XeroDouble& d) {
    XeroDouble::Organisation org = d.organisation();
    org.chart.push_back({"0c1a2b3c-0000-4000-8000-000000000499", "499", "Old Expenses", "EXPENSE", "ARCHIVED", "INPUT2", 0});
    org.taxRates.push_back({"TAX009", "Old 17.5%", "ARCHIVED", "INPUT", "17.5000", "17.5000"});
    org.trackingCategories.push_back({"0c1a2b3c-0000-4000-8000-00000000c0de", "Old Region", "ARCHIVED",
                                      {{"0c1a2b3c-0000-4000-8000-0000000000e1", "East", "ARCHIVED"}}});
    org.contacts = {{"0c1a2b3c-0000-4000-8000-00000000a001", "V1", "", "Cab & Co", "ACTIVE", "", "GB123", "GBP", "400",
                     {{"STREET", "United Kingdom"}}, true, 0},
                    {"0c1a2b3c-0000-4000-8000-00000000a002", "", "AP-2", "Office Supplies Ltd", "ACTIVE", "", "", "", "",
                     {}, true, 0},
                    {"0c1a2b3c-0000-4000-8000-00000000a003", "V3", "", "Gone Ltd", "ARCHIVED", "", "", "", "", {}, true, 0}};
    return org;
}
}  // namespace

XeroDouble& kitDouble() {
    static XeroDouble& d = [] () -> XeroDouble& {
        static XeroDouble made;
        made.setOrganisation(kitOrganisation(made));
        return made;
    }();
    return d;
}

std::string kitTenant(int number) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", number);
    return id;
}

namespace {
constexpr const char* kConfiguredBase = "http://xero.kit.invalid/api.xro/2.0";
constexpr const char* kEmptyBase = "http://empty.xero.kit.invalid/api.xro/2.0";  ///< testkit.md.empty.base_url

[[maybe_unused]] const bool registered = testkit::setHttpResponderFactory([](int number) {
    const std::string tenant = kitTenant(number);
    return [tenant](const sdk::HttpRequest& request) {
        sdk::HttpRequest r = request;
        if (r.url.rfind(kConfiguredBase, 0) == 0)
            r.url = kitDouble().baseUrl() + r.url.substr(std::strlen(kConfiguredBase));
        if (r.url.rfind(kEmptyBase, 0) == 0) {
            XeroDouble::Organisation empty;
            empty.accounts.clear();
            empty.taxTypes.clear();
            empty.tracking.clear();
            kitDouble().setOrganisation(tenant, empty);
            r.url = kitDouble().baseUrl() + r.url.substr(std::strlen(kEmptyBase));
        }
        for (auto& [name, value] : r.headers)
            if (Poco::icompare(name, "xero-tenant-id") == 0) value = tenant;
        std::string error;
        auto response = sendHttp(r, "kit-access-token", error);
        if (response) return *response;
        sdk::HttpResponse none;  // status 0: the plugin sees a failed call, nothing was written
        none.body = error;
        return none;
    };
});
}  // namespace

}  // namespace ledgerbridge::xerotest
