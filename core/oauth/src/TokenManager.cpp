// Single-flight, crash-safe token refresh: see TokenManager.h.
#include "ledgerbridge/oauth/TokenManager.h"

#include <map>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/oauth/TestHooks.h"
#include "ledgerbridge/store/Leases.h"

namespace ledgerbridge::oauth {
namespace {

std::shared_ptr<std::mutex> processMutexFor(const std::string& name) {
    static std::mutex registryMutex;
    static std::map<std::string, std::shared_ptr<std::mutex>> registry;
    std::lock_guard<std::mutex> lock(registryMutex);
    auto& m = registry[name];
    if (!m) m = std::make_shared<std::mutex>();
    return m;
}

SealContext sealContext(const GrantKey& k) { return {k.connection, k.fingerprint, k.kind}; }

}  // namespace

std::string refreshLeaseName(const GrantKey& key) {
    return "refresh:" + key.connection + ":" + key.fingerprint + (key.kind == "pleo" ? "" : ":" + key.kind);
}

std::string reauthorizationMessage(const std::string& connection, const std::string& why) {
    return "Connection '" + connection + "' needs re-authorisation: " + why +
           ". Run `ledgerbridge auth login --connection " + connection + "` to grant access again.";
}

namespace {
/// The command that (re)authorises `key`: Pleo's grant, or the target system's (--target).
std::string loginCommand(const GrantKey& key) {
    return "ledgerbridge auth login --connection " + key.connection + (key.kind == "pleo" ? "" : " --target");
}
std::string reauthorizationMessage(const GrantKey& key, const std::string& why) {
    return "Connection '" + key.connection + "'" + (key.kind == "pleo" ? "" : " (target " + key.kind + ")") +
           " needs re-authorisation: " + why + ". Run `" + loginCommand(key) + "` to grant access again.";
}
}  // namespace

TokenManager::TokenManager(GrantKey key, AuthorizationServerClient& client, store::StateStore& store,
                           const TokenCrypto& crypto, Options options)
    : key_(std::move(key)),
      client_(client),
      store_(store),
      crypto_(crypto),
      options_(options),
      grantMutex_(processMutexFor(refreshLeaseName(key_))) {}

TokenManager::TokenManager(GrantKey key, AuthorizationServerClient& client, store::StateStore& store,
                           const TokenCrypto& crypto)
    : TokenManager(std::move(key), client, store, crypto, Options{}) {}

store::GrantRecord TokenManager::loadUsable() {
    store::Grants grants(store_);
    auto g = grants.find(key_.connection, key_.fingerprint, key_.kind);
    if (!g) {
        auto others = grants.findAnyEnvironment(key_.connection, key_.kind);
        if (!others.empty())
            throw EnvironmentMismatchError(
                "Connection '" + key_.connection + "' was authorised in another environment, not in the selected one (" +
                key_.fingerprintDescription + "); its grant cannot be used here. Select that environment again, or run "
                "`" + loginCommand(key_) + "` to authorise it for this one.");
        throw AuthError("Connection '" + key_.connection + "'" + (key_.kind == "pleo" ? "" : " (target " + key_.kind + ")") +
                        " has not been authorised in this environment (" + key_.fingerprintDescription + "). Run `" +
                        loginCommand(key_) + "` first.");
    }
    if (g->needsReauth)
        throw ReauthorizationRequired(reauthorizationMessage(
            key_, g->reauthReason.empty() ? "its grant was revoked or expired" : g->reauthReason));
    return *g;
}

namespace {
/// The access token may be used (and so may appear) until it expires: redact it until then.
void redactUntilExpiry(const std::string& token, std::int64_t expiresAtMs) {
    if (token.size() < 6) return;
    Redactor::global().addUntil(token, Redactor::Clock::time_point(std::chrono::milliseconds(expiresAtMs)) +
                                           kExpiredTokenMargin);
}

/// Token decisions at debug level: what was decided, the token's remaining life and the grant's
/// generation, never the token.
void logTokenDecision(const std::string& decision, std::int64_t expiresAtMs, std::int64_t generation) {
    log::debug(decision, {{"expires_in_s", (expiresAtMs - store::nowMs()) / 1000}, {"grant_generation", generation}});
}
}  // namespace

void TokenManager::adopt(const store::GrantRecord& g) {
    accessToken_ = crypto_.open(g.accessToken, sealContext(key_));
    accessExpiresAt_ = g.accessExpiresAt;
    generation_ = g.generation;
    redactUntilExpiry(accessToken_, accessExpiresAt_);
}

std::string TokenManager::accessToken() {
    std::lock_guard<std::mutex> lock(*grantMutex_);
    const std::int64_t marginMs = static_cast<std::int64_t>(options_.refreshMargin.count()) * 1000;
    // The cached token is only trusted while this process's view is current: another process
    // may have refreshed (then ours still works until the server rotates it away, but the
    // stored one is fresher), so re-read the store when the cache is near expiry.
    if (!accessToken_.empty() && accessExpiresAt_ - store::nowMs() > marginMs) return accessToken_;
    store::GrantRecord g = loadUsable();
    if (g.accessExpiresAt - store::nowMs() > marginMs) {
        adopt(g);
        logTokenDecision("access token: using the one in the state store", g.accessExpiresAt, g.generation);
        return accessToken_;
    }
    logTokenDecision("access token: expires within the refresh margin; refreshing", g.accessExpiresAt, g.generation);
    refreshLocked(g.generation);
    return accessToken_;
}

std::string TokenManager::authorizationHeader() { return "Bearer " + accessToken(); }

std::string TokenManager::onUnauthorized(const std::string& rejectedHeader) {
    std::lock_guard<std::mutex> lock(*grantMutex_);
    // Another thread already replaced the rejected token: retry with the current one.
    if (!accessToken_.empty() && rejectedHeader != "Bearer " + accessToken_) return "Bearer " + accessToken_;
    std::int64_t known = generation_ >= 0 ? generation_ : loadUsable().generation;
    log::info("The API refused the access token of connection '" + key_.connection + "'; refreshing it once.");
    refreshLocked(known);
    return "Bearer " + accessToken_;
}

std::int64_t TokenManager::refresh(std::optional<std::int64_t> ifGeneration) {
    std::lock_guard<std::mutex> lock(*grantMutex_);
    return refreshLocked(ifGeneration);
}

std::int64_t TokenManager::currentGeneration() {
    auto g = store::Grants(store_).find(key_.connection, key_.fingerprint, key_.kind);
    return g ? g->generation : 0;
}

std::int64_t TokenManager::refreshLocked(std::optional<std::int64_t> ifGeneration) {
    store::Leases leases(store_);
    store::ScopedLease lease(leases, refreshLeaseName(key_), options_.leaseTtlMs, options_.leaseWaitMs,
                             "A token refresh of connection '" + key_.connection + "'");
    store::Grants grants(store_);
    store::GrantRecord g = loadUsable();
    if (ifGeneration && g.generation != *ifGeneration) {
        // Someone else refreshed while we waited for the lease: theirs is current.
        adopt(g);
        logTokenDecision("access token: another process refreshed it first; using theirs", g.accessExpiresAt,
                         g.generation);
        return g.generation;
    }
    const SealContext ctx = sealContext(key_);
    std::string refreshToken = crypto_.open(g.refreshToken, ctx);
    if (refreshToken.empty()) {
        grants.markNeedsReauth(key_.connection, key_.fingerprint, key_.kind, "no refresh token was issued");
        throw ReauthorizationRequired(reauthorizationMessage(key_, "the grant has no refresh token"));
    }
    testhooks::crashPoint("refresh:before_request");
    TokenResponse fresh;
    try {
        fresh = client_.refresh(refreshToken);
    } catch (const InvalidGrant& e) {
        std::string why = "the authorization server refused its refresh token (" + std::string(e.what()) + ")";
        grants.markNeedsReauth(key_.connection, key_.fingerprint, key_.kind, why);
        log::error(reauthorizationMessage(key_, why));
        throw ReauthorizationRequired(reauthorizationMessage(key_, why));
    }
    testhooks::crashPoint("refresh:after_response");
    const std::int64_t now = store::nowMs();
    store::GrantRecord next = g;
    next.accessToken = crypto_.seal(fresh.accessToken, ctx);
    // A server that does not rotate keeps the old refresh token valid.
    next.refreshToken = fresh.refreshToken.empty() ? g.refreshToken : crypto_.seal(fresh.refreshToken, ctx);
    next.accessExpiresAt = now + (fresh.expiresIn > 0 ? fresh.expiresIn : 3600) * 1000;
    if (!fresh.scope.empty()) next.scopes = fresh.scope;
    next.lastRefreshAt = now;
    testhooks::crashPoint("refresh:before_commit");
    bool committed = grants.commitRefresh(next, g.generation);
    testhooks::crashPoint("refresh:after_commit");
    if (!committed) {
        // Only possible when our lease expired and another process refreshed meanwhile; the
        // pair we hold may already be rotated away, so use what is stored.
        log::warn("The refreshed tokens of connection '" + key_.connection +
                  "' could not be stored because another process stored newer ones first; using those.");
        store::GrantRecord current = loadUsable();
        adopt(current);
        return current.generation;
    }
    accessToken_ = fresh.accessToken;
    accessExpiresAt_ = next.accessExpiresAt;
    generation_ = g.generation + 1;
    redactUntilExpiry(accessToken_, accessExpiresAt_);
    log::info("Refreshed the access token of connection '" + key_.connection + "'.",
              {{"valid_for_seconds", fresh.expiresIn}});
    return generation_;
}

}  // namespace ledgerbridge::oauth
