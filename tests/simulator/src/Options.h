// Command-line options of ledgerbridge-sim and their --help text. Parsing is separate from
// everything else so the flag list in --help, the README and the code stay one list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lbsim {

/// Every scope the simulator knows: the demo client's default, and what new clients/API keys
/// get when the admin call names none.
inline constexpr const char* kAllScopes =
    "export-jobs:read export-jobs:write export-items:read export:read export:write accounting-entries:read installations:read installations:write chart-of-accounts:read chart-of-accounts:write tax-codes:read tax-codes:write tags:read tags:write vendors:read vendors:write subscriptions:read subscriptions:write companies:read employees:read";

struct Options {
    // serving
    int port = 0;                          // 0: the OS picks a free port
    bool plainHttp = false;                // --http
    std::string tlsDir;                    // where the CA and server cert live (created if absent)
    std::vector<std::string> hostnames;    // extra SANs, e.g. auth.staging.pleo.io
    int threads = 16;
    // data
    std::uint64_t seed = 42;
    std::uint64_t items = 50;              // export items per company
    int companies = 2;
    double invalidRate = 0.0;              // share of items deliberately invalid for export
    // oauth
    std::string clientId = "ledgerbridge-demo";
    std::string clientSecret = "demo-secret";
    std::string redirectUri = "http://127.0.0.1:8765/callback";
    std::string clientScopes = kAllScopes;
    std::string validateRequestsDir;  // --validate-requests DIR: the reference OpenAPI folder
    bool autoApprove = false;
    bool strictClientAuth = false;
    int tokenTtl = 900;                    // access token lifetime, simulated seconds
    int refreshTtl = 30 * 24 * 3600;       // refresh token lifetime, simulated seconds
    int codeTtl = 60;                      // authorization code lifetime, simulated seconds
    // jobs
    int jobTtl = 3600;                     // a job expires this long after lastUpdatedAt
    // time and faults
    double timeScale = 1.0;                // simulated seconds per real second
    int rateLimit = 600;                   // requests per minute per credential, 0 = off
    double faultRate = 0.0;
    std::vector<std::string> faults;       // 5xx,429,slow,drop,truncate
    std::uint64_t faultSeed = 1;
    int slowMs = 1500;
    bool quiet = false;
};

/// Parses argv. Throws std::invalid_argument with a sentence naming the bad flag.
/// Sets `helpRequested` when --help was given (the caller prints helpText()).
Options parseOptions(int argc, char** argv, bool& helpRequested);

/// The --help text, also copied into tests/simulator/README.md.
std::string helpText();

}  // namespace lbsim
