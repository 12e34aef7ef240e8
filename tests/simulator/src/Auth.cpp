// Credential and scope checks of the public API.
#include "Auth.h"

#include "Ids.h"

namespace lbsim {

// Caller holds s.mutex.
Principal authenticate(SimState& s, const Request& req, const std::string& scope) {
    const std::string authz = req.header("authorization");
    Principal p;
    if (authz.size() > 7 && (authz.compare(0, 7, "Bearer ") == 0 || authz.compare(0, 7, "bearer ") == 0)) {
        const AccessToken* t = s.tokens.activeAccess(authz.substr(7), s.clock.now());
        if (!t) throw ApiError(401, "UNAUTHORIZED", "The access token is unknown, expired or revoked.");
        p.company = t->company;
        p.scopes = splitScopes(t->scope);
        p.clientId = t->clientId;
        p.grantId = t->grantId;
    } else if (authz.size() > 6 && (authz.compare(0, 6, "Basic ") == 0 || authz.compare(0, 6, "basic ") == 0)) {
        std::string decoded;
        try {
            decoded = base64Decode(authz.substr(6));
        } catch (const std::exception&) {
            throw ApiError(401, "UNAUTHORIZED", "The Basic credentials are not valid base64.");
        }
        auto colon = decoded.find(':');
        std::string user = decoded.substr(0, colon), pass = colon == std::string::npos ? "" : decoded.substr(colon + 1);
        if (s.tokens.client(user) || !pass.empty()) {
            // The OAuth client secret must only ever go to the token endpoint.
            if (s.tokens.client(user)) s.counters.bump("client_secret_as_api_credential");
            throw ApiError(401, "UNAUTHORIZED",
                           "OAuth client credentials are not API credentials; use a bearer access token or an API key with an empty password.");
        }
        const ApiKey* k = s.tokens.apiKey(user);
        if (!k) throw ApiError(401, "UNAUTHORIZED", "The API key is unknown.");
        p.company = k->company;
        p.scopes = splitScopes(k->scope);
    } else {
        throw ApiError(401, "UNAUTHORIZED", "Authentication is required: a bearer token or an API key (Basic, empty password).");
    }
    // Pleo's per-endpoint scopes (export-jobs:read|write, export-items:read); the umbrella
    // scopes export:read / export:write from Pleo's OAuth examples cover every :read / :write.
    const std::string umbrella = scope.compare(scope.size() - 5, 5, ":read") == 0 ? "export:read" : "export:write";
    if (!p.scopes.count(scope) && !p.scopes.count(umbrella))
        throw ApiError(403, "FORBIDDEN", "The credential lacks the scope '" + scope + "' (or '" + umbrella + "').");
    return p;
}

void checkCompanyParam(SimState& s, const Principal& p, const std::string& companyId) {
    if (companyId.empty()) return;
    if (!isUuid(companyId)) throw ApiError(400, "INVALID_COMPANY_ID", "company_id must be a UUID.");
    const Company* c = s.catalog.byId(companyId);
    if (!c || c->index != p.company) throw ApiError(403, "FORBIDDEN", "The credential is not valid for this company.");
}

}  // namespace lbsim
