// What an operator needs to know about each connection, read from the configuration and the
// state store only (no network, no running service): its Pleo grant, its installation as the
// last master-data sync left it, its schedule and next run, its last run and last successful
// run, and what needs a person — each with the command that fixes it. `ledgerbridge status`
// prints it; the service publishes it on /metrics (HealthMetrics.h) and /attention.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ledgerbridge::config {
struct Config;
}
namespace ledgerbridge::store {
class StateStore;
}

namespace ledgerbridge::service {

/// Something only a person can fix.
struct Attention {
    std::string reason;  ///< needs_reauth | target_needs_reauth | plugin_quarantined | last_run_failed | entries_rejected | missing_contra_accounts | bad_schedule
    std::string detail;  ///< what is wrong, in a sentence (no secrets: reports are redacted)
    std::string fix;     ///< the command (or the place in Pleo) that fixes it
};

struct ConnectionHealth {
    std::string connection;
    std::string companyId;
    std::string plugin;
    std::string credential;          ///< oauth | api_key
    /// ok | expired (access token past its expiry: refreshed by the next run, nothing to do) |
    /// needs_reauth | not_logged_in | api_key
    std::string grant;
    std::string grantDetail;         ///< e.g. the reason a re-authorisation is needed
    std::optional<std::int64_t> grantExpiresAtMs;  ///< the stored access token's expiry (OAuth only)
    bool needsReauth = false;        ///< Pleo's or the target's grant needs `auth login`
    /// ACTIVATED, PENDING_INTEGRATION, ... as the last successful sync left it; "not_synced"
    /// (OAuth, no sync yet) or "not_applicable" (API keys: Pleo has no installation for them).
    std::string installation;
    std::string schedule;            ///< as configured; "" = runs only on webhooks and `run`
    std::optional<std::int64_t> nextRunMs;  ///< nominal (without jitter), or as the scheduler planned it
    struct Run {
        std::string id;
        std::int64_t startedAtMs = 0;
        std::int64_t finishedAtMs = 0;  ///< 0: running, or the process died in it
        std::string outcome;
        std::string error;
        bool started = true;          ///< false: it ended before the export began
        std::int64_t rejected = 0;
    };
    std::optional<Run> lastRun;
    std::optional<std::int64_t> lastSuccessMs;  ///< end of the last ok / completed_with_errors run
    bool pluginQuarantined = false;
    std::vector<Attention> attention;
};

/// The next run of a connection as the running scheduler planned it (with jitter); nullopt:
/// compute the nominal time from the schedule.
using PlannedRun = std::function<std::optional<std::int64_t>(const std::string& connection)>;

/// Every configured connection, in configuration order. Never throws for one connection's
/// state: a part that cannot be read is reported in that connection's attention list.
std::vector<ConnectionHealth> assessConnections(const config::Config& config, store::StateStore& store,
                                                std::chrono::system_clock::time_point now,
                                                const PlannedRun& planned = {}, const std::string& zoneinfoDir = {});

/// The connections that need a person, as JSON: {"connections":[{connection, reason, detail,
/// fix}], "count": N} (the /attention endpoint and `status --json` share it).
std::string attentionJson(const std::vector<ConnectionHealth>& health);

}  // namespace ledgerbridge::service
