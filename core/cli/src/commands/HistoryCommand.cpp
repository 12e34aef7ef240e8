// `ledgerbridge history`: past runs from the state store, as a table or JSON; `history show RUN`
// prints one run as `ledgerbridge run` printed it, with every rejection and the fix per reason.
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Timestamp.h>

#include <iomanip>
#include <ostream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/export/RunReport.h"
#include "ledgerbridge/store/MasterDataState.h"
#include "ledgerbridge/store/Runs.h"

namespace ledgerbridge::cli {
namespace {

std::string formatTime(std::int64_t ms) {
    if (ms <= 0) return "-";
    return Poco::DateTimeFormatter::format(Poco::Timestamp(ms * 1000), "%Y-%m-%d %H:%M:%S");
}

Poco::Dynamic::Var reportOf(const std::string& json) {
    try {
        return Poco::JSON::Parser().parse(json);
    } catch (const std::exception&) {
        return json;
    }
}

/// One history row as JSON: export runs and syncs share the shape (`fingerprint` empty = left out).
Poco::JSON::Object::Ptr rowJson(const std::string& id, const std::string& connection, const std::string& fingerprint,
                                std::int64_t startedAt, std::int64_t finishedAt, const std::string& outcome, bool dryRun,
                                const std::string& reportJson) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", id);
    o->set("connection", connection);
    if (!fingerprint.empty()) o->set("fingerprint", fingerprint);
    o->set("startedAt", formatTime(startedAt));
    o->set("finishedAt", finishedAt ? formatTime(finishedAt) : std::string());
    o->set("outcome", finishedAt ? outcome : std::string("unfinished"));
    o->set("dryRun", dryRun);
    if (!reportJson.empty()) o->set("report", reportOf(reportJson));
    return o;
}

/// `history --syncs`: the master-data syncs (core/masterdata) instead of the export runs.
int syncHistory(Invocation& inv, AppContext& app, std::size_t limit) {
    auto rows = store::SyncHistory(app.store()).recent(limit, inv.option("connection").value_or(""));
    auto outcome = [](const store::SyncRecord& r) {
        return (r.finishedAt ? r.outcome : std::string("unfinished (interrupted?)")) + (r.full ? " (full)" : "") +
               (r.dryRun ? " (dry run)" : "");
    };
    if (inv.flag("json")) {
        Poco::JSON::Array arr;
        for (const auto& r : rows) {
            auto o = rowJson(r.id, r.connection, "", r.startedAt, r.finishedAt, r.outcome, r.dryRun, r.reportJson);
            o->set("full", r.full);
            arr.add(o);
        }
        arr.stringify(inv.out(), 2);
        inv.out() << '\n';
        return 0;
    }
    if (rows.empty()) {
        inv.out() << "No syncs recorded yet in " << app.store().path() << ".\n";
        return 0;
    }
    inv.out() << std::left << std::setw(26) << "SYNC" << std::setw(16) << "CONNECTION" << std::setw(21) << "STARTED"
              << std::setw(10) << "SECONDS" << "OUTCOME\n";
    for (const auto& r : rows)
        inv.out() << std::left << std::setw(26) << r.id << std::setw(16) << r.connection << std::setw(21)
                  << formatTime(r.startedAt) << std::setw(10)
                  << (r.finishedAt ? std::to_string((r.finishedAt - r.startedAt) / 1000) : "-") << outcome(r) << '\n';
    return 0;
}

/// --connection must name a configured connection or one the history knows (a connection
/// removed from the configuration keeps its runs); anything else is a typo, refused with exit 2.
void checkConnection(Invocation& inv, AppContext& app) {
    const auto name = inv.option("connection");
    if (!name) return;
    const config::Config& config = app.config();
    for (const auto& c : config.connections)
        if (c.name == *name) return;
    if (!store::Runs(app.store()).recent(1, *name).empty() ||
        !store::SyncHistory(app.store()).recent(1, *name).empty())
        return;
    std::string names;
    for (const auto& c : config.connections) names += (names.empty() ? "" : ", ") + c.name;
    throw UsageError("no connection '" + *name + "' in " + app.configPath() + " and no runs of it in the history; " +
                     (names.empty() ? std::string("no connections are configured") : "configured: " + names));
}

int history(Invocation& inv) {
    AppContext app(inv);
    checkConnection(inv, app);
    std::size_t limit = 20;
    if (auto l = inv.option("limit")) {
        try {
            limit = static_cast<std::size_t>(std::stoul(*l));
        } catch (const std::exception&) {
            throw UsageError("--limit takes a positive whole number, not '" + *l + "'");
        }
    }
    if (inv.flag("syncs")) return syncHistory(inv, app, limit);
    store::Runs runs(app.store());
    auto rows = runs.recent(limit, inv.option("connection").value_or(""));
    if (inv.flag("json")) {
        Poco::JSON::Array arr;
        for (const auto& r : rows) {
            arr.add(rowJson(r.id, r.connection, r.fingerprint, r.startedAt, r.finishedAt, r.outcome, r.dryRun, r.reportJson));
        }
        if (rows.empty())
            inv.out() << "[]";
        else
            arr.stringify(inv.out(), 2);
        inv.out() << '\n';
        return 0;
    }
    if (rows.empty()) {
        inv.out() << "No runs recorded yet in " << app.store().path() << ".\n";
        return 0;
    }
    inv.out() << std::left << std::setw(26) << "RUN" << std::setw(16) << "CONNECTION" << std::setw(21) << "STARTED"
              << std::setw(10) << "SECONDS" << std::setw(8) << "POSTED" << std::setw(9) << "ALREADY" << std::setw(10)
              << "REJECTED" << "OUTCOME\n";
    for (const auto& r : rows) {
        std::string seconds = r.finishedAt ? std::to_string((r.finishedAt - r.startedAt) / 1000) : "-";
        // Posted by this run, already posted by an earlier job (not posted again), rejected.
        std::string posted = "-", already = "-", rejected = "-", note = r.dryRun ? " (dry run)" : "";
        if (!r.reportJson.empty()) {
            try {
                const exporter::RunReport report = exporter::RunReport::fromJson(r.reportJson);
                const exporter::JobReport sum = report.totals();
                posted = std::to_string(sum.posted);
                already = std::to_string(sum.alreadyPosted);
                rejected = std::to_string(sum.rejected);
                if (!report.started) note += " (did not start)";
            } catch (const std::exception&) {
                note += " (report unreadable)";
            }
        }
        inv.out() << std::left << std::setw(26) << r.id << std::setw(16) << r.connection << std::setw(21)
                  << formatTime(r.startedAt) << std::setw(10) << seconds << std::setw(8) << posted << std::setw(9)
                  << already << std::setw(10) << rejected
                  << (r.finishedAt ? r.outcome : std::string("unfinished (interrupted?)")) << note << '\n';
    }
    return 0;
}

/// `history show RUN`: one run, as `ledgerbridge run` printed it (every rejection listed, the
/// reasons grouped with their fix), or its history row with the whole report in JSON.
int showRun(Invocation& inv) {
    AppContext app(inv);
    if (inv.positional().size() != 1)
        throw UsageError("history show takes one run id, e.g. 'ledgerbridge history show run-1796642390398-e55b' "
                         "('ledgerbridge history' lists them)");
    const std::string& id = inv.positional()[0];
    const auto r = store::Runs(app.store()).find(id);
    if (!r)
        throw UsageError("no run '" + id + "' in the history of " + app.store().path() +
                         "; 'ledgerbridge history' lists the recent ones (old runs are pruned: [state] history_max_age)");
    if (inv.flag("json")) {
        rowJson(r->id, r->connection, r->fingerprint, r->startedAt, r->finishedAt, r->outcome, r->dryRun, r->reportJson)
            ->stringify(inv.out(), 2);
        inv.out() << '\n';
        return 0;
    }
    inv.out() << "Run " << r->id << " of " << r->connection << ", started " << formatTime(r->startedAt) << ", "
              << (r->finishedAt ? "finished " + formatTime(r->finishedAt) : std::string("never finished (interrupted?)"))
              << "\n";
    if (r->reportJson.empty()) {
        inv.out() << "  no report was stored: the process ended during the run; the next run resumes its jobs\n";
        return 0;
    }
    try {
        inv.out() << exporter::RunReport::fromJson(r->reportJson).toText();
    } catch (const std::exception& e) {
        throw StoreError("the report of run " + id + " cannot be read (" + e.what() + "); 'ledgerbridge history show " +
                         id + " --json' prints it as stored");
    }
    return 0;
}

}  // namespace

