// Reading each connection's health from the configuration and the state store: see
// ConnectionHealth.h. Every rule that puts a connection on the attention list is here, with its
// fix, so `status`, /metrics and /attention cannot disagree.
#include "ledgerbridge/service/ConnectionHealth.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <optional>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/service/Schedule.h"
#include "ledgerbridge/store/Grants.h"
#include "ledgerbridge/store/MasterDataState.h"
#include "ledgerbridge/store/PluginHealth.h"
#include "ledgerbridge/store/Runs.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::service {
namespace {

std::int64_t toMs(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Poco::JSON::Object::Ptr parseObject(const std::string& json) {
    try {
        return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        return nullptr;
    }
}

ConnectionHealth::Run runOf(const store::RunRecord& r) {
    ConnectionHealth::Run run;
    run.id = r.id;
    run.startedAtMs = r.startedAt;
    run.finishedAtMs = r.finishedAt;
    run.outcome = r.finishedAt ? r.outcome : "unfinished";
    if (auto report = parseObject(r.reportJson)) {
        run.error = report->optValue<std::string>("error", "");
        run.started = report->optValue<bool>("started", true);
        if (auto totals = report->getObject("totals")) run.rejected = totals->optValue<std::int64_t>("rejected", 0);
    }
    return run;
}

std::string loginCommand(const std::string& connection, bool target = false) {
    return "ledgerbridge auth login --connection " + connection + (target ? " --target" : "");
}

/// Pleo's grant (or API key) of the connection.
void assessGrant(const config::Connection& c, const std::string& fingerprint, store::StateStore& store,
                 std::int64_t nowMs, ConnectionHealth& h) {
    if (c.credential == "api_key") {
        h.grant = "api_key";
        return;
    }
    store::Grants grants(store);
    const auto g = grants.find(c.name, fingerprint);
    if (!g) {
        h.grant = "not_logged_in";
        h.needsReauth = true;
        h.grantDetail = grants.findAnyEnvironment(c.name).empty() ? "never logged in"
                                                                  : "logged in only in another environment";
        h.attention.push_back({"needs_reauth", "no Pleo grant in this environment (" + h.grantDetail + ")",
                               loginCommand(c.name)});
        return;
    }
    h.grantExpiresAtMs = g->accessExpiresAt;
    if (g->needsReauth) {
        h.grant = "needs_reauth";
        h.needsReauth = true;
        h.grantDetail = g->reauthReason;
        h.attention.push_back({"needs_reauth", "Pleo's grant is no longer usable: " + g->reauthReason, loginCommand(c.name)});
        return;
    }
    h.grant = g->accessExpiresAt > nowMs ? "ok" : "expired";
    if (h.grant == "expired") h.grantDetail = "the access token has expired; the next run refreshes it";
}

/// The target system's own OAuth grant (plugins such as xero), stored under the plugin's name.
/// TargetAuth keys it by the Pleo environment plus the token endpoint and the target identity
/// the plugin's manifest names, which health does not load the plugin to learn: it takes the
/// connection's most recent grant of that kind. (A connection re-pointed at another company
/// without a new login shows up through its failed run: the run stops with exit 6.)
void assessTargetGrant(const config::Connection& c, store::StateStore& store, ConnectionHealth& h) {
    // Client credentials: the host requests the token itself; there is nothing to log in to,
    // and a refused secret stops the run (exit 2), which health reports through the run.
    if (!c.target.configured() || c.target.clientCredentials()) return;
    std::optional<store::GrantRecord> g;
    for (auto& candidate : store::Grants(store).findAnyEnvironment(c.name, c.plugin))
        if (!g || candidate.obtainedAt > g->obtainedAt) g = std::move(candidate);
    if (g && !g->needsReauth) return;
    h.needsReauth = true;
    h.attention.push_back({"target_needs_reauth",
                           g ? c.plugin + "'s grant is no longer usable: " + g->reauthReason
                             : "not logged in to " + c.plugin + " in this environment",
                           loginCommand(c.name, true)});
}

void assessInstallation(const config::Connection& c, const std::string& fingerprint, store::StateStore& store,
                        ConnectionHealth& h) {
    if (c.credential == "api_key") {
        h.installation = "not_applicable";
        return;
    }
    const auto sync = store::SyncHistory(store).lastSucceeded(c.name, fingerprint);
    h.installation = "not_synced";
    if (!sync) return;
    if (auto report = parseObject(sync->reportJson)) h.installation = report->optValue<std::string>("installation", "ACTIVATED");
}

void assessSchedule(const config::Connection& c, std::chrono::system_clock::time_point now, const PlannedRun& planned,
                    const std::string& zoneinfoDir, ConnectionHealth& h) {
    h.schedule = c.schedule;
    if (planned)
        if (auto at = planned(c.name)) {
            h.nextRunMs = *at;
            return;
        }
    if (c.schedule.empty()) return;
    try {
        h.nextRunMs = toMs(Schedule::parse(c.schedule, c.name, zoneinfoDir).nextAfter(now));
    } catch (const std::exception& e) {
        h.attention.push_back({"bad_schedule", describe(e), "ledgerbridge config validate"});
    }
}

/// The newest run that is not a dry run, and what its outcome asks of a person.
void assessRuns(const config::Connection& c, store::StateStore& store, ConnectionHealth& h) {
    store::Runs runs(store);
    for (const auto& r : runs.recent(5, c.name)) {
        if (r.dryRun) continue;
        h.lastRun = runOf(r);
        break;
    }
    if (auto ok = runs.latestSucceeded(c.name)) h.lastSuccessMs = ok->finishedAt;
    if (!h.lastRun) return;
    const auto& run = *h.lastRun;
    const std::string show = "ledgerbridge history show " + run.id;
    const std::string o = run.outcome;
    if (o == "ok" || o == "interrupted" || o == "busy" || o == "unfinished") return;
    if (o == "completed_with_errors") {
        h.attention.push_back({"entries_rejected",
                               std::to_string(run.rejected) + " entries were rejected in the last run (" + run.id +
                                   "); each reason comes with its fix",
                               show});
    } else if (o == "missing_contra_accounts") {
        h.attention.push_back({"missing_contra_accounts", run.error,
                               "map the contra accounts in Pleo's accounting settings, then `ledgerbridge run "
                               "--connection " + c.name + " --create-jobs` (or SIGHUP the service)"});
    } else if (o == "needs_reauth") {
        // The grant check above already says so for an OAuth grant Pleo refused; an API key or a
        // target credential refused during the run is only known from the run.
        bool known = false;
        for (const auto& a : h.attention) known = known || a.reason == "needs_reauth" || a.reason == "target_needs_reauth";
        if (!known) {
            h.needsReauth = true;
            h.attention.push_back({"needs_reauth", run.error,
                                   c.credential == "api_key" ? "replace the connection's api_key secret, then "
                                                               "`ledgerbridge run --connection " + c.name + "`"
                                                             : loginCommand(c.name)});
        }
    } else {
        const std::string fix = o == "config_error"     ? "ledgerbridge config validate"
                                : o == "plugin_failure" ? "ledgerbridge plugins list (then " + show + ")"
                                                        : show;
        h.attention.push_back({"last_run_failed", "the last run ended " + o + (run.error.empty() ? "" : ": " + run.error),
                               fix});
    }
}

}  // namespace

std::vector<ConnectionHealth> assessConnections(const config::Config& config, store::StateStore& store,
                                                std::chrono::system_clock::time_point now, const PlannedRun& planned,
                                                const std::string& zoneinfoDir) {
    std::map<std::string, store::PluginHealthRecord> plugins;
    try {
        for (auto& p : store::PluginHealth(store).all()) plugins[p.plugin] = p;
    } catch (const std::exception&) {
        // Reported per connection below (the quarantine state is unknown, not "fine").
    }
    std::vector<ConnectionHealth> out;
    for (const auto& c : config.connections) {
        ConnectionHealth h;
        h.connection = c.name;
        h.companyId = c.companyId;
        h.plugin = c.plugin;
        h.credential = c.credential;
        assessSchedule(c, now, planned, zoneinfoDir, h);
        try {
            const std::string fp = config::environmentFingerprint(config.activeProfile(), c.companyId).value;
            assessGrant(c, fp, store, toMs(now), h);
            assessTargetGrant(c, store, h);
            assessInstallation(c, fp, store, h);
            if (auto p = plugins.find(c.plugin); p != plugins.end() && p->second.quarantined) {
                h.pluginQuarantined = true;
                h.attention.push_back({"plugin_quarantined", "plugin " + c.plugin + " is quarantined: " + p->second.reason,
                                       "ledgerbridge plugins enable " + c.plugin + " (after updating or fixing it)"});
            }
            assessRuns(c, store, h);
        } catch (const std::exception& e) {
            h.attention.push_back({"state_unreadable", "the state store could not be read: " + describe(e),
                                   "ledgerbridge config validate"});
        }
        out.push_back(std::move(h));
    }
    return out;
}

std::string attentionJson(const std::vector<ConnectionHealth>& health) {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Array items;
    for (const auto& h : health)
        for (const auto& a : h.attention) {
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("connection", h.connection);
            o.set("reason", a.reason);
            o.set("detail", a.detail);
            o.set("fix", a.fix);
            items.add(o);
        }
    root.set("count", static_cast<std::int64_t>(items.size()));
    root.set("connections", items);
    std::ostringstream out;
    root.stringify(out);
    return out.str();
}

}  // namespace ledgerbridge::service
