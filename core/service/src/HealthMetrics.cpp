// Per-connection series from start, and health gauges from the store: see HealthMetrics.h.
#include "ledgerbridge/service/HealthMetrics.h"

#include <limits>

namespace ledgerbridge::service {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double seconds(const std::optional<std::int64_t>& ms) { return ms ? static_cast<double>(*ms / 1000) : kNaN; }

}  // namespace

void initConnectionSeries(Metrics& m, const std::string& connection) {
    const Metrics::Labels conn{{"connection", connection}};
    for (const auto& outcome : entryOutcomes()) m.increment(metric::kEntries, {{"connection", connection}, {"outcome", outcome}}, 0);
    for (const char* gauge : {metric::kNeedsReauth, metric::kAttention, metric::kRunning, metric::kAutoExportBlocked})
        if (!m.has(gauge, conn)) m.set(gauge, conn, 0);
    for (const char* time : {metric::kGrantExpiry, metric::kLastSuccess, metric::kNextRun})
        if (!m.has(time, conn)) m.set(time, conn, kNaN);
}

void initServiceSeries(Metrics& m, const std::vector<std::pair<std::string, std::string>>& buildInfo) {
    m.increment(metric::kTokenRefreshes, {{"result", "ok"}}, 0);
    m.increment(metric::kTokenRefreshes, {{"result", "failed"}}, 0);
    m.set(metric::kBuildInfo, buildInfo, 1);
}

void publishHealth(Metrics& m, const std::vector<ConnectionHealth>& health) {
    for (const auto& h : health) {
        const Metrics::Labels conn{{"connection", h.connection}};
        m.set(metric::kNeedsReauth, conn, h.needsReauth ? 1 : 0);
        m.set(metric::kGrantExpiry, conn, seconds(h.grantExpiresAtMs));
        m.set(metric::kLastSuccess, conn, seconds(h.lastSuccessMs));
        m.set(metric::kNextRun, conn, seconds(h.nextRunMs));
        m.set(metric::kAttention, conn, static_cast<double>(h.attention.size()));
    }
}

}  // namespace ledgerbridge::service
