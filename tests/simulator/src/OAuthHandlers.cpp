// /oauth/authorize, /oauth/token and /oauth/token/introspect.
#include "OAuthHandlers.h"

#include <Poco/JSON/Object.h>

#include <map>

#include "Ids.h"

namespace lbsim {

namespace {

struct AuthParams {
    std::string responseType, clientId, redirectUri, scope, state, challenge, method;
};

// Errors the user sees (the redirect URI is not trusted yet): an HTML page, never a redirect.
Reply htmlError(int status, const std::string& message) {
    Reply r;
    r.status = status;
    r.contentType = "text/html;charset=UTF-8";
    r.body = "<!doctype html><html><head><title>Authorization error</title></head><body><h1>Authorization error</h1><p>" +
             htmlEscape(message) + "</p></body></html>";
    return r;
}

Reply redirectTo(const std::string& uri, const std::map<std::string, std::string>& params) {
    std::string location = uri + (uri.find('?') == std::string::npos ? "?" : "&");
    bool first = true;
    for (const auto& kv : params) {
        if (kv.second.empty() && kv.first == "state") continue;
        location += (first ? "" : "&") + kv.first + "=" + urlEncode(kv.second);
        first = false;
    }
    Reply r;
    r.status = 302;
    r.contentType = "text/plain";
    r.headers.emplace_back("Location", location);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

Reply redirectError(const AuthParams& p, const std::string& error, const std::string& description) {
    return redirectTo(p.redirectUri, {{"error", error}, {"error_description", description}, {"state", p.state}});
}

Reply oauthError(int status, const std::string& error, const std::string& description) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("error", error);
    o->set("error_description", description);
    Reply r = jsonReply(status, o);
    r.contentType = "application/json;charset=UTF-8";
    r.headers.emplace_back("Cache-Control", "no-store");
    if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"ledgerbridge-sim\"");
    return r;
}

bool isBase64Url(const std::string& s) {
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    return true;
}

// Checks everything but the user's decision. Returns a reply when the request must stop.
bool checkAuthorize(SimState& s, AuthParams& p, Reply& out) {
    const Client* c = s.tokens.client(p.clientId);
    if (!c) {
        out = htmlError(400, "Unknown client_id '" + p.clientId + "'.");
        return false;
    }
    bool uriOk = false;
    for (const auto& u : c->redirectUris) uriOk = uriOk || u == p.redirectUri;  // exact match, no prefixes
    if (!uriOk) {
        out = htmlError(400, "The redirect_uri is not registered for this client (exact match required).");
        return false;
    }
    if (p.responseType != "code") {
        out = redirectError(p, "unsupported_response_type", "Only response_type=code is supported.");
        return false;
    }
    if (p.challenge.empty()) {
        out = redirectError(p, "invalid_request", "PKCE is required: send code_challenge and code_challenge_method=S256.");
        return false;
    }
    if (p.method != "S256") {
        out = redirectError(p, "invalid_request", "Only code_challenge_method=S256 is supported.");
        return false;
    }
    if (p.challenge.size() != 43 || !isBase64Url(p.challenge)) {
        out = redirectError(p, "invalid_request", "code_challenge must be 43 base64url characters (SHA-256).");
        return false;
    }
    if (p.scope.empty()) {
        std::string all;
        for (const auto& sc : c->scopes) all += (all.empty() ? "" : " ") + sc;
        p.scope = all;
    }
    if (!scopesWithin(p.scope, c->scopes)) {
        out = redirectError(p, "invalid_scope", "The requested scope is not allowed for this client.");
        return false;
    }
    return true;
}

Reply issueCodeRedirect(SimState& s, const AuthParams& p, int company, const std::string& userId) {
    AuthCode code;
    code.clientId = p.clientId;
    code.redirectUri = p.redirectUri;
    code.challenge = p.challenge;
    code.scope = p.scope;
    code.company = company;
    code.userId = userId;
    code.expiresAt = s.clock.now() + s.options.codeTtl;
    std::string c = s.tokens.issueCode(code);
    return redirectTo(p.redirectUri, {{"code", c}, {"state", p.state}});
}

std::string field(const std::map<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? "" : it->second;
}

Reply loginPage(SimState& s, const AuthParams& p, const std::string& error) {
    std::string html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pleo (simulated) - Authorize</title>"
                       "<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}label{display:block;margin:.6em 0}</style>"
                       "</head><body><h1>Sign in to Pleo (simulated)</h1>";
    if (!error.empty()) html += "<p role=\"alert\" style=\"color:#b00\">" + htmlEscape(error) + "</p>";
    html += "<p><b>" + htmlEscape(p.clientId) + "</b> asks for: <code>" + htmlEscape(p.scope) + "</code></p>";
    html += "<form method=\"post\" action=\"/oauth/authorize\">";
    for (const auto& kv : std::map<std::string, std::string>{{"response_type", p.responseType}, {"client_id", p.clientId},
                                                             {"redirect_uri", p.redirectUri}, {"scope", p.scope},
                                                             {"state", p.state}, {"code_challenge", p.challenge},
                                                             {"code_challenge_method", p.method}})
        html += "<input type=\"hidden\" name=\"" + kv.first + "\" value=\"" + htmlEscape(kv.second) + "\">";
    html += "<label>User <input name=\"username\" autocomplete=\"username\"></label>"
            "<label>Password <input name=\"password\" type=\"password\"></label><label>Company <select name=\"company_id\">";
    for (const auto& co : s.catalog.companies())
        html += "<option value=\"" + co.id + "\">" + htmlEscape(co.name) + " (" + co.id + ")</option>";
    html += "</select></label><button name=\"decision\" value=\"approve\">Approve</button> "
            "<button name=\"decision\" value=\"deny\">Deny</button></form><h2>Test users</h2><ul>";
    for (const auto& e : s.catalog.companies().front().employees)
        html += "<li>" + htmlEscape(e.username) + " / password</li>";
    html += "</ul></body></html>";
    Reply r;
    r.contentType = "text/html;charset=UTF-8";
    r.body = html;
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    return r;
}

struct ClientAuth {
    const Client* client = nullptr;
    Reply error;
};

// HTTP Basic (RFC 6749 2.3.1), or body credentials unless --strict-client-auth.
ClientAuth authenticateClient(SimState& s, const Request& req, const std::map<std::string, std::string>& form) {
    ClientAuth a;
    std::string id, secret;
    std::string authz = req.header("authorization");
    bool basic = authz.size() > 6 && (authz.compare(0, 6, "Basic ") == 0 || authz.compare(0, 6, "basic ") == 0);
    bool inBody = form.count("client_secret") > 0;
    if (basic && inBody) {
        a.error = oauthError(400, "invalid_request", "Send client credentials either by HTTP Basic or in the body, not both.");
        return a;
    }
    if (basic) {
        std::string decoded;
        try {
            decoded = base64Decode(authz.substr(6));
        } catch (const std::exception&) {
            a.error = oauthError(401, "invalid_client", "The Basic credentials are not valid base64.");
            return a;
        }
        auto colon = decoded.find(':');
        if (colon == std::string::npos) {
            a.error = oauthError(401, "invalid_client", "The Basic credentials have no ':'.");
            return a;
        }
        try {
            auto parts = parseUrlEncoded("i=" + decoded.substr(0, colon) + "&s=" + decoded.substr(colon + 1));
            for (auto& kv : parts) (kv.first == "i" ? id : secret) = kv.second;
        } catch (const ApiError&) {
            id = decoded.substr(0, colon);
            secret = decoded.substr(colon + 1);
        }
    } else if (inBody) {
        if (s.options.strictClientAuth) {
            a.error = oauthError(401, "invalid_client", "This server accepts client credentials only by HTTP Basic.");
            return a;
        }
        id = field(form, "client_id");
        secret = field(form, "client_secret");
    } else {
        a.error = oauthError(401, "invalid_client", "Client authentication is required (HTTP Basic).");
        return a;
    }
    const Client* c = s.tokens.client(id);
    if (!c || c->secret != secret) {
        a.error = oauthError(401, "invalid_client", "Unknown client or wrong client secret.");
        return a;
    }
    a.client = c;
    return a;
}

Reply tokenReply(const IssuedTokens& t) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("access_token", t.accessToken);
    o->set("token_type", "Bearer");
    o->set("expires_in", static_cast<Poco::Int64>(t.expiresIn));
    if (!t.refreshToken.empty()) o->set("refresh_token", t.refreshToken);
    o->set("scope", t.scope);
    Reply r = jsonReply(200, o);
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Pragma", "no-cache");
    return r;
}