Command makeHistoryCommand() {
    return Command{"history",
                   "list past runs and their outcomes",
                   "ledgerbridge history [--connection NAME] [--limit N] [--syncs] [--json]",
                   "Newest first. --json prints every run with its full report for scripts. Runs that never\n"
                   "started (plugin missing, another run active) are listed too, with why.\n"
                   "--syncs lists the master-data syncs (ledgerbridge sync) instead of the export runs.",
                   {{"connection", "NAME", "only runs of this connection"},
                    {"limit", "N", "how many runs (default 20)"},
                    {"syncs", "", "the master-data syncs instead of the export runs"},
                    {"json", "", "machine-readable output"}},
                   {Command{"show",
                            "one run with each rejected entry and the fix per reason",
                            "ledgerbridge history show RUN [--json]",
                            "Prints the run's report as `ledgerbridge run` printed it: per job what was posted,\n"
                            "already posted (by an earlier job, not posted again) and rejected, with amounts per\n"
                            "currency; every rejected entry with its reason; and the rejections grouped by reason\n"
                            "with what to fix before exporting them again. Exit 2 for a run id the history does\n"
                            "not hold. --json prints the stored row with the whole report.",
                            {{"json", "", "the stored row and report as JSON"}},
                            {},
                            showRun}},
                   history};
}

}  // namespace ledgerbridge::cli
