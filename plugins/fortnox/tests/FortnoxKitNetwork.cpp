// The network of the Fortnox plugin's conformance-kit binary: every kit instance's requests go
// over real HTTP to the stateful Fortnox test double, each kit target its own company. The
// settings file's base_url names no real host; requests are re-aimed at the double. Every
// company has the double's BAS chart and the kit's project P-17; the empty base URL
// (testkit.md.empty.base_url) reaches a company of its own without any master data.
#include <cstring>

#include "FortnoxKit.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/testkit/Kit.hpp"

namespace ledgerbridge::fortnoxtest {

FortnoxDouble& kitDouble() {
    static FortnoxDouble& d = []() -> FortnoxDouble& {
        static FortnoxDouble made;
        FortnoxDouble::Company company = FortnoxDouble::defaultCompany();
        company.projects.push_back({"P-17", "Apollo", "ONGOING"});  // the kit's project tag
        made.setCompany(company);
        return made;
    }();
    return d;
}

namespace {
constexpr const char* kConfiguredBase = "https://fortnox.kit.invalid/3";
constexpr const char* kEmptyBase = "https://empty.fortnox.kit.invalid/3";  ///< testkit.md.empty.base_url

[[maybe_unused]] const bool registered = testkit::setHttpResponderFactory([](int number) {
    const std::string base = kitDouble().baseUrl(kitTenant(number));
    const std::string empty = kitTenant(number) + "-empty";
    kitDouble().setCompany(empty, FortnoxDouble::Company{});  // no master data (testkit.md.empty.*)
    return [base, emptyBase = kitDouble().baseUrl(empty)](const sdk::HttpRequest& request) {
        sdk::HttpRequest r = request;
        if (r.url.rfind(kConfiguredBase, 0) == 0) r.url = base + r.url.substr(std::strlen(kConfiguredBase));
        if (r.url.rfind(kEmptyBase, 0) == 0) r.url = emptyBase + r.url.substr(std::strlen(kEmptyBase));
        std::string error;
        auto response = xerotest::sendHttp(r, "kit-access-token", error);
        if (response) return *response;
        sdk::HttpResponse none;  // status 0: the plugin sees a failed call, nothing was written
        none.body = error;
        return none;
    };
});
}  // namespace

}  // namespace ledgerbridge::fortnoxtest
