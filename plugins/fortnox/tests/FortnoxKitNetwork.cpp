// The network of the Fortnox plugin's conformance-kit binary: every kit instance's requests go
// over real HTTP to the stateful Fortnox test double, each kit target its own company. The
// settings file's base_url names no real host; requests are re-aimed at the double. Every
// company has the double's BAS chart and the kit's project P-17.
#include <cstring>

#include "FortnoxKit.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/testkit/Kit.hpp"

namespace ledgerbridge::fortnoxtest {

FortnoxDouble& kitDouble() {
    static FortnoxDouble& d = []() -> FortnoxDouble& {
        static FortnoxDouble made;
        FortnoxDouble::Company company = FortnoxDouble::defaultCompany();
        company.projects.push_back("P-17");  // the kit's project tag
        made.setCompany(company);
        return made;
    }();
    return d;
}

namespace {
constexpr const char* kConfiguredBase = "https://fortnox.kit.invalid/3";

[[maybe_unused]] const bool registered = testkit::setHttpResponderFactory([](int number) {
    const std::string base = kitDouble().baseUrl(kitTenant(number));
    return [base](const sdk::HttpRequest& request) {
        sdk::HttpRequest r = request;
        if (r.url.rfind(kConfiguredBase, 0) == 0) r.url = base + r.url.substr(std::strlen(kConfiguredBase));
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
