// Client-credentials tokens, cached sealed in the store: see ClientCredentialsTokens.h.
#include "ledgerbridge/oauth/ClientCredentialsTokens.h"

#include <algorithm>

#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/store/Grants.h"

namespace ledgerbridge::oauth {
namespace {
constexpr std::int64_t kMaxMarginMs = 60000;  ///< as TokenManager: a quarter of the lifetime, at most 60 s
constexpr std::int64_t kDefaultLifetimeS = 3600;  ///< when the server names no expires_in

std::int64_t marginMs(std::int64_t lifetimeMs) {
    return lifetimeMs > 0 ? std::min(kMaxMarginMs, lifetimeMs / 4) : kMaxMarginMs;
}

}  // namespace

ClientCredentialsTokens::ClientCredentialsTokens(GrantKey key, std::string clientId, std::string scopes,
                                                 AuthorizationServerClient& client, store::StateStore& store,
                                                 const TokenCrypto& crypto)
    : key_(std::move(key)),
      clientId_(std::move(clientId)),
      scopes_(std::move(scopes)),
      client_(client),
      store_(store),
      crypto_(crypto),
      grantMutex_(processMutexFor("client-credentials:" + refreshLeaseName(key_))) {}

bool ClientCredentialsTokens::cachedUsable() const {
    return !accessToken_.empty() && expiresAt_ - store::nowMs() > marginMs(lifetimeMs_);
}

std::string ClientCredentialsTokens::accessToken() {
    std::lock_guard<std::mutex> lock(*grantMutex_);
    if (cachedUsable()) return accessToken_;
    // Another process (or an earlier run) may hold a token that is still good.
    if (auto g = store::Grants(store_).find(key_.connection, key_.fingerprint, key_.kind); g && !g->needsReauth) {
        const std::int64_t lifetime = g->accessExpiresAt - g->obtainedAt;
        if (g->accessExpiresAt - store::nowMs() > marginMs(lifetime) && g->clientId == clientId_) {
            try {
                accessToken_ = crypto_.open(g->accessToken, {key_.connection, key_.fingerprint, key_.kind});
                expiresAt_ = g->accessExpiresAt;
                lifetimeMs_ = lifetime;
                Redactor::global().addUntil(accessToken_, Redactor::Clock::time_point(std::chrono::milliseconds(expiresAt_)) +
                                                              kExpiredTokenMargin);
                return accessToken_;
            } catch (const std::exception& e) {
                // Sealed with another key: not ours to use; a new token replaces it.
                log::warn("The stored target token of connection '" + key_.connection + "' cannot be opened (" +
                          e.what() + "); requesting a new one.");
            }
        }
    }
    fetchLocked();
    return accessToken_;
}

std::string ClientCredentialsTokens::onUnauthorized(const std::string& rejectedHeader) {
    std::lock_guard<std::mutex> lock(*grantMutex_);
    if (!accessToken_.empty() && rejectedHeader != "Bearer " + accessToken_ && cachedUsable())
        return "Bearer " + accessToken_;
    fetchLocked();
    return "Bearer " + accessToken_;
}

void ClientCredentialsTokens::fetchLocked() {
    const TokenResponse t = client_.clientCredentials(scopes_);  // redacts the token it returns
    const std::int64_t now = store::nowMs();
    const std::int64_t lifetimeMs = (t.expiresIn > 0 ? t.expiresIn : kDefaultLifetimeS) * 1000;
    store::GrantRecord g;
    g.connection = key_.connection;
    g.fingerprint = key_.fingerprint;
    g.kind = key_.kind;
    g.subject = "client:" + clientId_;
    g.scopes = !t.scope.empty() ? t.scope : scopes_;
    g.clientId = clientId_;
    g.accessToken = crypto_.seal(t.accessToken, {key_.connection, key_.fingerprint, key_.kind});
    g.accessExpiresAt = now + lifetimeMs;
    g.obtainedAt = now;
    store::Grants(store_).put(g);
    accessToken_ = t.accessToken;
    expiresAt_ = g.accessExpiresAt;
    lifetimeMs_ = lifetimeMs;
    log::debug("Obtained a client-credentials token for connection '" + key_.connection + "'.",
               {{"expires_in_s", lifetimeMs / 1000}, {"kind", key_.kind}});
}

}  // namespace ledgerbridge::oauth
