// The per-connection series of /metrics: created for every connection when the service starts
// (and on reload), so an alert on a series never waits for its first run, and refreshed from
// ConnectionHealth (the state store) when /metrics is scraped.
//
// Start values: counters 0; ledgerbridge_connection_needs_reauth, ..._connection_attention and
// ..._run_in_progress 0; timestamps (grant expiry, last successful run, next run) NaN until
// there is one. The first scrape replaces them with what the store holds.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/service/ConnectionHealth.h"
#include "ledgerbridge/service/Metrics.h"

namespace ledgerbridge::service {

/// The entry outcomes counted per connection in ledgerbridge_entries_total{outcome}.
inline const std::vector<std::string>& entryOutcomes() {
    static const std::vector<std::string> kOutcomes{"posted", "already_posted", "rejected", "undelivered"};
    return kOutcomes;
}

/// Creates every series of `connection` at its start value (see above); existing values stay.
void initConnectionSeries(Metrics& metrics, const std::string& connection);
/// Creates the series not tied to a connection: token refreshes {ok, failed}, build info.
void initServiceSeries(Metrics& metrics, const std::vector<std::pair<std::string, std::string>>& buildInfo);
/// Sets the health gauges of each connection from `health`.
void publishHealth(Metrics& metrics, const std::vector<ConnectionHealth>& health);

}  // namespace ledgerbridge::service