bool validVerifier(const std::string& v) {
    if (v.size() < 43 || v.size() > 128) return false;
    for (char c : v)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~')) return false;
    return true;
}

}  // namespace

void registerDemoClient(SimState& s) {
    Client c;
    c.id = s.options.clientId;
    c.secret = s.options.clientSecret;
    c.redirectUris = {s.options.redirectUri};
    c.scopes = splitScopes(s.options.clientScopes);
    s.tokens.addClient(c);
}

Reply authorizeGet(SimState& s, const Request& req) {
    AuthParams p{req.param("response_type"), req.param("client_id"), req.param("redirect_uri"), req.param("scope"),
                 req.param("state"), req.param("code_challenge"), req.param("code_challenge_method")};
    std::lock_guard<std::mutex> lock(s.mutex);
    Reply out;
    if (!checkAuthorize(s, p, out)) return out;
    if (s.autoApprove) {
        const Company& co = s.catalog.companies().at(static_cast<std::size_t>(s.autoApproveCompany));
        return issueCodeRedirect(s, p, co.index, co.employees.front().id);
    }
    return loginPage(s, p, "");
}

Reply authorizePost(SimState& s, const Request& req) {
    auto f = req.form();
    AuthParams p{field(f, "response_type"), field(f, "client_id"), field(f, "redirect_uri"), field(f, "scope"),
                 field(f, "state"), field(f, "code_challenge"), field(f, "code_challenge_method")};
    std::lock_guard<std::mutex> lock(s.mutex);
    Reply out;
    if (!checkAuthorize(s, p, out)) return out;
    if (field(f, "decision") == "deny") return redirectError(p, "access_denied", "The user denied the request.");
    const Company* co = s.catalog.byId(field(f, "company_id"));
    if (!co) return loginPage(s, p, "Choose a company.");
    for (const auto& e : co->employees)
        if (e.username == field(f, "username") && field(f, "password") == "password")
            return issueCodeRedirect(s, p, co->index, e.id);
    return loginPage(s, p, "Unknown user or wrong password.");
}

