// The generic OAuth 2.0 client: see AuthorizationServerClient.h.
#include "ledgerbridge/oauth/AuthorizationServerClient.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <sstream>

#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/oauth/Pkce.h"

namespace ledgerbridge::oauth {
namespace {

std::string trimSlash(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

std::string basicAuth(const std::string& user, const std::string& password) {
    // RFC 6749 section 2.3.1: both parts form-urlencoded before Base64.
    std::string u, p;
    Poco::URI::encode(user, "!#$&'()*+,/:;=?@[] ", u);
    Poco::URI::encode(password, "!#$&'()*+,/:;=?@[] ", p);
    return "Basic " + base64Encode(u + ":" + p);
}

Poco::JSON::Object::Ptr parseObject(const std::string& body) {
    try {
        auto v = Poco::JSON::Parser().parse(body);
        return v.extract<Poco::JSON::Object::Ptr>();
    } catch (...) {
        return nullptr;
    }
}

std::string str(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return {};
    return o->getValue<std::string>(key);
}

std::int64_t num(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return 0;
    try {
        return o->getValue<std::int64_t>(key);
    } catch (...) {
        return 0;
    }
}

// The readable text of an HTML error page (tags dropped, whitespace collapsed, capped), so a
// server's explanation can be quoted in a one-line message.
std::string visibleText(const std::string& html) {
    std::string out;
    bool inTag = false, space = false;
    std::size_t bodyAt = Poco::toLower(html).find("<body");
    for (std::size_t i = bodyAt == std::string::npos ? 0 : bodyAt; i < html.size() && out.size() < 240; ++i) {
        char c = html[i];
        if (c == '<') {
            inTag = true;
            space = !out.empty();
        } else if (c == '>') {
            inTag = false;
        } else if (!inTag) {
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                space = !out.empty();
            } else {
                if (space) out += ' ';
                space = false;
                out += c;
            }
        }
    }
    return out;
}

/// Where the client is configured: `environment` is a profile name, or already a section
/// reference such as "[connection.acme]" (a target's client).
std::string sectionOf(const std::string& environment) {
    return environment.rfind("[", 0) == 0 ? environment : "[environment." + environment + "]";
}

bool contains(const std::string& haystack, const char* needle) {
    return Poco::toLower(haystack).find(needle) != std::string::npos;
}

}  // namespace

Endpoints Endpoints::fromIssuer(const std::string& issuerUrl) {
    std::string base = trimSlash(issuerUrl);
    return {base + "/oauth/authorize", base + "/oauth/token", base + "/oauth/token/introspect"};
}

AuthorizationServerClient::AuthorizationServerClient(Endpoints endpoints, ClientCredentials credentials,
                                                     HttpTransport& transport)
    : endpoints_(std::move(endpoints)), credentials_(std::move(credentials)), transport_(transport) {}

std::string AuthorizationServerClient::authorizeUrl(const std::string& redirectUri, const std::string& scopes,
                                                    const std::string& state, const std::string& codeChallenge) const {
    std::vector<std::pair<std::string, std::string>> q = {{"response_type", "code"},
                                                          {"client_id", credentials_.clientId},
                                                          {"redirect_uri", redirectUri}};
    if (!scopes.empty()) q.emplace_back("scope", scopes);
    q.emplace_back("state", state);
    q.emplace_back("code_challenge", codeChallenge);
    q.emplace_back("code_challenge_method", "S256");
    return endpoints_.authorize + (endpoints_.authorize.find('?') == std::string::npos ? "?" : "&") + formEncode(q);
}

void throwAuthorizationError(const std::string& error, const std::string& description, const std::string& environment,
                             const std::string& scopes, const std::string& loginCommand) {
    std::string server = description.empty() ? "" : " (the server said: " + redact(description) + ")";
    std::string env = sectionOf(environment);
    if (error == "access_denied")
        throw AuthError("Access was declined on the authorization page, so no grant was stored. Run `" + loginCommand +
                        "` again and approve access (as a person allowed to connect the company)." + server);
    if (error == "invalid_scope")
        throw AuthError("The authorization server refused the requested scopes '" + scopes +
                        "' (invalid_scope). Set scopes in " + env +
                        " to scopes your OAuth client may request, then run `" + loginCommand + "` again." + server);
    if (error == "unauthorized_client")
        throw AuthError("The OAuth client of " + env + " may not use the authorization code flow (unauthorized_client). "
                        "Check the client's registration with the provider." + server);
    if (error == "invalid_request" && (description.find("redirect") != std::string::npos))
        throw AuthError("The authorization server does not accept the redirect URI of " + env +
                        ". Set redirect_uri to exactly the URI registered for your OAuth client, then run `" +
                        loginCommand + "` again." + server);
    if (error == "temporarily_unavailable" || error == "server_error")
        throw AuthError("The authorization server could not handle the login right now (" + error + "). Wait a few "
                        "minutes and run `" + loginCommand + "` again." + server);
    throw AuthError("The authorization server ended the login with error '" + error + "'. Check " + env +
                    " and run `" + loginCommand + "` again." + server);
}

void AuthorizationServerClient::preflightAuthorize(const std::string& url, const std::string& redirectUri,
                                                   const std::string& scopes, const std::string& loginCommand) {
    HttpRequest req;
    req.url = url;
    req.headers = {{"Accept", "text/html,application/json"}};
    HttpResponse r = transport_.send(req);
    std::string env = "[environment." + credentials_.environment + "]";
    if (r.status >= 300 && r.status < 400) {
        std::string location = r.header("Location");
        if (location.rfind(redirectUri, 0) == 0) {
            std::string error, description;
            try {
                Poco::URI u(location);
                for (const auto& [k, v] : u.getQueryParameters()) {
                    if (k == "error") error = v;
                    if (k == "error_description") description = v;
                }
            } catch (const Poco::SyntaxException&) {
                // Found by fuzz_token_response: Poco's own exception escaped the login. The
                // address is not repeated (it may carry a code).
                throw AuthError("The authorization server redirected the login request to a malformed address (not "
                                "valid URL encoding). Check auth_url in " + env + "; it may not be an OAuth 2.0 "
                                "authorization endpoint.");
            }
            if (!error.empty()) throwAuthorizationError(error, description, credentials_.environment, scopes, loginCommand);
        }
        return;
    }
    if (r.status < 400) return;
    auto o = parseObject(r.body);
    std::string error = str(o, "error");
    std::string description = o ? str(o, "error_description") : visibleText(r.body);
    std::string server = description.empty() ? "" : " (the server said: " + redact(description) + ")";
    std::string all = Poco::toLower(error + " " + description);
    if (all.find("redirect") != std::string::npos)
        throw AuthError("The authorization server does not accept the redirect URI " + redirectUri + " for client_id '" +
                        credentials_.clientId + "'. Set redirect_uri in " + env +
                        " to exactly the URI registered for your OAuth client (scheme, host, port and path)." + server);
    if (all.find("client") != std::string::npos)
        throw AuthError("The authorization server does not know client_id '" + credentials_.clientId +
                        "'. Check client_id in " + env + " against the OAuth client issued to you." + server);
    if (all.find("scope") != std::string::npos)
        throwAuthorizationError("invalid_scope", description, credentials_.environment, scopes, loginCommand);
    throw AuthError("The authorization server refused the login request (HTTP " + std::to_string(r.status) +
                    "). Check auth_url, client_id, redirect_uri and scopes in " + env + "." + server);
}

HttpResponse AuthorizationServerClient::postToTokenEndpoint(const std::string& url, const std::string& body) {
    HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.contentType = "application/x-www-form-urlencoded";
    req.body = body;
    std::string secret = credentials_.secret ? credentials_.secret() : std::string();
    if (secret.size() >= 6) Redactor::global().add(secret);
    req.headers = {{"Authorization", basicAuth(credentials_.clientId, secret)}, {"Accept", "application/json"}};
    return transport_.send(req);
}

void AuthorizationServerClient::throwTokenError(const HttpResponse& r, const std::string& during) {
    auto o = parseObject(r.body);
    std::string error = str(o, "error");
    std::string description = redact(str(o, "error_description"));
    std::string env = sectionOf(credentials_.environment);
    std::string server = description.empty() ? "" : " (the server said: " + description + ")";
    if (error == "invalid_client" || (error.empty() && r.status == 401))
        throw ClientCredentialsRejected("The authorization server refused the client credentials during " + during +
                                        " (invalid_client): client_id '" + credentials_.clientId +
                                        "' or its client_secret is wrong. Check client_id/client_secret in " + env +
                                        " against the OAuth client issued to you." + server);
    if (error == "invalid_scope")
        throw AuthError("The authorization server refused the requested scopes (invalid_scope). Set scopes in " + env +
                        " to scopes your OAuth client is allowed to request." + server);
    if (error == "unauthorized_client")
        throw AuthError("OAuth client '" + credentials_.clientId + "' is not allowed to use this grant type (" + during +
                        "). Check the client's settings with the provider." + server);
    if (error == "invalid_grant") throw InvalidGrant("invalid_grant" + server);
    if (!error.empty())
        throw AuthError("The authorization server refused the " + during + " with '" + error + "'." + server);
    if (r.status >= 500)
        throw NetworkError("The authorization server failed during " + during + " (HTTP " + std::to_string(r.status) +
                           "); try again in a few minutes.");
    throw ProtocolError("The authorization server answered the " + during + " with HTTP " + std::to_string(r.status) +
                        " and no OAuth error; check auth_url in " + env + ".");
}

namespace {

TokenResponse parseTokens(const HttpResponse& r, const std::string& during) {
    auto o = parseObject(r.body);
    TokenResponse t;
    t.accessToken = str(o, "access_token");
    t.refreshToken = str(o, "refresh_token");
    t.tokenType = str(o, "token_type");
    t.expiresIn = num(o, "expires_in");
    t.scope = str(o, "scope");
    // Tokens are redacted while they can appear: the access token until it expires (plus a
    // margin), the refresh token for a while (every read from the store registers it again).
    const auto now = Redactor::global().now();
    if (t.accessToken.size() >= 6)
        Redactor::global().addUntil(t.accessToken, now + std::chrono::seconds(t.expiresIn > 0 ? t.expiresIn : 3600) +
                                                       kExpiredTokenMargin);
    if (t.refreshToken.size() >= 6) Redactor::global().addUntil(t.refreshToken, now + kTransientSecretLifetime);
    if (t.accessToken.empty())
        throw ProtocolError("The authorization server's answer to the " + during +
                            " has no access_token; it breaks RFC 6749 section 5.1.");
    if (!t.tokenType.empty() && Poco::icompare(t.tokenType, "bearer") != 0)
        throw ProtocolError("The authorization server issued a '" + t.tokenType +
                            "' token during the " + during + "; only Bearer tokens are supported.");
    return t;
}

}  // namespace

TokenResponse AuthorizationServerClient::exchangeCode(const std::string& code, const std::string& redirectUri,
                                                      const std::string& codeVerifier,
                                                      const std::string& loginCommand) {
    std::string body = formEncode({{"grant_type", "authorization_code"},
                                   {"code", code},
                                   {"redirect_uri", redirectUri},
                                   {"code_verifier", codeVerifier}});
    HttpResponse r = postToTokenEndpoint(endpoints_.token, body);
    if (r.status == 200) return parseTokens(r, "code exchange");
    const std::string again = "Run `" + loginCommand + "` again";
    try {
        throwTokenError(r, "code exchange");
    } catch (const InvalidGrant& e) {
        std::string d = e.what();
        std::string server = d.size() > 13 ? d.substr(13) : "";
        if (contains(d, "verifier") || contains(d, "pkce") || contains(d, "challenge"))
            throw AuthError("The authorization server says the PKCE code verifier does not match the code's challenge: "
                            "the code belongs to another login attempt. " + again +
                            " and finish it with the address that attempt prints." + server);
        if (contains(d, "redirect"))
            throw AuthError("The redirect URI " + redirectUri +
                            " is not the one the authorization code was issued for. Set redirect_uri in [environment." +
                            credentials_.environment + "] to exactly the URI registered with your OAuth client, "
                            "then r" + again.substr(1) + "." + server);
        if (contains(d, "expired"))
            throw AuthError("The authorization code expired before it was exchanged (codes are valid for about a "
                            "minute). " + again + " and complete it promptly." + server);
        if (contains(d, "used"))
            throw AuthError("The authorization code was already used; each code works once. " + again + "." + server);
        throw AuthError("The authorization server refused the authorization code (invalid_grant): it is expired, "
                        "used, or belongs to another login attempt. " + again + "." + server);
    }
}

TokenResponse AuthorizationServerClient::refresh(const std::string& refreshToken) {
    HttpResponse r = postToTokenEndpoint(endpoints_.token,
                                         formEncode({{"grant_type", "refresh_token"}, {"refresh_token", refreshToken}}));
    if (r.status == 200) return parseTokens(r, "token refresh");
    throwTokenError(r, "token refresh");
}

TokenResponse AuthorizationServerClient::clientCredentials(const std::string& scopes) {
    std::vector<std::pair<std::string, std::string>> form = {{"grant_type", "client_credentials"}};
    if (!scopes.empty()) form.emplace_back("scope", scopes);
    HttpResponse r = postToTokenEndpoint(endpoints_.token, formEncode(form));
    if (r.status == 200) return parseTokens(r, "client credentials grant");
    throwTokenError(r, "client credentials grant");
}

Introspection AuthorizationServerClient::introspect(const std::string& accessToken) {
    if (endpoints_.introspect.empty())
        throw ConfigError("This authorization server has no introspection endpoint configured.");
    HttpResponse r = postToTokenEndpoint(endpoints_.introspect,
                                         formEncode({{"token", accessToken}, {"token_type_hint", "access_token"}}));
    if (r.status != 200) throwTokenError(r, "token introspection");
    auto o = parseObject(r.body);
    if (!o || !o->has("active"))
        throw ProtocolError("The introspection answer has no 'active' member; it breaks RFC 7662 section 2.2.");
    Introspection i;
    try {
        i.active = o->getValue<bool>("active");
    } catch (...) {
        i.active = false;
    }
    i.subject = str(o, "sub");
    i.scope = str(o, "scope");
    i.clientId = str(o, "client_id");
    i.expiresAt = num(o, "exp");
    return i;
}

bool AuthorizationServerClient::checkClientCredentials() {
    if (endpoints_.introspect.empty()) return false;
    // A random value that is no token: an honest server answers active=false, and only after
    // it authenticated the client (a wrong secret is invalid_client first).
    introspect("ledgerbridge-client-check-" + base64UrlEncode(randomBytes(12)));
    return true;
}

}  // namespace ledgerbridge::oauth
