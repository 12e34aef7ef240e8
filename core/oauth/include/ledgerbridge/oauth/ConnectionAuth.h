// The one place that turns configuration into a working credential for a connection: the
// transport (TLS with the profile's CA), the OAuth client with the profile's endpoints and
// secret reference, the token key, and either a TokenManager (credential = oauth) or an
// ApiKeyAuthorization (credential = api_key). The export engine and the CLI both start here.
#pragma once

#include <memory>
#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/oauth/AuthorizationServerClient.h"
#include "ledgerbridge/oauth/AuthorizationSource.h"
#include "ledgerbridge/http/HttpTransport.h"
#include "ledgerbridge/oauth/TokenCrypto.h"
#include "ledgerbridge/oauth/TokenManager.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::oauth {

/// The OAuth client of the active profile (endpoints from auth_url, client secret from its
/// reference, read only when a token request is made). `transport` is not owned.
AuthorizationServerClient makeClient(const config::EnvironmentProfile& profile, HttpTransport& transport);

/// The grant key of `connection` in the active profile.
GrantKey grantKeyFor(const config::Config& config, const config::Connection& connection);

class ConnectionAuth {
public:
    /// `config` and `store` are not owned and must outlive this object. `createKey` lets a
    /// missing token-key file be created (only `auth login` does that). Throws ConfigError
    /// (unknown connection, unusable token key or CA file).
    ConnectionAuth(const config::Config& config, const std::string& connection, store::StateStore& store,
                   bool createKey = false);
    ~ConnectionAuth();

    const config::Connection& connection() const { return connection_; }
    const config::EnvironmentProfile& profile() const { return profile_; }
    const config::Fingerprint& fingerprint() const { return fingerprint_; }
    /// Whether constructing this object created the token-key file.
    bool keyCreated() const { return keyCreated_; }

    /// The credential to send to the Pleo API (TokenManager or API key).
    AuthorizationSource& source();
    /// The TokenManager; throws UsageError for an api_key connection.
    TokenManager& tokens();
    /// The OAuth client and its transport to the token endpoint, built on first use (an API-key
    /// connection that never asks builds neither).
    AuthorizationServerClient& client();
    HttpTransport& transport();
    /// Throws UsageError for an api_key connection (it has no token key requirement).
    const TokenCrypto& crypto();

private:
    const config::Config& config_;
    const config::Connection& connection_;
    const config::EnvironmentProfile& profile_;
    config::Fingerprint fingerprint_;
    bool keyCreated_ = false;
    std::unique_ptr<HttpTransport> transport_;
    std::unique_ptr<AuthorizationServerClient> client_;
    std::unique_ptr<TokenCrypto> crypto_;
    std::unique_ptr<TokenManager> tokens_;
    std::unique_ptr<ApiKeyAuthorization> apiKey_;
};

}  // namespace ledgerbridge::oauth