Reply token(SimState& s, const Request& req) {
    auto f = req.form();
    std::lock_guard<std::mutex> lock(s.mutex);
    ClientAuth auth = authenticateClient(s, req, f);
    if (!auth.client) return auth.error;
    const Client& client = *auth.client;
    const std::string grantType = field(f, "grant_type");
    const std::int64_t now = s.clock.now();
    if (grantType.empty()) return oauthError(400, "invalid_request", "grant_type is required.");
    if (grantType == "authorization_code") {
        const std::string codeText = field(f, "code"), verifier = field(f, "code_verifier");
        if (codeText.empty() || field(f, "redirect_uri").empty() || verifier.empty())
            return oauthError(400, "invalid_request", "code, redirect_uri and code_verifier are required.");
        if (!validVerifier(verifier))
            return oauthError(400, "invalid_request", "code_verifier must be 43-128 characters of [A-Za-z0-9-._~].");
        AuthCode* code = s.tokens.code(codeText);
        if (!code || code->clientId != client.id)
            return oauthError(400, "invalid_grant", "The authorization code is unknown or was issued to another client.");
        if (code->used) {
            // RFC 6749 4.1.2: a reused code revokes what it already produced.
            if (!code->grantId.empty()) s.tokens.revokeGrant(code->grantId);
            return oauthError(400, "invalid_grant", "The authorization code was already used; its tokens are revoked.");
        }
        code->used = true;
        if (now >= code->expiresAt) return oauthError(400, "invalid_grant", "The authorization code has expired.");
        if (code->redirectUri != field(f, "redirect_uri"))
            return oauthError(400, "invalid_grant", "redirect_uri does not match the authorization request.");
        if (base64UrlNoPad(sha256(verifier)) != code->challenge)
            return oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge.");
        code->grantId = s.tokens.newGrant(client.id, code->company, code->userId, code->scope);
        s.installations.authorize(client.id, code->company, now);  // consent creates the installation
        return tokenReply(s.tokens.issueTokens(code->grantId, code->scope, now));
    }
    if (grantType == "refresh_token") {
        const std::string rt = field(f, "refresh_token");
        if (rt.empty()) return oauthError(400, "invalid_request", "refresh_token is required.");
        RefreshToken* r = s.tokens.refresh(rt);
        if (!r) return oauthError(400, "invalid_grant", "The refresh token is unknown.");
        Grant* g = s.tokens.grant(r->grantId);
        if (!g || g->clientId != client.id)
            return oauthError(400, "invalid_grant", "The refresh token was issued to another client.");
        if (g->revoked) return oauthError(400, "invalid_grant", "The grant was revoked; authorise again.");
        if (r->rotated || now >= r->expiresAt) {
            // Pleo's replay rule: an old or expired refresh token revokes the whole grant.
            std::string why = r->rotated ? "was already used (rotated)" : "has expired";
            s.tokens.revokeGrant(g->id);
            return oauthError(400, "invalid_grant", "The refresh token " + why + "; every token of this grant is revoked.");
        }
        std::string scope = field(f, "scope");
        if (scope.empty()) scope = g->scope;
        else if (!scopesWithin(scope, splitScopes(g->scope)))
            return oauthError(400, "invalid_scope", "A refresh cannot widen the granted scope.");
        r->rotated = true;
        return tokenReply(s.tokens.issueTokens(g->id, scope, now));
    }
    if (grantType == "client_credentials") {
        // RFC 6749 4.4, as an identity server such as Entra serves ERP clients (the target side
        // of a connection): a token for the client itself, within its scopes, and no refresh
        // token (4.4.3). Its grant is bound to the first company, since tokens here belong to one.
        std::string scope = field(f, "scope");
        if (scope.empty() || !scopesWithin(scope, client.scopes))
            return oauthError(400, "invalid_scope", "Name scopes the client may request.");
        const std::string grantId = s.tokens.newGrant(client.id, 0, "", scope);
        IssuedTokens t = s.tokens.issueTokens(grantId, scope, now);
        t.refreshToken.clear();
        return tokenReply(t);
    }
    return oauthError(400, "unsupported_grant_type", "grant_type '" + grantType + "' is not supported.");
}

