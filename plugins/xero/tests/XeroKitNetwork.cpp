// The network of the Xero plugin's conformance-kit binary: every kit instance's requests go
// over real HTTP to the stateful Xero test double, each kit target in its own Xero
// organisation (tenant). The settings file's base_url names no real host; requests are
// re-aimed at the double, and the configured tenant id is replaced by the target's own (the
// kit shares one settings file between its instances, as two connections would not).
#include <Poco/String.h>

#include <cstdio>
#include <cstring>

#include "XeroKit.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/testkit/Kit.hpp"

namespace ledgerbridge::xerotest {

XeroDouble& kitDouble() {
    static XeroDouble d;
    return d;
}

std::string kitTenant(int number) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", number);
    return id;
}

namespace {
constexpr const char* kConfiguredBase = "http://xero.kit.invalid/api.xro/2.0";

[[maybe_unused]] const bool registered = testkit::setHttpResponderFactory([](int number) {
    const std::string tenant = kitTenant(number);
    return [tenant](const sdk::HttpRequest& request) {
        sdk::HttpRequest r = request;
        if (r.url.rfind(kConfiguredBase, 0) == 0)
            r.url = kitDouble().baseUrl() + r.url.substr(std::strlen(kConfiguredBase));
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
