// A small OAuth 2.0 authorization server for the OAuth edge-case tests, written from RFC 6749,
// 6750 and 7662 and sharing no code with ledgerbridge's client: a real HTTP server on
// 127.0.0.1 (plain HTTP, a custom profile with allow_http) that
//   - issues access tokens of a configurable lifetime (expires_in),
//   - rotates the refresh token on every refresh, and treats a refresh token presented again
//     as replay: it revokes the whole grant (every token of it) and counts the replay,
//   - authenticates the client by HTTP Basic and answers a wrong id or secret with 401
//     invalid_client (RFC 6749 section 5.2),
//   - can stall the next refresh for N seconds after rotating (the answer comes late), or drop
//     the connection after rotating (the answer is lost),
//   - answers grant_type=client_credentials (RFC 6749 section 4.4) with an access token and no
//     refresh token,
//   - serves introspection (/oauth/token/introspect) and a protected resource (/api/ping) that
//     accepts only a current, unexpired access token, so tests count what a client really did.
// Tokens are random; the server's clock is the real one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace Poco::Net {
class HTTPServer;
}

namespace ledgerbridge::oauth::testas {

class RotatingAuthorizationServer {
public:
    struct Counts {
        int tokenRequests = 0;   ///< every POST to the token endpoint
        int rotations = 0;       ///< refreshes that issued a new pair
        int replays = 0;         ///< a spent refresh token presented again (the grant was revoked)
        int invalidClient = 0;   ///< 401 invalid_client answers
        int apiAccepted = 0;     ///< /api/ping calls with a current, unexpired access token
        int apiRefused = 0;      ///< /api/ping calls refused with 401
        int clientTokens = 0;    ///< client_credentials grants answered with a token
    };

    RotatingAuthorizationServer(std::string clientId, std::string clientSecret);
    ~RotatingAuthorizationServer();
    RotatingAuthorizationServer(const RotatingAuthorizationServer&) = delete;
    RotatingAuthorizationServer& operator=(const RotatingAuthorizationServer&) = delete;

    /// http://127.0.0.1:PORT (the issuer: /oauth/token, /oauth/token/introspect, /api/ping).
    std::string baseUrl() const;

    /// A new grant as a login would create it: returns {access token, refresh token}, the
    /// access token valid for the current lifetime from now.
    std::pair<std::string, std::string> issueGrant();
    /// expires_in of the tokens issued from now on, in seconds.
    void setAccessLifetime(int seconds);
    /// The secret the server expects from now on (a rotated or wrong secret).
    void setClientSecret(const std::string& secret);
    /// The next refresh rotates, then waits `seconds` before answering (interrupted by stop).
    void stallNextRefresh(int seconds);
    /// The next refresh rotates, then closes the connection without any answer.
    void dropNextRefreshAnswer();

    /// The `scope` of the last client_credentials request ("" when it had none).
    std::string lastClientScope() const;
    Counts counts() const;
    /// Waits until `n` token requests have arrived (false after `timeout`).
    bool waitForTokenRequests(int n, std::chrono::milliseconds timeout);
    bool grantRevoked() const;

private:
    struct State;
    class Handler;
    class Factory;
    std::shared_ptr<State> state_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace ledgerbridge::oauth::testas
