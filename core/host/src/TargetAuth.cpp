// Target-side OAuth: see TargetAuth.h.
#include "ledgerbridge/host/TargetAuth.h"

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Secret.h"
#include "ledgerbridge/oauth/AuthorizationServerClient.h"
#include "ledgerbridge/http/HttpTransport.h"

#include <sstream>

namespace ledgerbridge::host {

bool TargetAuth::needed(const config::Connection& connection, const std::optional<sdk::OAuthSpec>& manifestOAuth) {
    return manifestOAuth.has_value() || connection.target.configured();
}

TargetAuth::TargetAuth(const config::Config& config, const config::Connection& connection,
                       const std::optional<sdk::OAuthSpec>& manifestOAuth, store::StateStore& store, bool createKey,
                       const std::string& targetIdentity)
    : store_(store) {
    const config::TargetOAuth& t = connection.target;
    const std::string section = "[connection." + connection.name + "]";
    if (!t.configured())
        throw ConfigError(section + " needs target.client_id and target.client_secret: plugin '" + connection.plugin +
                          "' authorises with its target system by OAuth 2.0. Register an OAuth app with the target "
                          "(redirect URI " + (t.redirectUri.empty() ? config.activeProfile().redirectUri : t.redirectUri) +
                          ") and put its client id and a reference to its secret there.");
    oauth::Endpoints endpoints;
    endpoints.authorize = !t.authorizeUrl.empty() ? t.authorizeUrl : manifestOAuth ? manifestOAuth->authorizeUrl : "";
    endpoints.token = !t.tokenUrl.empty() ? t.tokenUrl : manifestOAuth ? manifestOAuth->tokenUrl : "";
    // Client credentials use the token endpoint only: no browser, no authorize URL.
    if ((endpoints.authorize.empty() && !t.clientCredentials()) || endpoints.token.empty())
        throw ConfigError(section + ": plugin '" + connection.plugin + "' declares no OAuth endpoints; set " +
                          (t.clientCredentials() ? "target.token_url." : "target.authorize_url and target.token_url."));
    std::string tenant = targetIdentity;  // what the manifest names, else the tenant as before
    if (auto it = connection.settings.find("tenant_id"); tenant.empty() && it != connection.settings.end())
        tenant = it->second.value;
    config::Fingerprint fp = config::environmentFingerprint(config.activeProfile(), connection.companyId,
                                                            endpoints.token + (tenant.empty() ? "" : "#" + tenant));

    spec_.title = "'" + connection.name + "' to its target system (" + connection.plugin + ")";
    spec_.redirectUri = !t.redirectUri.empty() ? t.redirectUri : config.activeProfile().redirectUri;
    spec_.scopes = !t.scopes.empty() ? t.scopes : manifestOAuth ? manifestOAuth->scopes : "";
    spec_.clientId = t.clientId;
    spec_.key = {connection.name, fp.value, fp.description, connection.plugin};
    spec_.command = "ledgerbridge auth login --connection " + connection.name + " --target";
    spec_.redirectHint = section + " (target.redirect_uri)";
    spec_.introspect = false;  // providers such as Xero have no RFC 7662 endpoint for clients

    // TLS as everywhere: system CAs, plus target.ca_file for a local test double.
    config::EnvironmentProfile transportProfile;
    transportProfile.name = "target of " + connection.name;
    transportProfile.caFile = t.caFile;
    transportProfile.allowHttp = false;
    transport_ = std::make_unique<http::PocoHttpTransport>(transportProfile);
    config::SecretRef secretRef = t.clientSecret;
    oauth::ClientCredentials creds{t.clientId,
                                   [secretRef, section]() -> std::string {
                                       if (secretRef.empty())
                                           throw ConfigError(section + " has no target.client_secret.");
                                       return config::resolveSecret(secretRef);
                                   },
                                   section};
    client_ = std::make_unique<oauth::AuthorizationServerClient>(endpoints, creds, *transport_);
    crypto_ = std::make_unique<oauth::TokenCrypto>(oauth::loadTokenKey(config.tokenKey, createKey, nullptr));
    if (t.clientCredentials())
        clientTokens_ = std::make_unique<oauth::ClientCredentialsTokens>(
            spec_.key, t.clientId, clientCredentialsScopes(spec_.scopes), *client_, store_, *crypto_);
    else
        tokens_ = std::make_unique<oauth::TokenManager>(spec_.key, *client_, store_, *crypto_);
}

std::string TargetAuth::clientCredentialsScopes(const std::string& scopes) {
    // offline_access asks for a refresh token, which this grant never issues; Entra refuses it
    // here (a service-to-service scope is the resource's ".default" alone).
    std::istringstream words(scopes);
    std::string out;
    for (std::string w; words >> w;)
        if (w != "offline_access") out += (out.empty() ? "" : " ") + w;
    return out;
}

TargetAuth::~TargetAuth() = default;

oauth::LoginResult TargetAuth::login(const oauth::LoginOptions& options, std::ostream& out) {
    if (clientTokens_)
        throw UsageError("Connection '" + spec_.key.connection + "' gets its target token by client credentials "
                         "(target.grant = client_credentials): the host requests it itself, no login is needed.");
    oauth::LoginFlow flow(spec_, *client_, store_, *crypto_, out);
    return flow.run(options);
}

std::string TargetAuth::accessToken() { return clientTokens_ ? clientTokens_->accessToken() : tokens_->accessToken(); }

}  // namespace ledgerbridge::host
