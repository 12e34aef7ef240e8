// What the Pleo API client (and later ERP clients) needs to authenticate a request: the value
// of the Authorization header, and a way to react once to a 401. Two kinds: an OAuth grant
// (TokenManager) and a Pleo API key (ApiKeyAuthorization). The export engine adapts this to
// core/pleo's AccessTokenProvider; this module does not depend on core/pleo.
#pragma once

#include <string>

namespace ledgerbridge::oauth {

class AuthorizationSource {
public:
    virtual ~AuthorizationSource() = default;

    /// The Authorization header value to send now ("Bearer ..." or "Basic ..."). Thread-safe.
    /// Throws ReauthorizationRequired when the grant is gone, AuthError when the credential
    /// cannot be used, NetworkError when a needed refresh could not reach the server.
    virtual std::string authorizationHeader() = 0;

    /// Call after a request sent with `rejectedHeader` got 401. Returns the header to retry
    /// with (retry once; a second 401 is final). Refreshes at most once however many threads
    /// report the same rejected header. Throws like authorizationHeader(); ApiKey sources throw
    /// AuthError because a refused key cannot be fixed by retrying.
    virtual std::string onUnauthorized(const std::string& rejectedHeader) = 0;
};

/// A Pleo API key: HTTP Basic with the key as user name and an empty password.
class ApiKeyAuthorization : public AuthorizationSource {
public:
    /// `apiKey` is registered for redaction; `connection` names the connection in messages.
    ApiKeyAuthorization(std::string connection, const std::string& apiKey);
    std::string authorizationHeader() override { return header_; }
    std::string onUnauthorized(const std::string& rejectedHeader) override;

private:
    std::string connection_;
    std::string header_;
};

}  // namespace ledgerbridge::oauth
