// A small thread-safe metrics registry for /metrics: counters and gauges with labels, rendered
// in the Prometheus text exposition format (version 0.0.4) with HELP and TYPE lines and escaped
// label values. defineStandardMetrics() declares the families the service publishes.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ledgerbridge::service {

/// The families the service publishes (names follow Prometheus conventions).
namespace metric {
inline constexpr const char* kRuns = "ledgerbridge_runs_total";                          ///< {connection, outcome}
inline constexpr const char* kRunsSkipped = "ledgerbridge_runs_skipped_total";           ///< {connection, reason: overlap|lease_busy|store_error}
inline constexpr const char* kEntries = "ledgerbridge_entries_total";                    ///< {connection, outcome}
inline constexpr const char* kPleoRequests = "ledgerbridge_pleo_requests_total";         ///< {status}
inline constexpr const char* kTargetRequests = "ledgerbridge_target_requests_total";     ///< {plugin, status}
inline constexpr const char* kTokenRefreshes = "ledgerbridge_token_refreshes_total";     ///< {result: ok|failed}
inline constexpr const char* kLastSuccess = "ledgerbridge_last_successful_run_timestamp_seconds";  ///< {connection}
inline constexpr const char* kRunning = "ledgerbridge_run_in_progress";                  ///< {connection}
inline constexpr const char* kQuarantined = "ledgerbridge_plugin_quarantined";           ///< {plugin}
/// 1 while Pleo refuses to create the connection's automatic export jobs (MISSING_CONTRA_ACCOUNTS).
inline constexpr const char* kAutoExportBlocked = "ledgerbridge_auto_export_missing_contra_accounts";  ///< {connection}
inline constexpr const char* kWebhooks = "ledgerbridge_webhooks_total";                  ///< {result}
// Health an operator acts on (HealthMetrics.h): read from the state store when scraped.
inline constexpr const char* kNeedsReauth = "ledgerbridge_connection_needs_reauth";       ///< {connection}: 1 = `auth login` needed
inline constexpr const char* kGrantExpiry = "ledgerbridge_grant_expiry_timestamp_seconds";  ///< {connection}: NaN without an OAuth grant
inline constexpr const char* kNextRun = "ledgerbridge_next_run_timestamp_seconds";       ///< {connection}: NaN without a schedule
inline constexpr const char* kAttention = "ledgerbridge_connection_attention";            ///< {connection}: things a person must fix
inline constexpr const char* kBuildInfo = "ledgerbridge_build_info";                      ///< {version, state_schema, plugin_abi, ...} 1
}  // namespace metric

class Metrics {
public:
    enum class Type { Counter, Gauge };
    using Labels = std::vector<std::pair<std::string, std::string>>;

    /// Declares a family. Throws std::invalid_argument for a name that is not a valid
    /// Prometheus metric name, or when `name` exists with another type. Redefining with the
    /// same type is allowed (the help text is replaced).
    void define(const std::string& name, Type type, const std::string& help);

    /// Adds `by` (>= 0) to a counter series. Throws std::logic_error when `name` is not a
    /// defined counter, std::invalid_argument for a negative `by` or a bad label name.
    void increment(const std::string& name, const Labels& labels = {}, double by = 1.0);
    /// Sets a gauge series. Throws std::logic_error when `name` is not a defined gauge.
    void set(const std::string& name, const Labels& labels, double value);
    /// The current value of a series (0 when it does not exist yet).
    double value(const std::string& name, const Labels& labels = {}) const;
    /// Whether the series exists (was set or incremented, even by 0).
    bool has(const std::string& name, const Labels& labels = {}) const;

    /// Registers a function called at the start of every render() (outside the registry's lock)
    /// to refresh gauges read from elsewhere, e.g. plugin quarantine from the store. It must
    /// not throw; if it does, the exception is swallowed and the last values are rendered.
    void addCollector(std::function<void(Metrics&)> collector);

    /// The whole registry in the text exposition format, families and series sorted.
    std::string render();

private:
    struct Family {
        Type type = Type::Counter;
        std::string help;
        std::map<Labels, double> series;
    };
    Family& family(const std::string& name, Type type);

    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
    std::vector<std::function<void(Metrics&)>> collectors_;
};

/// Defines every family listed in `metric`.
void defineStandardMetrics(Metrics& metrics);

/// Label values escaped for the text format (backslash, double quote, newline).
std::string escapeLabelValue(const std::string& value);

}  // namespace ledgerbridge::service
