// The narrow HTTP interface the OAuth client needs: one request, one response, no redirects
// followed, no retries (a token request must never be sent twice behind the caller's back:
// a refresh token that is presented again after the server rotated it revokes the grant).
// PocoHttpTransport is the host's TLS transport; core/http's ResilientClient wraps it for API
// calls (rate limit, retries). Tests can put a fake behind the interface.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/config/Config.h"

namespace ledgerbridge::oauth {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";  ///< GET, POST, PUT, ... (a body is sent for all but GET/HEAD/DELETE)
    std::string url;             ///< absolute http(s) URL
    Headers headers;
    std::string contentType;     ///< for POST bodies
    std::string body;
};

struct HttpResponse {
    int status = 0;
    Headers headers;
    std::string body;
    /// The first header named `name` (case-insensitive), or "".
    std::string header(const std::string& name) const;
};

/// The largest response body any transport reads (receipts included).
constexpr std::size_t kMaxResponseBytes = 64u * 1024u * 1024u;

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    /// Sends `request` once. Returns any HTTP status (4xx/5xx are not exceptions here).
    /// Throws NetworkError when the host cannot be reached, TLS verification fails, or the
    /// connection breaks or times out; the message names the host, never a credential.
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

/// HTTPS with certificate and host-name verification always on (system CAs plus the profile's
/// ca_file), the profile's `resolve` overrides (host:port:address, like curl --resolve: connect
/// to the address, verify the certificate for the host), plain HTTP only when the profile
/// allows it, connect/read timeouts.
class PocoHttpTransport : public HttpTransport {
public:
    /// Copies what it needs from `profile`. Throws ConfigError when ca_file cannot be loaded.
    explicit PocoHttpTransport(const config::EnvironmentProfile& profile, int timeoutSeconds = 30);
    ~PocoHttpTransport() override;
    HttpResponse send(const HttpRequest& request) override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// application/x-www-form-urlencoded encoding of `fields`, in order.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace ledgerbridge::oauth
