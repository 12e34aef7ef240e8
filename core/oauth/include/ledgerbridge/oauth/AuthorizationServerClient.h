// A generic OAuth 2.0 client (RFC 6749 authorization code grant with PKCE, RFC 7636; refresh;
// token introspection, RFC 7662) for any provider: Pleo for the source side, ERPs such as Xero
// for targets. The client secret is read from its reference only when a token request is
// built, and is sent only to the token and introspection endpoints, by HTTP Basic
// authentication. Every token learned is registered with the Redactor before it is returned.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/http/HttpTransport.h"

namespace ledgerbridge::oauth {

// The OAuth client speaks through the host's HTTP transport (core/http).
using http::formEncode;
using http::HttpRequest;
using http::HttpResponse;
using http::HttpTransport;
using http::PocoHttpTransport;

/// Where the authorization server's endpoints are.
struct Endpoints {
    std::string authorize;
    std::string token;
    std::string introspect;  ///< empty when the provider has none

    /// Pleo's layout below an issuer URL: /oauth/authorize, /oauth/token, /oauth/token/introspect.
    static Endpoints fromIssuer(const std::string& issuerUrl);
};

struct ClientCredentials {
    std::string clientId;
    /// Returns the client secret (called only when a token/introspection request is built).
    std::function<std::string()> secret;
    std::string environment;  ///< profile name, for messages ("[environment.NAME]")
};

struct TokenResponse {
    std::string accessToken;
    std::string refreshToken;  ///< may be empty when the server did not rotate
    std::string tokenType;
    std::int64_t expiresIn = 0;  ///< seconds
    std::string scope;           ///< granted scopes, may be empty (= as requested)
};

struct Introspection {
    bool active = false;
    std::string subject;  ///< `sub`, e.g. urn:pleo:company:<uuid>
    std::string scope;
    std::string clientId;
    std::int64_t expiresAt = 0;  ///< `exp`, seconds since the epoch (0 when absent)
};

/// The authorization server refused the refresh token (`invalid_grant`): rotated away, revoked,
/// expired. The grant must be authorised again; never retry.
class InvalidGrant : public ReauthorizationRequired {
public:
    using ReauthorizationRequired::ReauthorizationRequired;
};

/// The authorization server refused the OAuth client itself (`invalid_client`, HTTP 401): the
/// configured client_id or client_secret is wrong. A configuration error (exit 2): the grant is
/// untouched (the server rejects the client before it looks at a refresh token) and logging in
/// again would not help.
class ClientCredentialsRejected : public ConfigError {
public:
    using ConfigError::ConfigError;
};

/// Turns an `error=` redirect (RFC 6749 section 4.1.2.1) into AuthError with a sentence that
/// says what to do; `loginCommand` is the command that starts over.
[[noreturn]] void throwAuthorizationError(const std::string& error, const std::string& description,
                                          const std::string& environment, const std::string& scopes,
                                          const std::string& loginCommand);

class AuthorizationServerClient {
public:
    /// `transport` is not owned and must outlive the client.
    AuthorizationServerClient(Endpoints endpoints, ClientCredentials credentials, HttpTransport& transport);

    const Endpoints& endpoints() const { return endpoints_; }

    /// The URL to send the person to (response_type=code, code_challenge_method=S256).
    std::string authorizeUrl(const std::string& redirectUri, const std::string& scopes, const std::string& state,
                             const std::string& codeChallenge) const;

    /// GETs `authorizeUrl` once without following redirects, to report at once what the
    /// server refuses before any consent page: an unknown client, an unregistered redirect
    /// URI (HTTP 4xx), or an `error=` redirect (invalid_scope, ...). Throws AuthError with the
    /// specific sentence; NetworkError when the server cannot be reached. Anything else passes.
    /// `loginCommand` is quoted in messages as the command that starts over.
    void preflightAuthorize(const std::string& authorizeUrl, const std::string& redirectUri, const std::string& scopes,
                            const std::string& loginCommand);

    /// Exchanges an authorization code. Throws ClientCredentialsRejected for invalid_client
    /// (wrong secret), AuthError with a specific sentence for an expired/used code, a PKCE mismatch, a redirect URI
    /// mismatch, invalid_scope; NetworkError/ProtocolError for transport and contract failures.
    /// `loginCommand` is quoted as the command that starts over.
    TokenResponse exchangeCode(const std::string& code, const std::string& redirectUri, const std::string& codeVerifier,
                               const std::string& loginCommand);

    /// Uses `refreshToken` once. Throws InvalidGrant for invalid_grant (the caller marks the
    /// grant), ClientCredentialsRejected for invalid_client, http::ResponseLostError when the
    /// request was sent and its answer lost (the token may have been rotated: the caller must
    /// not resend it), NetworkError when nothing was sent, ProtocolError otherwise.
    TokenResponse refresh(const std::string& refreshToken);

    /// RFC 6749 section 4.4: a token for the client itself (service to service), no user and no
    /// refresh token. `scopes` may be empty. Throws ClientCredentialsRejected for invalid_client,
    /// AuthError for invalid_scope/unauthorized_client, NetworkError/ProtocolError otherwise.
    TokenResponse clientCredentials(const std::string& scopes);

    /// Asks the introspection endpoint about `accessToken`. Throws like exchangeCode().
    Introspection introspect(const std::string& accessToken);

    /// Whether the server accepts this client's id and secret, asked without spending or
    /// showing any token: introspection of a made-up token, which RFC 7662 answers with
    /// `active: false` only after authenticating the client. False when the server has no
    /// introspection endpoint (nothing to ask); throws ClientCredentialsRejected when refused,
    /// NetworkError/ProtocolError like introspect().
    bool checkClientCredentials();

private:
    HttpResponse postToTokenEndpoint(const std::string& url, const std::string& body);
    [[noreturn]] void throwTokenError(const HttpResponse& r, const std::string& during);

    Endpoints endpoints_;
    ClientCredentials credentials_;
    HttpTransport& transport_;
};

}  // namespace ledgerbridge::oauth
