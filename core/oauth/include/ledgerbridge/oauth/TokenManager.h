// Access tokens for one connection's OAuth grant, for the export engine and every other
// caller. Refreshes proactively (when less than the margin remains: a quarter of the token's
// lifetime, at most `refreshMargin`) and reactively (after a 401, once). Refresh is single-flight per grant across threads (a process-wide mutex per
// grant) and processes (the store lease `refresh:<connection>:<fingerprint>`): after taking
// the lease the grant is re-read, and if its generation moved another process refreshed and
// its tokens are used. The rotated pair is committed to the store (Grants::commitRefresh)
// before the new access token is returned, so a crash can never lose a refresh token that the
// server already considers current, except between the server's answer and the commit (then
// the next refresh gets invalid_grant and the connection says "needs re-authorisation").
// `invalid_grant` marks the grant and throws ReauthorizationRequired; it is never retried.
// A refresh whose answer was lost after it was sent marks the grant the same way: the server
// may have rotated the refresh token, and presenting it again would be a replay.
// The lease outlives the token request: its TTL is the token timeout plus a margin, and it is
// renewed while the request is in flight; another process waits for it (twice the timeout plus
// the margin) and then uses the tokens the holder stored.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/oauth/AuthorizationServerClient.h"
#include "ledgerbridge/oauth/AuthorizationSource.h"
#include "ledgerbridge/oauth/TokenCrypto.h"
#include "ledgerbridge/store/Grants.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::oauth {

/// Which grant: a connection in one environment (fingerprint), on one side ("pleo", "xero").
struct GrantKey {
    std::string connection;
    std::string fingerprint;
    std::string fingerprintDescription;  ///< for messages
    std::string kind = "pleo";
};

/// The name of the refresh lease of `key` in the store.
std::string refreshLeaseName(const GrantKey& key);

/// The process-wide mutex named `name` (created on first use), shared by every token source of
/// one grant in the process.
std::shared_ptr<std::mutex> processMutexFor(const std::string& name);
/// The sentence and command shown when a connection must be authorised again.
std::string reauthorizationMessage(const std::string& connection, const std::string& why);

class TokenManager : public AuthorizationSource {
public:
    struct Options {
        /// Refresh when less than this remains, or less than `refreshFraction` of the token's
        /// lifetime, whichever is smaller: a 60-second token is used for 45 seconds, a
        /// 15-minute one for 14.
        std::chrono::seconds refreshMargin{60};
        double refreshFraction = 0.25;
        /// The token endpoint's timeout (the transport's, from token_timeout); the refresh
        /// lease's TTL and the wait for another process's refresh are derived from it.
        std::chrono::seconds tokenTimeout{30};
        /// Where token_timeout is configured, for messages ("[environment.sim]").
        std::string timeoutSetting = "token_timeout";
    };

    /// The refresh lease's TTL and how long a second refresher waits for it, for `tokenTimeout`.
    struct LeaseTiming {
        std::int64_t ttlMs;
        std::int64_t waitMs;
    };
    static LeaseTiming leaseTiming(std::chrono::seconds tokenTimeout);

    /// How long before expiry a token of `lifetimeMs` is refreshed (`lifetimeMs` <= 0: unknown).
    std::int64_t refreshMarginMs(std::int64_t lifetimeMs) const;

    /// `client`, `store` and `crypto` are not owned and must outlive the manager.
    TokenManager(GrantKey key, AuthorizationServerClient& client, store::StateStore& store, const TokenCrypto& crypto,
                 Options options);
    TokenManager(GrantKey key, AuthorizationServerClient& client, store::StateStore& store, const TokenCrypto& crypto);

    /// A valid access token (refreshing first when it expires within the margin).
    /// Throws ReauthorizationRequired (grant gone or refused), EnvironmentMismatchError (the
    /// connection only has a grant for another environment), AuthError (never logged in, key
    /// mismatch), NetworkError, LockBusyError (another process holds the refresh too long).
    std::string accessToken();

    /// "Bearer " + accessToken().
    std::string authorizationHeader() override;

    /// See AuthorizationSource: refreshes unless the rejected token is no longer current.
    std::string onUnauthorized(const std::string& rejectedHeader) override;

    /// Refreshes now, unless another thread or process already refreshed after generation
    /// `ifGeneration` (then uses its tokens). Without `ifGeneration`, refreshes unconditionally.
    /// Returns the generation now stored. Throws like accessToken().
    std::int64_t refresh(std::optional<std::int64_t> ifGeneration = std::nullopt);

    /// The stored generation (0 when there is no grant).
    std::int64_t currentGeneration();

    const GrantKey& key() const { return key_; }

private:
    store::GrantRecord loadUsable();
    void adopt(const store::GrantRecord& g);
    std::int64_t refreshLocked(std::optional<std::int64_t> ifGeneration);

    GrantKey key_;
    AuthorizationServerClient& client_;
    store::StateStore& store_;
    const TokenCrypto& crypto_;
    Options options_;
    std::shared_ptr<std::mutex> grantMutex_;  ///< shared by every manager of this grant in the process
    // Cached current token (guarded by grantMutex_).
    std::string accessToken_;
    std::int64_t accessExpiresAt_ = 0;
    std::int64_t accessLifetimeMs_ = 0;  ///< as issued (expires_in), 0 when unknown
    std::int64_t generation_ = -1;
};

}  // namespace ledgerbridge::oauth
