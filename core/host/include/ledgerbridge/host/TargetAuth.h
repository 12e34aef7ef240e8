// OAuth 2.0 for the target side of a connection: ERPs such as Xero authorise the connector
// with their own authorization code + PKCE flow and rotating refresh tokens. The host runs that
// flow and keeps those tokens exactly as it keeps Pleo's (sealed at rest, single-flight
// refresh across processes, committed before use, invalid_grant = log in again); the plugin
// only asks the host for an access token, or has the host add it to its requests.
//
// Endpoints and scopes come from the plugin's manifest (OAuthSpec) unless the connection's
// target.* keys override them; the client id and secret are the connection's target.client_id
// and target.client_secret. The grant is stored under the plugin's name as its kind and bound
// to a target fingerprint: the Pleo environment fingerprint plus the token endpoint and the
// target identity the plugin's manifest names (TargetIdentity.h) — or, when it names none, the
// tenant (setting tenant_id) — so a grant for one tenant (or company) is never used for another.
//
// With target.grant = client_credentials (service to service, e.g. Microsoft Entra for Business
// Central) there is no login: the host requests a token from the token URL with the client id,
// secret and scopes (offline_access dropped), keeps it sealed under the same key and requests a
// new one before it expires (oauth::ClientCredentialsTokens).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/oauth/ClientCredentialsTokens.h"
#include "ledgerbridge/oauth/LoginFlow.h"
#include "ledgerbridge/oauth/TokenManager.h"
#include "ledgerbridge/plugin.hpp"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::host {

class TargetAuth {
public:
    /// Throws ConfigError when the plugin has no OAuth needs and no endpoints are configured,
    /// or the connection has no target.client_id. `createKey` lets a missing token-key file be
    /// created (only `auth login` does that).
    TargetAuth(const config::Config& config, const config::Connection& connection,
               const std::optional<sdk::OAuthSpec>& manifestOAuth, store::StateStore& store, bool createKey = false,
               const std::string& targetIdentity = {});
    ~TargetAuth();

    /// Whether `connection` needs target OAuth for a plugin with `manifestOAuth`.
    static bool needed(const config::Connection& connection, const std::optional<sdk::OAuthSpec>& manifestOAuth);

    /// `ledgerbridge auth login --connection NAME --target`. Throws UsageError for a
    /// client-credentials connection (nothing to log in).
    oauth::LoginResult login(const oauth::LoginOptions& options, std::ostream& out);
    /// A valid access token for the target (refreshing when due). Throws like TokenManager.
    std::string accessToken();
    const oauth::GrantKey& key() const { return spec_.key; }
    const oauth::LoginSpec& spec() const { return spec_; }
    /// `scopes` without offline_access (a client-credentials request asks for no refresh token).
    static std::string clientCredentialsScopes(const std::string& scopes);

private:
    store::StateStore& store_;
    oauth::LoginSpec spec_;
    std::unique_ptr<http::HttpTransport> transport_;
    std::unique_ptr<oauth::AuthorizationServerClient> client_;
    std::unique_ptr<oauth::TokenCrypto> crypto_;
    std::unique_ptr<oauth::TokenManager> tokens_;                      ///< authorization_code
    std::unique_ptr<oauth::ClientCredentialsTokens> clientTokens_;    ///< client_credentials
};

}  // namespace ledgerbridge::host
