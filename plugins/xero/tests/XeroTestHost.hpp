// Host services for the Xero plugin's tests that really speak HTTP (Poco, plain http on
// loopback only), the way the host's PocoHttpTransport does: the plugin's requests go out over
// a socket with `Authorization: Bearer <token>` added when useTargetToken is set. Everything
// else is the kit's MemoryHost (state, logs, clock) and every exchange is recorded for the tests,
// without the token. `loseResponse` simulates a timeout: the request is sent and carried out,
// but the plugin gets no response.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/host.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace ledgerbridge::xerotest {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Sends `request` over HTTP (http:// on 127.0.0.1 only), adding the bearer token when
/// request.useTargetToken is set. nullopt and `error` set when no response arrived.
std::optional<sdk::HttpResponse> sendHttp(const sdk::HttpRequest& request, const std::string& bearerToken,
                                          std::string& error);

/// The first header `name` (case-insensitive) of `headers`, or "".
std::string header(const Headers& headers, const std::string& name);

struct Exchange {
    std::string method, url;
    Headers requestHeaders;  ///< as the plugin gave them (no Authorization: the host adds it)
    std::size_t requestBytes = 0;
    int status = 0;          ///< 0 = no response
    Headers responseHeaders;
    std::string responseBody;
};

/// The kit's MemoryHost (state, logs, token, clock, cancellation in memory) with a real HTTP
/// client instead of its `responder`.
class XeroTestHost : public testkit::MemoryHost {
public:
    XeroTestHost() { token = "xero-test-access-token-5f1c0e"; }  ///< never appears in logs or exchanges
    std::optional<sdk::HttpResponse> http(const std::string& plugin, const sdk::HttpRequest& request,
                                          std::string& error) override;
    std::vector<Exchange> exchangesSnapshot();

    std::function<bool(const sdk::HttpRequest&)> loseResponse;  ///< true: send, then report no response

private:
    std::mutex exchangeMutex_;
    std::vector<Exchange> exchanges_;
};

}  // namespace ledgerbridge::xerotest
