// How many token refreshes this process made per connection, and how many failed (the token
// endpoint refused or could not be reached). The service adds each run's difference to
// /metrics (ledgerbridge_token_refreshes_total{result}); nothing else reads them.
#pragma once

#include <cstdint>
#include <string>

namespace ledgerbridge::oauth {

struct RefreshCounts {
    std::int64_t ok = 0;
    std::int64_t failed = 0;
};

/// Counts one refresh of `connection`'s grant (any kind: Pleo's or the target's). Thread-safe.
void countRefresh(const std::string& connection, bool ok);
/// The counts so far for `connection` (zeros when it never refreshed).
RefreshCounts refreshCounts(const std::string& connection);

}  // namespace ledgerbridge::oauth
