// The conformance kit for an HTTP plugin. The kit's fixture host (MemoryHost) has no network
// and its Instance offers no hook to give it one, so this runner builds the kit's own, unmodified
// sources with one difference: the kit's Instance::Instance() (compiled from Kit.cpp under
// another name, see CMakeLists.txt) is replaced by this one, which sets the MemoryHost's
// `responder` to carry the plugin's requests over real HTTP to the stateful Xero test double.
// Every check of the kit still applies (check() only GETs, plan() sends nothing, re-push
// creates nothing, lookup, rejections, cancellation, a failing store, two instances).
//
// The settings file's base_url names no real host; requests are re-aimed at the double. Each
// kit instance is its own Xero organisation: the kit shares one settings file between its
// instances, so the harness gives each a tenant id of its own (what two connections would have).
#include <Poco/String.h>

#include <atomic>
#include <cstdio>
#include <cstring>

#include "XeroDouble.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/testkit/Kit.hpp"

namespace ledgerbridge::testkit {

namespace {
constexpr const char* kConfiguredBase = "http://xero.kit.invalid/api.xro/2.0";

xerotest::XeroDouble& xeroDouble() {
    static xerotest::XeroDouble d;
    return d;
}

std::string nextTenant() {
    static std::atomic<int> n{0};
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", ++n);
    return id;
}
}  // namespace

Instance::Instance() : tmp(freshTempDir()) {
    const std::string tenant = nextTenant();
    host.responder = [tenant](const sdk::HttpRequest& request) {
        sdk::HttpRequest r = request;
        if (r.url.rfind(kConfiguredBase, 0) == 0) r.url = xeroDouble().baseUrl() + r.url.substr(std::strlen(kConfiguredBase));
        for (auto& [name, value] : r.headers)
            if (Poco::icompare(name, "xero-tenant-id") == 0) value = tenant;
        std::string error;
        auto response = xerotest::sendHttp(r, "kit-access-token", error);
        if (response) return *response;
        sdk::HttpResponse none;  // status 0: the plugin sees a failed call, nothing was written
        none.body = error;
        return none;
    };
    const lb_plugin_api* api = pluginApi();
    client = std::make_unique<sdk::PluginClient>(api, host, api->describe()->name);
    client->configure(settingsFor(tmp));
}

}  // namespace ledgerbridge::testkit