Reply introspect(SimState& s, const Request& req) {
    auto f = req.form();
    std::lock_guard<std::mutex> lock(s.mutex);
    ClientAuth auth = authenticateClient(s, req, f);
    if (!auth.client) return auth.error;
    const std::string t = field(f, "token");
    if (t.empty()) return oauthError(400, "invalid_request", "token is required.");
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    const std::int64_t now = s.clock.now();
    const AccessToken* a = s.tokens.activeAccess(t, now);
    if (a) {
        const Company& co = s.catalog.companies().at(static_cast<std::size_t>(a->company));
        o->set("active", true);
        o->set("sub", co.urn);
        o->set("scope", a->scope);
        o->set("client_id", a->clientId);
        o->set("token_type", "Bearer");
        o->set("exp", static_cast<Poco::Int64>(a->expiresAt));
        o->set("iat", static_cast<Poco::Int64>(a->issuedAt));
        o->set("company_id", co.id);
    } else if (RefreshToken* r = s.tokens.refresh(t); r && !r->rotated && now < r->expiresAt) {
        Grant* g = s.tokens.grant(r->grantId);
        if (g && !g->revoked) {
            o->set("active", true);
            o->set("sub", s.catalog.companies().at(static_cast<std::size_t>(g->company)).urn);
            o->set("scope", g->scope);
            o->set("client_id", g->clientId);
            o->set("token_type", "refresh_token");
            o->set("exp", static_cast<Poco::Int64>(r->expiresAt));
        } else {
            o->set("active", false);
        }
    } else {
        o->set("active", false);
    }
    Reply rep = jsonReply(200, o);
    rep.headers.emplace_back("Cache-Control", "no-store");
    return rep;
}

}  // namespace lbsim
