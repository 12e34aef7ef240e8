// Single-flight, crash-safe token refresh: see TokenManager.h.
#include "ledgerbridge/oauth/TokenManager.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <thread>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"
#include "ledgerbridge/http/HttpTransport.h"
#include "ledgerbridge/oauth/RefreshCounts.h"
#include "ledgerbridge/oauth/TestHooks.h"
#include "ledgerbridge/store/Leases.h"

namespace ledgerbridge::oauth {
namespace {

SealContext sealContext(const GrantKey& k) { return {k.connection, k.fingerprint, k.kind}; }

/// What the lease adds to the token timeout: the store writes around the request and a slow
/// renewal.
constexpr std::int64_t kLeaseMarginMs = 15000;

/// Renews the refresh lease while a token request is in flight (every third of its TTL), so the
/// lease outlives the request however long the server takes: no other process sees it expire
/// and presents the same refresh token meanwhile.
class LeaseKeeper {
public:
    LeaseKeeper(store::StateStore& store, std::string name, std::int64_t ttlMs)
        : store_(store), name_(std::move(name)), ttlMs_(ttlMs), thread_([this] { keep(); }) {}
    ~LeaseKeeper() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    LeaseKeeper(const LeaseKeeper&) = delete;
    LeaseKeeper& operator=(const LeaseKeeper&) = delete;

private:
    void keep() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!wake_.wait_for(lock, std::chrono::milliseconds(ttlMs_ / 3), [this] { return stop_; })) {
            try {
                if (store::Leases(store_).renew(name_, ttlMs_))
                    log::debug("Renewed the refresh lease while the token request is in flight.", {{"lease", name_}});
                else
                    log::warn("The refresh lease '" + name_ + "' was lost while its token request was in flight.");
            } catch (const std::exception& e) {
                log::warn("The refresh lease '" + name_ + "' could not be renewed: " + std::string(e.what()));
            }
        }
    }

    store::StateStore& store_;
    const std::string name_;
    const std::int64_t ttlMs_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;  // last: started once the members above exist
};

}  // namespace

TokenManager::LeaseTiming TokenManager::leaseTiming(std::chrono::seconds tokenTimeout) {
    const std::int64_t timeoutMs = static_cast<std::int64_t>(tokenTimeout.count()) * 1000;
    // The holder may spend the timeout connecting and the timeout again waiting for the answer.
    return {timeoutMs + kLeaseMarginMs, 2 * timeoutMs + kLeaseMarginMs};
}

std::int64_t TokenManager::refreshMarginMs(std::int64_t lifetimeMs) const {
    const std::int64_t capMs = static_cast<std::int64_t>(options_.refreshMargin.count()) * 1000;
    if (lifetimeMs <= 0) return capMs;
    return std::min(capMs, static_cast<std::int64_t>(static_cast<double>(lifetimeMs) * options_.refreshFraction));
}

std::shared_ptr<std::mutex> processMutexFor(const std::string& name) {
    static std::mutex registryMutex;
    static std::map<std::string, std::shared_ptr<std::mutex>> registry;
    std::lock_guard<std::mutex> lock(registryMutex);
    auto& m = registry[name];
    if (!m) m = std::make_shared<std::mutex>();
    return m;
}

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

namespace {
/// The lifetime the stored access token was issued with (its expiry minus when it was
/// obtained or last refreshed); 0 when the record does not say.
std::int64_t issuedLifetimeMs(const store::GrantRecord& g) {
    const std::int64_t issuedAt = std::max(g.obtainedAt, g.lastRefreshAt);
    return issuedAt > 0 && g.accessExpiresAt > issuedAt ? g.accessExpiresAt - issuedAt : 0;
}
}  // namespace

void TokenManager::adopt(const store::GrantRecord& g) {
    accessToken_ = crypto_.open(g.accessToken, sealContext(key_));
    accessExpiresAt_ = g.accessExpiresAt;
    accessLifetimeMs_ = issuedLifetimeMs(g);
    generation_ = g.generation;
    redactUntilExpiry(accessToken_, accessExpiresAt_);
}

std::string TokenManager::accessToken() {
    std::lock_guard<std::mutex> lock(*grantMutex_);
    // The cached token is only trusted while this process's view is current: another process
    // may have refreshed (then ours still works until the server rotates it away, but the
    // stored one is fresher), so re-read the store when the cache is near expiry.
    if (!accessToken_.empty() && accessExpiresAt_ - store::nowMs() > refreshMarginMs(accessLifetimeMs_))
        return accessToken_;
    store::GrantRecord g = loadUsable();
    const std::int64_t leftMs = g.accessExpiresAt - store::nowMs(), marginMs = refreshMarginMs(issuedLifetimeMs(g));
    if (leftMs > marginMs) {
        adopt(g);
        logTokenDecision("access token: using the one in the state store", g.accessExpiresAt, g.generation);
        return accessToken_;
    }
    log::debug("The access token of connection '" + key_.connection + "' is within its refresh margin; refreshing.",
               {{"left_ms", leftMs}, {"margin_ms", marginMs}});
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
    const LeaseTiming timing = leaseTiming(options_.tokenTimeout);
    store::ScopedLease lease(leases, refreshLeaseName(key_), timing.ttlMs, timing.waitMs,
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
    auto spent = [&](const std::string& why) {
        grants.markNeedsReauth(key_.connection, key_.fingerprint, key_.kind, why);
        log::error(reauthorizationMessage(key_, why));
        return ReauthorizationRequired(reauthorizationMessage(key_, why));
    };
    try {
        LeaseKeeper keeper(store_, refreshLeaseName(key_), timing.ttlMs);
        fresh = client_.refresh(refreshToken);
    } catch (const InvalidGrant& e) {
        countRefresh(key_.connection, false);
        throw spent("the authorization server refused its refresh token (" + std::string(e.what()) + ")");
    } catch (const http::ResponseLostError& e) {
        countRefresh(key_.connection, false);
        // The server may have rotated: the stored refresh token is then spent, and sending it
        // again (from here or another process) would be a replay that revokes the grant.
        throw spent("its token refresh reached the authorization server but the answer was lost (" + e.detail() +
                    (e.timedOut() ? "; " + options_.timeoutSetting + " is " +
                                        std::to_string(options_.tokenTimeout.count()) + "s"
                                  : std::string()) +
                    "), so the refresh token it sent is spent if the server rotated it; it is not sent again, since "
                    "a replayed refresh token makes the server revoke the grant");
    } catch (...) {
        countRefresh(key_.connection, false);  // unreachable, timed out, refused the client: for /metrics
        throw;
    }
    countRefresh(key_.connection, true);
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
    accessLifetimeMs_ = next.accessExpiresAt - now;
    generation_ = g.generation + 1;
    redactUntilExpiry(accessToken_, accessExpiresAt_);
    log::info("Refreshed the access token of connection '" + key_.connection + "'.",
              {{"valid_for_seconds", fresh.expiresIn}});
    return generation_;
}

}  // namespace ledgerbridge::oauth
