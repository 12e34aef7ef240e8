// Configuration to credential wiring: see ConnectionAuth.h.
#include "ledgerbridge/oauth/ConnectionAuth.h"

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Secret.h"

namespace ledgerbridge::oauth {

AuthorizationServerClient makeClient(const config::EnvironmentProfile& profile, HttpTransport& transport) {
    config::SecretRef secretRef = profile.clientSecret;
    std::string environment = profile.name;
    ClientCredentials creds{profile.clientId,
                            [secretRef, environment]() -> std::string {
                                if (secretRef.empty())
                                    throw ConfigError("[environment." + environment +
                                                      "] has no client_secret; add client_secret = file:/path or "
                                                      "env:VARIABLE with the OAuth client's secret.");
                                return config::resolveSecret(secretRef);
                            },
                            environment};
    return AuthorizationServerClient(Endpoints::fromIssuer(profile.authUrl), creds, transport);
}

GrantKey grantKeyFor(const config::Config& config, const config::Connection& connection) {
    config::Fingerprint fp = config::environmentFingerprint(config.activeProfile(), connection.companyId);
    return {connection.name, fp.value, fp.description, "pleo"};
}

ConnectionAuth::ConnectionAuth(const config::Config& config, const std::string& connection, store::StateStore& store,
                               bool createKey)
    : config_(config),
      connection_(config.connection(connection)),
      profile_(config.activeProfile()),
      fingerprint_(config::environmentFingerprint(profile_, connection_.companyId)) {
    if (connection_.credential == "api_key") {
        // No token endpoint is ever called for an API key: its transport and OAuth client are
        // built only if someone asks for them (client(), transport()).
        apiKey_ = std::make_unique<ApiKeyAuthorization>(connection_.name, config::resolveSecret(connection_.apiKey));
        return;
    }
    crypto_ = std::make_unique<TokenCrypto>(loadTokenKey(config_.tokenKey, createKey, &keyCreated_));
    TokenManager::Options options;
    options.tokenTimeout = std::chrono::seconds(profile_.tokenTimeoutSeconds);
    options.timeoutSetting = "token_timeout of [environment." + profile_.name + "]";
    tokens_ = std::make_unique<TokenManager>(grantKeyFor(config_, connection_), client(), store, *crypto_, options);
}

AuthorizationServerClient& ConnectionAuth::client() {
    if (!client_) client_ = std::make_unique<AuthorizationServerClient>(makeClient(profile_, transport()));
    return *client_;
}

HttpTransport& ConnectionAuth::transport() {
    // Token requests wait as long as token_timeout says; the refresh lease is derived from it.
    if (!transport_) transport_ = std::make_unique<PocoHttpTransport>(profile_, profile_.tokenTimeoutSeconds);
    return *transport_;
}

ConnectionAuth::~ConnectionAuth() = default;

AuthorizationSource& ConnectionAuth::source() {
    if (apiKey_) return *apiKey_;
    return *tokens_;
}

TokenManager& ConnectionAuth::tokens() {
    if (!tokens_)
        throw UsageError("Connection '" + connection_.name +
                         "' uses an API key (credential = api_key); it has no OAuth tokens.");
    return *tokens_;
}

const TokenCrypto& ConnectionAuth::crypto() {
    if (!crypto_)
        throw UsageError("Connection '" + connection_.name +
                         "' uses an API key (credential = api_key); it has no OAuth tokens.");
    return *crypto_;
}

}  // namespace ledgerbridge::oauth
