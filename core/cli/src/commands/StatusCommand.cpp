// `ledgerbridge status`: one screen with every connection's grant, installation, schedule and
// next run, last run, and what needs a person with the command that fixes it. Read from the
// configuration and the state store only (service::assessConnections, the same rules as the
// service's /metrics and /attention), so it works whether or not `serve` is running.
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <chrono>
#include <ostream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/service/ConnectionHealth.h"

namespace ledgerbridge::cli {
namespace {

using service::ConnectionHealth;

std::string utc(std::int64_t ms, const char* format = "%Y-%m-%d %H:%M UTC") {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(ms * 1000), format);
}

std::string iso(const std::optional<std::int64_t>& ms) { return ms ? utc(*ms, "%Y-%m-%dT%H:%M:%SZ") : std::string(); }

std::string grantText(const ConnectionHealth& h) {
    if (h.grant == "ok") return "ok, token until " + utc(*h.grantExpiresAtMs, "%H:%M UTC");
    if (h.grant == "expired") return "ok, token refreshed at next run";
    if (h.grant == "needs_reauth") return "NEEDS RE-AUTH";
    if (h.grant == "not_logged_in") return "NOT LOGGED IN";
    return "API key";
}

std::string installationText(const ConnectionHealth& h) {
    if (h.installation == "not_applicable") return "-";
    if (h.installation == "not_synced") return "not synced yet";
    return h.installation;
}

std::string scheduleText(const ConnectionHealth& h) {
    if (h.schedule.empty()) return "webhooks only";
    return h.schedule + (h.nextRunMs ? ", next " + utc(*h.nextRunMs) : std::string());
}

std::string lastRunText(const ConnectionHealth& h) {
    if (!h.lastRun) return "never";
    const auto& r = *h.lastRun;
    std::string text = utc(r.startedAtMs) + " " + r.outcome;
    if (!r.started) text += " (did not start)";
    if (r.rejected > 0) text += " (" + std::to_string(r.rejected) + " rejected)";
    return text;
}

Poco::JSON::Object::Ptr connectionJson(const ConnectionHealth& h) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("connection", h.connection);
    o->set("companyId", h.companyId);
    o->set("plugin", h.plugin);
    o->set("credential", h.credential);
    Poco::JSON::Object grant(Poco::JSON_PRESERVE_KEY_ORDER);
    grant.set("state", h.grant);
    grant.set("accessTokenExpiresAt", h.grantExpiresAtMs ? Poco::Dynamic::Var(iso(h.grantExpiresAtMs)) : Poco::Dynamic::Var());
    if (!h.grantDetail.empty()) grant.set("detail", h.grantDetail);
    o->set("grant", grant);
    o->set("needsReauth", h.needsReauth);
    o->set("installation", h.installation);
    o->set("schedule", h.schedule);
    o->set("nextRunAt", h.nextRunMs ? Poco::Dynamic::Var(iso(h.nextRunMs)) : Poco::Dynamic::Var());
    if (h.lastRun) {
        Poco::JSON::Object run(Poco::JSON_PRESERVE_KEY_ORDER);
        run.set("id", h.lastRun->id);
        run.set("startedAt", iso(h.lastRun->startedAtMs));
        run.set("finishedAt", h.lastRun->finishedAtMs ? Poco::Dynamic::Var(iso(h.lastRun->finishedAtMs)) : Poco::Dynamic::Var());
        run.set("outcome", h.lastRun->outcome);
        run.set("started", h.lastRun->started);
        run.set("rejected", h.lastRun->rejected);
        if (!h.lastRun->error.empty()) run.set("error", h.lastRun->error);
        o->set("lastRun", run);
    } else {
        o->set("lastRun", Poco::Dynamic::Var());
    }
    o->set("lastSuccessAt", h.lastSuccessMs ? Poco::Dynamic::Var(iso(h.lastSuccessMs)) : Poco::Dynamic::Var());
    o->set("pluginQuarantined", h.pluginQuarantined);
    Poco::JSON::Array attention;
    for (const auto& a : h.attention) {
        Poco::JSON::Object item(Poco::JSON_PRESERVE_KEY_ORDER);
        item.set("reason", a.reason);
        item.set("detail", a.detail);
        item.set("fix", a.fix);
        attention.add(item);
    }
    o->set("attention", attention);
    return o;
}

int status(Invocation& inv) {
    AppContext app(inv);
    const config::Config& config = app.config();
    std::vector<ConnectionHealth> all = service::assessConnections(config, app.store(), std::chrono::system_clock::now());
    if (auto only = inv.option("connection")) {
        config.connection(*only);  // exit 2 naming the configured ones when unknown
        all.erase(std::remove_if(all.begin(), all.end(), [&](const ConnectionHealth& h) { return h.connection != *only; }),
                  all.end());
    }
    std::size_t needing = 0;
    for (const auto& h : all) needing += h.attention.size();

    if (inv.flag("json")) {
        Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
        root.set("environment", config.environment);
        root.set("stateDir", config.stateDir);
        root.set("attention", static_cast<std::int64_t>(needing));
        Poco::JSON::Array connections;
        for (const auto& h : all) connections.add(connectionJson(h));
        root.set("connections", connections);
        root.stringify(inv.out(), 2);
        inv.out() << '\n';
        return 0;
    }

    inv.out() << "Environment " << config.environment << ", state " << config.stateDir
              << " (read from the configuration and the state store; the service need not run)\n\n";
    if (all.empty()) {
        inv.out() << "No connections are configured.\n";
        return 0;
    }
    const std::vector<std::string> head{"CONNECTION", "GRANT", "INSTALLATION", "SCHEDULE", "LAST RUN"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& h : all)
        rows.push_back({h.connection, grantText(h), installationText(h), scheduleText(h), lastRunText(h)});
    std::vector<std::size_t> width(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        width[c] = head[c].size();
        for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c)
            inv.out() << cells[c] << (c + 1 < cells.size() ? std::string(width[c] - cells[c].size() + 2, ' ') : "\n");
    };
    line(head);
    for (const auto& r : rows) line(r);

    if (needing == 0) {
        inv.out() << "\nNothing needs attention.\n";
        return 0;
    }
    inv.out() << "\nNeeds attention (" << needing << "):\n";
    for (const auto& h : all)
        for (const auto& a : h.attention)
            inv.out() << "  " << h.connection << ": " << a.detail << "\n    fix: " << a.fix << "\n";
    return 0;
}

}  // namespace

Command makeStatusCommand() {
    return Command{"status",
                   "every connection's grant, installation, schedule, last run and what needs attention",
                   "ledgerbridge status [--connection NAME] [--json]",
                   "One screen, read from the configuration and the state store (the service need not run):\n"
                   "per connection Pleo's grant (ok / needs re-authorisation / not logged in, and until when\n"
                   "the access token is valid), the installation as the last master-data sync left it, the\n"
                   "schedule and its next run (UTC), and the last run (when, outcome, entries rejected). Then\n"
                   "everything that needs a person, each with the command that fixes it. The service's\n"
                   "GET /attention and /metrics report the same. Exit 0 whatever it finds.",
                   {{"connection", "NAME", "only this connection"}, {"json", "", "machine-readable output"}},
                   {},
                   status};
}

}  // namespace ledgerbridge::cli
