// A small HTTPS client for the simulator tests: certificate verification on (the simulator's
// CA only), no redirects followed, plus helpers for the OAuth flow, API keys and admin calls.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <map>
#include <string>

#include "ledgerbridge/testsupport/Simulator.h"

namespace simtest {

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    Poco::Dynamic::Var json() const;
    Poco::JSON::Object::Ptr object() const;
    std::string header(const std::string& lowerName) const;
};

struct Tokens {
    std::string access, refresh, scope;
    long long expiresIn = 0;
};

class SimClient {
public:
    explicit SimClient(const ledgerbridge::testsupport::SimulatorProcess& sim);
    /// `target` is a path ("/v3/...") or a full URL of this simulator. Throws Poco exceptions on
    /// network failures (dropped connection, TLS failure).
    HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {},
                       const std::string& contentType = "application/json");
    HttpResult get(const std::string& target, const std::string& authorization = "");
    HttpResult postJson(const std::string& target, const std::string& body, const std::string& authorization = "");
    HttpResult putJson(const std::string& target, const std::string& body, const std::string& authorization = "");
    HttpResult postForm(const std::string& target, const std::string& form, const std::string& authorization = "");

    /// Admin call returning the parsed object; fails the test on a non-2xx status.
    Poco::JSON::Object::Ptr admin(const std::string& method, const std::string& path, const std::string& body = "");
    std::string companyId(int index);
    /// "Basic <key:>" for a fresh API key of company `index`.
    std::string apiKeyAuth(int index = 0, const std::string& scope = "");
    /// Runs authorize (auto-approve on) + token exchange with PKCE; returns the tokens.
    Tokens login(int companyIndex = 0, const std::string& scope = "export:read export:write");
    /// Creates a pending job (as the Pleo user would) and returns its id.
    std::string createJob(int companyIndex, int items);

    const ledgerbridge::testsupport::SimulatorProcess& sim() const { return sim_; }

private:
    const ledgerbridge::testsupport::SimulatorProcess& sim_;
};

std::string basic(const std::string& user, const std::string& password);
std::string bearer(const std::string& token);
std::string formEncode(const std::map<std::string, std::string>& fields);
std::string pkceChallenge(const std::string& verifier);
/// Query parameter `name` of a URL (decoded), "" when absent.
std::string queryParam(const std::string& url, const std::string& name);

}  // namespace simtest
