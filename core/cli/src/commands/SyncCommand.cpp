// `ledgerbridge sync`: the ERP's master data into Pleo for every connection (or one), through
// core/masterdata; prints each connection's report and combines their exit codes like `run`.
#include <atomic>
#include <csignal>
#include <ostream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/ExitCode.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/host/Promotion.h"
#include "ledgerbridge/masterdata/MasterDataSync.h"

namespace ledgerbridge::cli {
namespace {

// SIGINT/SIGTERM: stop between records (every write so far is recorded; a rerun resumes).
std::atomic<bool> gStopSync{false};
extern "C" void onSyncStopSignal(int) { gStopSync = true; }

int worst(int current, int next) {
    if (current == 0) return next;
    if (next == 0 || current == toInt(ExitCode::CompletedWithErrors)) return next == 0 ? current : next;
    return current;
}

int sync(Invocation& inv) {
    AppContext app(inv);
    const config::Config& config = app.config(true);
    const std::vector<std::string> names = app.selectedConnections();
    host::requirePromotion(config, app.checkedStore());

    masterdata::SyncOptions options;
    options.dryRun = inv.flag("dry-run");
    options.full = inv.flag("full");
    options.cancel = &gStopSync;
    gStopSync = false;
    struct sigaction sa {}, oldInt {}, oldTerm {};
    sa.sa_handler = onSyncStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &oldInt);
    sigaction(SIGTERM, &sa, &oldTerm);

    int exitCode = 0;
    for (const auto& name : names) {
        if (gStopSync) break;
        int code;
        try {
            masterdata::SyncReport report = masterdata::syncConnection(config, name, app.store(), options);
            inv.out() << report.toText();
            code = toInt(report.exitCode());
        } catch (const masterdata::NoMasterDataError& e) {
            // Not a failure of a sync: there is none to make (nothing recorded in the history).
            inv.out() << "sync of connection " << name << ": nothing to sync\n  " << describe(e) << "\n";
            code = toInt(e.exitCode());
        } catch (const Exception& e) {
            log::error("the connection's sync failed", {{"connection", name}, {"error", describe(e)}});
            inv.out() << "sync of connection " << name << ": failed\n  error: " << describe(e)
                      << "\n  (the sync history has the partial report: ledgerbridge history --syncs)\n";
            code = toInt(e.exitCode());
        }
        exitCode = worst(exitCode, code);
    }
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
    if (gStopSync && exitCode == 0) exitCode = toInt(ExitCode::Interrupted);
    return exitCode;
}

}  // namespace

Command makeSyncCommand() {
    return Command{
        "sync",
        "copy the ERP's master data (accounts, tax codes, dimensions, suppliers) into Pleo",
        "ledgerbridge sync [--connection NAME] [--dry-run] [--full]",
        "For each connection (or only --connection NAME): reads the ERP's tax codes, accounts,\n"
        "dimensions with their values and suppliers through the connection's plugin, and\n"
        "creates, updates or archives in Pleo only what differs (Pleo's tax codes, chart of\n"
        "accounts, tag groups and tags, vendors). Records unchanged since the last sync cost no\n"
        "request to Pleo. A record Pleo refuses is named in the report with its reason; the\n"
        "rest of the sync goes on. The first successful sync activates the Pleo installation.\n\n"
        "--dry-run prints every change it would make and sends nothing to Pleo.\n"
        "--full compares every record with Pleo, also those unchanged in the ERP, to repair\n"
        "changes made in Pleo by hand (done by itself when no full sync succeeded in 7 days).\n\n"
        "Exit codes: 0 in sync, 3 some records refused (see the report), 1 failed,\n"
        "2 usage/config, 4 re-authorisation needed, 5 plugin failure (also: the plugin reads\n"
        "no master data), 130 interrupted (safe to re-run).",
        {{"connection", "NAME", "sync only this connection"},
         {"dry-run", "", "show the changes, send nothing"},
         {"full", "", "compare every record with Pleo, not only the changed ones"}},
        {},
        sync};
}

}  // namespace ledgerbridge::cli
