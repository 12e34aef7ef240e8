// Who is calling the public API: a bearer access token (OAuth client, grant, company, scopes)
// or an API key (Basic `key:`; company and scopes, no client). Shared by every /v0, /v1,
// /v1-beta, /v2 and /v3 handler so all of Pleo's APIs check credentials the same way.
#pragma once

#include <set>
#include <string>

#include "Http.h"
#include "State.h"

namespace lbsim {

struct Principal {
    int company = 0;
    std::set<std::string> scopes;
    std::string clientId;  // the OAuth client of a bearer token; "" for API keys
    std::string grantId;   // the grant a bearer token descends from; "" for API keys
};

/// Checks the credential and the scope. `scope` is Pleo's per-API scope ("export-jobs:read",
/// "tax-codes:write", ...); the umbrella scopes export:read / export:write of Pleo's OAuth
/// examples cover every ...:read / ...:write. Throws ApiError 401 / 403. Caller holds s.mutex.
Principal authenticate(SimState& s, const Request& req, const std::string& scope);

/// The company the `company_id` query parameter names (when present) must be the caller's:
/// 400 when it is not a UUID, 403 when it is another company's.
void checkCompanyParam(SimState& s, const Principal& p, const std::string& companyId);

}  // namespace lbsim
