// Assembling one run of one connection: see ConnectionRunner.h.
#include "ledgerbridge/host/ConnectionRunner.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <filesystem>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/export/JobFailure.h"
#include "ledgerbridge/host/ConfiguredPlugin.h"
#include "ledgerbridge/host/InstallationLifecycle.h"
#include "ledgerbridge/host/PluginTarget.h"
#include "ledgerbridge/host/TargetIdentity.h"
#include "ledgerbridge/oauth/ConnectionAuth.h"
#include "ledgerbridge/oauth/TestHooks.h"
#include "ledgerbridge/pleo/ExportsClient.h"
#include "ledgerbridge/store/Connections.h"
#include "ledgerbridge/store/Runs.h"

namespace ledgerbridge::host {
namespace fs = std::filesystem;

ConnectionRunner::ConnectionRunner(const config::Config& config, store::StateStore& store)
    : config_(config), store_(store) {}

ConnectionRunner::~ConnectionRunner() = default;

std::string ConnectionRunner::reportsDir() const { return (fs::path(config_.stateDir) / "reports").string(); }

std::string outcomeOf(const std::exception& e) {
    const auto* own = dynamic_cast<const Exception*>(&e);
    switch (own ? own->exitCode() : ExitCode::Failure) {
        case ExitCode::NeedsReauthorization: return "needs_reauth";
        case ExitCode::PluginFailure: return "plugin_failure";
        case ExitCode::Busy: return "busy";
        case ExitCode::UsageOrConfig: return "config_error";
        case ExitCode::EnvironmentMismatch: return "environment_mismatch";
        case ExitCode::Interrupted: return "interrupted";
        default: return "failed";
    }
}

std::string recordRunNotStarted(store::StateStore& store, const std::string& connection, const std::string& fingerprint,
                                const std::string& environment, const std::string& plugin, bool dryRun,
                                const std::string& outcome, const std::string& error) {
    try {
        store::Runs runs(store);
        exporter::RunReport report;
        report.runId = runs.start(connection, fingerprint, dryRun);
        report.connection = connection;
        report.environment = environment;
        report.plugin = plugin;
        report.dryRun = dryRun;
        report.started = false;
        report.outcome = outcome;
        report.error = error;
        report.startedAtMs = report.finishedAtMs = store::nowMs();
        runs.finish(report.runId, outcome, report.toJson());
        return report.runId;
    } catch (const std::exception& e) {
        log::warn("a run that did not start could not be recorded in the run history",
                  {{"connection", connection}, {"error", describe(e)}});
        return {};
    }
}

exporter::RunReport ConnectionRunner::run(const std::string& name, const RunOptions& options) {
    const config::Connection& conn = config_.connection(name);
    oauth::ConnectionAuth auth(config_, name, store_);
    const config::EnvironmentProfile& profile = auth.profile();
    const config::Fingerprint& fp = auth.fingerprint();
    // Anything that stops the run before the engine recorded it (the engine records every run it
    // begins, whatever its end) is recorded here, so `history` shows runs that never started.
    try {
        return runRecorded(conn, auth, options);
    } catch (const std::exception& e) {
        recordRunNotStarted(store_, name, fp.value, profile.name, conn.plugin, options.dryRun, outcomeOf(e), describe(e));
        throw;
    }
}

exporter::RunReport ConnectionRunner::runRecorded(const config::Connection& conn, oauth::ConnectionAuth& auth,
                                                  const RunOptions& options) {
    const std::string& name = conn.name;
    const config::EnvironmentProfile& profile = auth.profile();
    const config::Fingerprint& fp = auth.fingerprint();
    store::Connections(store_).bind({name, fp.value, profile.name, fp.description, conn.companyId, conn.plugin, 0});

    // Pleo, through the host's HTTP client with the connection's credential.
    pleo::ClientOptions pleoOptions;
    pleoOptions.cancel = options.cancel;
    pleoOptions.requestsPerMinute = profile.requestsPerMinute;
    pleo::ExportsClient pleo(profile, auth.source(), pleoOptions);
    // Until the plugin is loaded its target identity is unknown: the runs before (bindings in
    // this Pleo environment) tell under which fingerprints this connection's jobs may be open.
    exporter::RunTarget runTarget{name, conn.companyId, profile.name, fp.value};

    // The plugin, loaded and configured with the connection's settings (and the target's
    // OAuth grant when it needs one). A refusal that lasts until a person acts means the
    // connection's jobs cannot finish: Pleo is told (failed event with the reason) before the
    // error goes on to the caller. A target grant that is missing or refused also sets Pleo's
    // installation to ERROR/AUTH_ERROR. Both best effort: the original error stands. A dry run
    // changes nothing in Pleo.
    auto failJobs = [&](const char* type, const std::exception& e) {
        if (options.dryRun) return;
        std::vector<std::string> failed;
        for (const auto& fingerprint : store::Connections(store_).fingerprintsWithin(name, fp.value, fp.description)) {
            exporter::RunTarget under = runTarget;
            under.fingerprint = fingerprint;
            for (auto& job : exporter::failOpenJobs(store_, pleo, under, type, describe(e))) failed.push_back(job);
        }
        if (!failed.empty())
            log::error("the connection's export jobs cannot finish and were ended as failed in Pleo",
                       {{"connection", name}, {"jobs", failed.size()}, {"failure_reason_type", type}});
    };
    auto targetAuthFailed = [&](const std::exception& e) {
        failJobs("accounting_system_authentication_failure", e);
        if (!options.dryRun) {
            pleo::PleoApi api(profile.apiUrl, pleo.http(), auth.source());
            reportTargetAuthFailure(api, name, e.what());
        }
    };
    std::unique_ptr<ConfiguredPlugin> configuredPtr;
    try {
        configuredPtr = std::make_unique<ConfiguredPlugin>(config_, name, store_, options.cancel);
    } catch (const ReauthorizationRequired& e) {
        targetAuthFailed(e);  // the target's grant is missing or revoked
        throw;
    } catch (const AuthError& e) {
        targetAuthFailed(e);  // the target refused the grant
        throw;
    } catch (const ConfigError& e) {
        failJobs("invalid_configuration", e);  // a plugin setting the plugin or the host refuses
        throw;
    } catch (const PluginError& e) {
        // Quarantined: refused until an operator releases it. Other load errors may be a
        // deployment in progress: the job stays open for the next run.
        if (std::string(e.what()).find("is quarantined") != std::string::npos) failJobs("integration_unusable", e);
        throw;
    }
    ConfiguredPlugin& configured = *configuredPtr;
    // The ledger and run history belong to the books the plugin writes to (TargetIdentity.h).
    const config::Fingerprint targetFp = targetFingerprint(profile, conn, configured.manifest());
    if (targetFp != fp) {
        store::Connections(store_).bind({name, targetFp.value, profile.name, targetFp.description, conn.companyId,
                                         conn.plugin, 0});
        runTarget.fingerprint = targetFp.value;
    }
    PluginTarget pluginTarget(configured.takeSession());

    exporter::EngineSettings es = options.engine;
    es.dryRun = options.dryRun;
    es.interactive = options.interactive;
    es.createJobs = options.createJobs;
    es.autoExportFilter = exporter::ReadyEntriesFilter{conn.autoExport.reviewStatus, conn.autoExport.families};
    es.autoExportMaxEntries = conn.autoExport.maxEntries;
    es.autoExportStamp = options.autoExportStamp;
    es.cancel = options.cancel;
    es.onStep = [](const std::string& step) { oauth::testhooks::crashPoint(("export:" + step).c_str()); };
    es.leaseMs = oauth::testhooks::leaseMs(es.leaseMs);
    es.receiptDir = (fs::path(config_.stateDir) / "receipts").string();
    if (options.dryRun) {
        fs::create_directories(reportsDir());
        es.dryRunReport = (fs::path(reportsDir()) /
                           ("plan-" + name + "-" + Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y%m%dT%H%M%SZ") + ".jsonl"))
                              .string();
    }
    exporter::Engine engine(store_, pleo, pluginTarget, runTarget, es);
    exporter::RunReport report = engine.run();
    if (options.dryRun)
        report.outputHint = es.dryRunReport;
    else
        for (const auto& [key, value] : configured.settings())
            if (key == "output_dir") report.outputHint = value;
    report.targetRequests = configured.targetRequests();
    const http::ClientStats stats = pleo.http().stats();
    for (const auto& [status, n] : stats.byStatus) report.pleoRequestsByStatus[std::to_string(status)] += n;
    if (stats.networkErrors > 0) report.pleoRequestsByStatus["error"] += stats.networkErrors;
    return report;
}

}  // namespace ledgerbridge::host
