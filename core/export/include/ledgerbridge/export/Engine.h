// The export engine: one run of one connection. Finds the connection's export jobs, delivers
// every entry to the target through the plugin and reports each result back to Pleo, with the
// ledger written before and after every step so that killing the process at any instant loses
// no expense and posts none twice. The flow reads top to bottom in Engine.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <future>
#include <mutex>
#include <set>
#include <vector>
#include <string>

#include "ledgerbridge/export/Ports.h"
#include "ledgerbridge/export/RunReport.h"
#include "ledgerbridge/store/Ledger.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::exporter {

/// Which connection, in which environment.
struct RunTarget {
    std::string connection;
    std::string companyId;
    std::string environment;
    std::string fingerprint;      ///< environment fingerprint of (profile, company)
};

class Progress;

/// A fetched page, ready to stage: each item with its id, hashes, key and wallet amount.
struct StagedPage {
    std::vector<store::LedgerEntry> entries;
    std::string endCursor;
    bool hasNextPage = false;
};

struct EngineSettings {
    int pageSize = 100;           ///< items per GET page (Pleo's page limit)
    int batchSize = 100;          ///< entries per plugin push (and per PUT of results, max 100)
    int maxAttempts = 5;          ///< pushes of one entry that came back retryable, per run
    bool dryRun = false;          ///< plan only: no events, no item updates, nothing to the target, no ledger writes
    std::string dryRunReport;     ///< file the planned documents are written to (JSON lines)
    std::string receiptDir;       ///< the receipt cache
    bool interactive = false;     ///< draw a progress line on stderr
    bool createJobs = false;      ///< automatic export: create a job for ready entries when none is pending (AutoExport.cpp)
    ReadyEntriesFilter autoExportFilter;  ///< which entries an automatic job takes
    int autoExportMaxEntries = 500;       ///< entries per automatic job
    /// Non-empty: after MISSING_CONTRA_ACCOUNTS no job is created again until this stamp (the
    /// configuration's identity) or the UTC day changes; empty: every run tries (`run --create-jobs`).
    std::string autoExportStamp;
    /// Consecutive runs that stop a job (target unreachable, Pleo refusing results) before it is
    /// ended as failed in Pleo (JobFailure.h).
    int failJobAfterStoppedRuns = 5;
    /// Run lease lifetime, renewed every tenth of it (while fetching, looking up and delivering);
    /// a lease that could not be renewed stops the run before its next push (LockBusyError).
    std::int64_t leaseMs = 10 * 60 * 1000;
    const std::atomic<bool>* cancel = nullptr;  ///< set: finish the batch in flight, report, stop
    /// Test hook: called with a step name at each durable step ("staged", "pushing", "pushed",
    /// "reported", "final"); the crash tests use it to die at exact points.
    std::function<void(const std::string&)> onStep;
};

class Engine {
public:
    /// All references must outlive the engine. `target` is already configured.
    Engine(store::StateStore& store, PleoExports& pleo, ExportTarget& target, RunTarget run, EngineSettings settings);

    /// Runs once. Takes the connection's run lease (throws LockBusyError when another process
    /// holds it), records the run in the history, and returns its report. Errors that end the
    /// run (network, Pleo, plugin, a run lease lost on the way: outcome "busy") are in the
    /// report's outcome and error, not thrown.
    RunReport run();

private:
    void processJob(const JobInfo& job, JobReport& report);
    bool startJob(store::JobRecord& rec, JobReport& report);
    /// Fetches the job's remaining pages and delivers what is staged, interleaved (see Engine.cpp).
    void fetchAndDeliver(store::JobRecord& rec, JobReport& report, Progress& progress);
    /// Starts fetching the page after the job's cursor in the background (one Pleo request at a time).
    void requestNextPage(const store::JobRecord& rec);
    /// Waits for the requested page and stages it with the cursor after it.
    void stageNextPage(store::JobRecord& rec);
    void syncWithPleo(const store::JobRecord& rec);
    void resolveInFlight(const store::JobRecord& rec, JobReport& report);
    bool deliverBatch(const store::JobRecord& rec, JobReport& report);
    /// Reports every decided, unreported entry with seq <= `upToSeq` to Pleo, 100 per call.
    void reportResults(const store::JobRecord& rec, std::int64_t upToSeq = std::numeric_limits<std::int64_t>::max());
    /// Starts reporting, in the background, what was decided up to seq `upToSeq` (see deliverBatch).
    void reportInBackground(const store::JobRecord& rec, std::int64_t upToSeq);
    /// Waits for the background report, if one is running; rethrows what it threw.
    void awaitReporting();
    /// Waits until no Pleo request is in flight (the background report, the next page): the
    /// client serves one request at a time. The page itself stays in its future.
    void awaitPleo();
    /// The same when the job is stopping for another reason: a failure of the report is logged,
    /// a page still on its way is waited for and dropped (its cursor was not staged).
    void drainReporting();
    /// Renews the run lease when a tenth of its life has passed; throws LockBusyError when it
    /// could not be renewed (it lapsed and another process took it): nothing more is pushed.
    void holdLease();
    void finishJob(store::JobRecord& rec, JobReport& report);
    void dryRunJob(const JobInfo& job, JobReport& report);
    /// Automatic export: searches ready entries and creates a job for them (AutoExport.cpp).
    void createAutomaticJob(RunReport& report, std::vector<JobInfo>& jobs);
    /// A job that stopped: counts the stop and ends it as failed in Pleo once it cannot finish.
    void afterStop(store::JobRecord& rec, JobReport& report, const std::string& failureType, const std::string& reason);
    /// Plans one batch: documents to `out`, the plugin's rejections into the report's failures.
    void planBatchInto(const JobInfo& job, const std::vector<sdk::Entry>& batch, JobReport& report, std::ostream& out);
    void summarize(const store::JobRecord& rec, JobReport& report);
    void step(const std::string& name);
    bool cancelled() const;

    store::StateStore& store_;
    store::Ledger ledger_;
    PleoExports& pleo_;
    ExportTarget& target_;
    RunTarget run_;
    EngineSettings settings_;
    TargetCapabilities caps_;
    std::string runId_;
    std::int64_t leaseRenewedMs_ = 0;  ///< when the run lease was last taken or renewed
    std::future<void> reporting_;  ///< the results PUT of the previous batch, while the next is pushed
    std::future<StagedPage> nextPage_;  ///< the next page of items, while staged entries are pushed
    std::mutex stepMutex_;         ///< steps come from the reporting thread too
    std::int64_t decidedAtStart_ = 0;  ///< the current job's posted + rejected entries when this run took it up
    std::string missingContra_;    ///< set when Pleo refused to create a job for MISSING_CONTRA_ACCOUNTS
    /// A plugin call failed because the plugin's process ended (PluginProcessError: a crash, the
    /// call deadline, a protocol violation, named in the job's reason): a job it left open makes
    /// the run's outcome plugin_failure (exit code 5).
    bool pluginFailed_ = false;
    std::mutex refusedMutex_;
    std::set<std::string> refused_;  ///< "job/entry" whose result Pleo did not record this run (sent again next run)
    std::vector<ItemRejection> refusedDetails_;
};

}  // namespace ledgerbridge::exporter
