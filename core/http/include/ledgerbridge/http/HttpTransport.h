// The host's narrow HTTP interface: one request, one response, no redirects followed, no
// retries of a request the server may have acted on (a token request must never be sent twice
// behind the caller's back: a refresh token presented again after the server rotated it revokes
// the grant). PocoHttpTransport is the host's one TLS transport, used by the OAuth client, the
// Pleo client and plugins' requests to their targets; ResilientClient wraps it for API calls
// (rate limit, retries). Tests can put a fake behind the interface.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Config.h"

namespace ledgerbridge::http {

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

/// The request was sent whole but its answer was lost: no answer within the timeout, or the
/// connection closed or broke before the answer was read to its end. Unlike a NetworkError
/// before sending, the server may have acted on it (a token endpoint may have rotated the
/// refresh token it carried), so the caller must not assume nothing happened.
class ResponseLostError : public NetworkError {
public:
    /// `where` is scheme://host:port; `detail` what happened ("no answer came within 30 seconds").
    ResponseLostError(const std::string& where, std::string detail, bool timedOut)
        : NetworkError("The request to " + where + " was sent but its answer was lost: " + detail +
                       ", so the server may have acted on it."),
          detail_(std::move(detail)),
          timedOut_(timedOut) {}
    const std::string& detail() const noexcept { return detail_; }
    /// Whether the configured timeout ran out (rather than the connection failing).
    bool timedOut() const noexcept { return timedOut_; }

private:
    std::string detail_;
    bool timedOut_;
};

/// The largest response body any transport reads (receipts included).
constexpr std::size_t kMaxResponseBytes = 64u * 1024u * 1024u;

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    /// Sends `request` once. Returns any HTTP status (4xx/5xx are not exceptions here).
    /// Throws NetworkError when the host cannot be reached, TLS verification fails, or the
    /// connection breaks or times out; ResponseLostError (a NetworkError) when that happened
    /// after the whole request was sent. The message names the host, never a credential.
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

class SessionPool;

/// HTTPS with certificate and host-name verification always on (system CAs plus the profile's
/// ca_file), the profile's `resolve` overrides (host:port:address, like curl --resolve: connect
/// to the address, verify the certificate for the host), plain HTTP only when the profile
/// allows it, connect/read timeouts.
///
/// Cheap to construct: the TLS context is the process's shared one for the profile's ca_file
/// (TlsContexts.h), fetched at the first HTTPS request, and connections are kept alive in the
/// process's SessionPool between requests, runs and connections. A kept-alive connection found
/// closed before any answer is replaced once for a replayable request (GET, HEAD, PUT, DELETE,
/// OPTIONS, or one with an Idempotency-Key); any other request only uses a connection that was
/// in use within the last second, so it is never sent twice.
class PocoHttpTransport : public HttpTransport {
public:
    /// Copies what it needs from `profile`. Throws ConfigError for a malformed `resolve`
    /// entry; an unusable ca_file is a ConfigError of the first HTTPS request.
    explicit PocoHttpTransport(const config::EnvironmentProfile& profile, int timeoutSeconds = 30);
    ~PocoHttpTransport() override;
    HttpResponse send(const HttpRequest& request) override;
    /// Keeps connections in `pool` instead of the shared one; nullptr = a new connection per
    /// request (tests).
    void usePool(SessionPool* pool);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// application/x-www-form-urlencoded encoding of `fields`, in order.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace ledgerbridge::http
