// A minimal valid local configuration shared by the config tests: one custom environment and
// one connection; lines a test appends start at line 13. Tests append lines or replace one.
#pragma once

namespace ledgerbridge::config::test {

inline const char* const kMinimalLocal = R"(environment = local
[state]
dir = state
token_key = env:LB_TEST_TOKEN_KEY
[environment.local]
auth_url = https://127.0.0.1:8443
api_url = https://127.0.0.1:8443
client_id = ledgerbridge-demo
client_secret = env:LB_TEST_CLIENT_SECRET
[connection.acme]
company_id = 6d1f3c2a-0b4e-4a8e-9c41-2f6b5d7e8a90
plugin = csv
)";

}  // namespace ledgerbridge::config::test
