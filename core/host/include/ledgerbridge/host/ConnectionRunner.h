// Everything one run of one connection needs, assembled from the configuration: the
// environment fingerprint (and the refusal to mix environments), the credential, the Pleo
// client, the plugin (checked, loaded, configured with its settings and secrets) and the
// engine. `ledgerbridge run` and the service both go through here.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/export/Engine.h"
#include "ledgerbridge/export/RunReport.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::oauth {
class ConnectionAuth;
}

namespace ledgerbridge::host {

struct RunOptions {
    bool dryRun = false;
    bool interactive = false;          ///< progress line on stderr
    const std::atomic<bool>* cancel = nullptr;
    exporter::EngineSettings engine;   ///< page/batch sizes etc.; dryRun/cancel/paths are filled in
    /// Automatic export: when no job is waiting, create one for the ready entries (the
    /// connection's auto_export_* filters and maximum). The service sets it from auto_export;
    /// `run --create-jobs` sets it for one run.
    bool createJobs = false;
    /// Set by the service: after MISSING_CONTRA_ACCOUNTS, ask Pleo again only when this stamp
    /// (the loaded configuration's identity) or the day changes. Empty: ask every time.
    std::string autoExportStamp;
};

/// Records in the run history a run that ended before its export began (`started: false` in its
/// report), so `ledgerbridge history` shows it: plugin missing or refused, the run lease held by
/// another process, no usable credential. `outcome` as in RunReport (busy, plugin_failure, ...).
/// Best effort: a store that cannot record it is logged, never thrown (the caller reports the
/// original error). Returns the run id ("" when it could not be recorded).
std::string recordRunNotStarted(store::StateStore& store, const std::string& connection, const std::string& fingerprint,
                                const std::string& environment, const std::string& plugin, bool dryRun,
                                const std::string& outcome, const std::string& error);

/// The RunReport outcome an exception that stopped a run stands for (by its exit code).
std::string outcomeOf(const std::exception& e);

class ConnectionRunner {
public:
    /// `config` and `store` must outlive the runner.
    ConnectionRunner(const config::Config& config, store::StateStore& store);
    ~ConnectionRunner();

    /// Runs `connection` once and returns the report (already stored in the run history).
    /// A run that ends before its export began is recorded too (recordRunNotStarted) and throws: ConfigError (unknown connection, bad plugin settings), PluginError (plugin cannot
    /// be loaded or configured, quarantined), EnvironmentMismatchError, LockBusyError,
    /// ReauthorizationRequired.
    exporter::RunReport run(const std::string& connection, const RunOptions& options);

    /// Where dry-run plans of this state directory go.
    std::string reportsDir() const;

private:
    /// The run itself; everything it throws means the export did not begin.
    exporter::RunReport runRecorded(const config::Connection& conn, oauth::ConnectionAuth& auth, const RunOptions& options);

    const config::Config& config_;
    store::StateStore& store_;
};

}  // namespace ledgerbridge::host
