// Automatic export: when a run finds no job to export and the connection has auto_export on,
// it asks Pleo for the accounting entries that are ready (POST /v1/accounting-entries:search)
// and creates a non-interactive export job for at most `autoExportMaxEntries` of them
// (POST /v3/export-jobs), which the run then exports like any other job.
//
//  - 409 EXPORT_ALREADY_IN_PROGRESS: another job is active. If it is pending (a user clicked
//    Export between our list and our create), it is exported now; otherwise someone else is
//    exporting and this run waits for the next one.
//  - 400 MISSING_CONTRA_ACCOUNTS: an operator must map contra accounts in Pleo. The run ends
//    with outcome missing_contra_accounts and the message; the service (autoExportStamp set)
//    asks Pleo again only when the configuration or the UTC day changes, so a connection every
//    minute does not hammer Pleo with a request that cannot succeed.
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/export/Engine.h"
#include "ledgerbridge/export/JobFailure.h"
#include "ledgerbridge/store/PluginState.h"

namespace ledgerbridge::exporter {

namespace {
const char* kMissingContraKey = "auto-export:missing-contra-accounts";
std::string utcDay() { return Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%d"); }
}  // namespace

void Engine::createAutomaticJob(RunReport& report, std::vector<JobInfo>& jobs) {
    if (settings_.dryRun) {
        report.autoExport = "a dry run creates no export job";
        return;
    }
    store::PluginState state(store_);
    const std::string backOff = utcDay() + "|" + settings_.autoExportStamp;
    if (!settings_.autoExportStamp.empty()) {
        auto since = state.get(kHostStateNamespace, run_.fingerprint, kMissingContraKey);
        if (since && *since == backOff) {
            missingContra_ = "Pleo refused to create an export job today because contra accounts are not mapped "
                             "(MISSING_CONTRA_ACCOUNTS). Map a contra account for every Pleo account in Pleo's "
                             "Accounting settings; ledgerbridge asks again tomorrow, when the configuration is "
                             "reloaded, or now with `ledgerbridge run --create-jobs`.";
            report.autoExport = "waiting: contra accounts are not mapped in Pleo (asked again when the day or the configuration changes)";
            return;
        }
    }
    std::vector<std::string> ids =
        pleo_.searchReadyEntries(run_.companyId, settings_.autoExportFilter, std::max(1, settings_.autoExportMaxEntries));
    if (ids.empty()) {
        report.autoExport = "no accounting entries are ready to export";
        log::info("automatic export: no accounting entries are ready");
        return;
    }
    try {
        JobInfo job = pleo_.createJob(run_.companyId, ids);
        state.erase(kHostStateNamespace, run_.fingerprint, kMissingContraKey);
        if (job.numberOfItems == 0) job.numberOfItems = static_cast<std::int64_t>(ids.size());
        jobs.push_back(job);
        report.autoExport = "created export job " + job.id + " for " + std::to_string(ids.size()) + " ready entries";
        log::info("automatic export: created an export job", {{"job", job.id}, {"entries", ids.size()}});
    } catch (const JobAlreadyActiveError& e) {
        auto pending = pleo_.listJobs(run_.companyId, {"pending"});
        if (!pending.empty()) {
            jobs = pending;
            report.autoExport = "another export job was pending; exporting it instead of creating one";
        } else {
            report.autoExport = "another export job is active in Pleo; the next run tries again";
        }
        log::info("automatic export: Pleo has an active export job", {{"detail", e.what()}, {"pending", pending.size()}});
    } catch (const MissingContraAccountsError& e) {
        missingContra_ = e.what();
        if (!settings_.autoExportStamp.empty()) state.put(kHostStateNamespace, run_.fingerprint, kMissingContraKey, backOff);
        report.autoExport = "Pleo refused the job: contra accounts are not mapped";
        log::error("automatic export: Pleo refused to create an export job", {{"error", e.what()}});
    }
}

}  // namespace ledgerbridge::exporter
