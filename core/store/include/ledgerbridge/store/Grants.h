// OAuth grants per connection and environment fingerprint. Token values arrive here already
// encrypted (the oauth module seals them with AES-256-GCM); the store never sees them in clear.
// `generation` increases with every committed refresh, so a writer can detect that another
// process refreshed in between (compare-and-swap).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct GrantRecord {
    std::string connection;
    std::string fingerprint;
    std::string kind = "pleo";     ///< "pleo", or the target side ("xero", ...)
    std::string subject;           ///< e.g. urn:pleo:company:<uuid> from introspection
    std::string scopes;
    std::string clientId;
    std::string accessToken;       ///< sealed bytes
    std::string refreshToken;      ///< sealed bytes
    std::int64_t accessExpiresAt = 0;  ///< ms since epoch
    std::int64_t obtainedAt = 0;
    std::int64_t lastRefreshAt = 0;
    std::int64_t generation = 0;
    bool needsReauth = false;
    std::string reauthReason;
};

class Grants {
public:
    explicit Grants(StateStore& store) : store_(store) {}

    std::optional<GrantRecord> find(const std::string& connection, const std::string& fingerprint,
                                     const std::string& kind = "pleo");
    /// Grants of `connection` under any fingerprint (to explain an environment mismatch).
    std::vector<GrantRecord> findAnyEnvironment(const std::string& connection, const std::string& kind = "pleo");

    /// Stores a fresh grant (after login), replacing any previous one; generation becomes
    /// previous + 1 and needs_reauth is cleared.
    void put(const GrantRecord& grant);

    /// Commits a refreshed token pair only if the stored generation is still `expectedGeneration`.
    /// Returns false (and writes nothing) when another writer got there first.
    bool commitRefresh(const GrantRecord& refreshed, std::int64_t expectedGeneration);

    /// Marks the grant unusable until `auth login` (invalid_grant, revoked). Tokens are erased.
    void markNeedsReauth(const std::string& connection, const std::string& fingerprint, const std::string& kind,
                         const std::string& reason);

    /// Forgets the grant (auth logout). Returns whether one existed.
    bool erase(const std::string& connection, const std::string& fingerprint, const std::string& kind = "pleo");

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
