// `ledgerbridge run`: one pass over the configured connections (or one of them) — every
// pending Pleo export job, and our own in-progress jobs a crash left behind, delivered through
// the connection's plugin and reported back to Pleo. The whole flow reads top to bottom in
// core/export/src/Engine.cpp; this file only chooses the connections, handles signals and
// prints the reports.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <atomic>
#include <csignal>
#include <ostream>
#include <unistd.h>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/ExitCode.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/host/ConnectionRunner.h"
#include "ledgerbridge/host/Promotion.h"

namespace ledgerbridge::cli {
namespace {

// First SIGINT/SIGTERM: finish the batch in flight, report it to Pleo, stop. Second: leave at
// once — the export ledger makes that safe (the next run resumes where it says).
std::atomic<bool> gStop{false};
extern "C" void onStopSignal(int) {
    if (gStop.exchange(true)) _exit(toInt(ExitCode::Interrupted));
}

struct SignalScope {
    struct sigaction oldInt {}, oldTerm {};
    SignalScope() {
        gStop = false;
        struct sigaction sa {};
        sa.sa_handler = onStopSignal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &oldInt);
        sigaction(SIGTERM, &sa, &oldTerm);
    }
    ~SignalScope() {
        sigaction(SIGINT, &oldInt, nullptr);
        sigaction(SIGTERM, &oldTerm, nullptr);
    }
};

/// The exit code of several connections' results: the most serious one; "completed with
/// errors" only when nothing worse happened.
int combine(int current, int next) {
    if (current == 0) return next;
    if (next == 0) return current;
    if (current == toInt(ExitCode::CompletedWithErrors)) return next;
    return current;
}

/// A report for a connection that could not run at all (its plugin, credential, lock...).
exporter::RunReport failedBeforeStart(const config::Config& config, const std::string& connection, const std::exception& e) {
    exporter::RunReport r;
    r.connection = connection;
    r.environment = config.environment;
    r.plugin = config.connection(connection).plugin;
    r.error = describe(e);
    if (dynamic_cast<const ReauthorizationRequired*>(&e) || dynamic_cast<const AuthError*>(&e))
        r.outcome = "needs_reauth";
    else if (dynamic_cast<const InterruptedError*>(&e))
        r.outcome = "interrupted";
    else
        r.outcome = "failed";
    return r;
}

int run(Invocation& inv) {
    AppContext app(inv);
    const config::Config& config = app.startupConfig(false);  // what `config validate` checks
    const std::vector<std::string> names = app.selectedConnections();

    host::requirePromotion(config, app.checkedStore());  // checked for damage; production only after a promotion
    const bool json = inv.flag("json");
    host::RunOptions options;
    options.dryRun = inv.flag("dry-run");
    options.createJobs = inv.flag("create-jobs");  // asks Pleo every time (no back-off: a person asked)
    // The progress line is for a person at a terminal: never drawn into JSON logs on stderr,
    // nor on a terminal that cannot redraw a line (TERM=dumb).
    options.interactive = !json && log::progressLineAllowed() && !inv.flag("no-progress");
    options.cancel = &gStop;
    SignalScope signals;

    host::ConnectionRunner runner(config, app.store());
    int exitCode = 0;
    Poco::JSON::Array all;
    for (const auto& name : names) {
        if (gStop) break;
        exporter::RunReport report;
        int code;
        try {
            report = runner.run(name, options);
            code = toInt(report.exitCode());
        } catch (const Exception& e) {
            // A connection that cannot run does not stop the others; its code still counts.
            log::error("the connection could not run", {{"connection", name}, {"error", describe(e)}});
            report = failedBeforeStart(config, name, e);
            code = toInt(e.exitCode());
        }
        exitCode = combine(exitCode, code);
        if (json)
            all.add(Poco::JSON::Parser().parse(report.toJson()));
        else
            inv.out() << report.toText() << (names.size() > 1 ? "\n" : "");
    }
    if (json) {
        all.stringify(inv.out(), 2);
        inv.out() << '\n';
    }
    if (gStop && exitCode == 0) exitCode = toInt(ExitCode::Interrupted);
    return exitCode;
}

}  // namespace

Command makeRunCommand() {
    return Command{
        "run",
        "export pending Pleo export jobs to the target systems, once",
        "ledgerbridge run [--connection NAME] [--create-jobs] [--dry-run] [--json]",
        "For each connection (or only --connection NAME): finds its pending Pleo export jobs and\n"
        "its own unfinished ones, delivers every entry through the connection's plugin, reports\n"
        "each result to Pleo and ends the job. Safe to interrupt and re-run at any time: the\n"
        "export ledger resumes where it stopped and never posts an entry twice.\n\n"
        "--create-jobs: when a connection has no job waiting, search Pleo's accounting entries\n"
        "that are ready (the connection's auto_export_review_status, auto_export_families) and\n"
        "create a non-interactive export job of at most auto_export_max_entries of them, then\n"
        "export it; what the service does on the schedule of connections with auto_export = on.\n\n"
        "--dry-run reads the jobs and writes the exact documents the plugin would post to a\n"
        "report file; nothing is sent to Pleo that changes state and nothing to the target.\n\n"
        "Exit codes: 0 all delivered, 3 some entries rejected (see the report), 1 failed (also:\n"
        "entries whose delivery the target could not confirm stay open, or Pleo closed a job\n"
        "before all its entries were delivered; the report says what happens next),\n"
        "2 usage/config, 4 re-authorisation needed, 5 plugin failure, 6 environment mismatch,\n"
        "7 another process is running this connection (or took over this run's lapsed lease),\n"
        "130 interrupted.",
        {{"connection", "NAME", "run only this connection"},
         {"create-jobs", "", "create an export job for ready entries when none is waiting"},
         {"dry-run", "", "plan only: write what would be posted, change nothing"},
         {"json", "", "print the run reports as JSON"},
         {"no-progress", "", "no progress line even on a terminal"}},
        {},
        run};
}

}  // namespace ledgerbridge::cli
