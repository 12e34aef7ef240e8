// Ending jobs that cannot finish: see JobFailure.h for when that holds.
#include "ledgerbridge/export/JobFailure.h"

#include <set>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/store/Ledger.h"
#include "ledgerbridge/store/PluginState.h"

namespace ledgerbridge::exporter {

namespace {
std::string stopsKey(const std::string& jobId) { return "job-stops:" + jobId; }

/// Pleo shows the reason to people; it is kept short (the spec gives no limit, the UI a line).
std::string shortReason(const std::string& reason) {
    return reason.size() <= 500 ? reason : reason.substr(0, 497) + "...";
}
}  // namespace

int JobStops::count(const std::string& fingerprint, const std::string& jobId) {
    auto v = store::PluginState(store_).get(kHostStateNamespace, fingerprint, stopsKey(jobId));
    try {
        return v ? std::stoi(*v) : 0;
    } catch (const std::exception&) {
        return 0;  // unreadable counter: start again rather than fail a job on a guess
    }
}

int JobStops::record(const std::string& fingerprint, const std::string& jobId) {
    const int n = count(fingerprint, jobId) + 1;
    store::PluginState(store_).put(kHostStateNamespace, fingerprint, stopsKey(jobId), std::to_string(n));
    return n;
}

void JobStops::clear(const std::string& fingerprint, const std::string& jobId) {
    store::PluginState(store_).erase(kHostStateNamespace, fingerprint, stopsKey(jobId));
}

bool failJob(store::StateStore& store, PleoExports& pleo, const RunTarget& target, const std::string& jobId,
             const std::string& failureReasonType, const std::string& reason, const store::LeaseFence* fence) {
    store::Ledger ledger(store);
    if (fence) ledger.fence(*fence);
    const auto confirmLease = [&] {
        if (fence) store::Leases(store).confirm(*fence);
    };
    auto c = ledger.counts(target.fingerprint, jobId);
    if (c.byState["pushing"] + c.byState["unknown"] > 0) {
        log::warn("the export job is not failed in Pleo while entries' delivery is uncertain; it stays open",
                  {{"job", jobId}, {"uncertain", c.byState["pushing"] + c.byState["unknown"]}});
        return false;
    }
    // What is decided goes to Pleo first: a posted entry must stay EXPORTED there.
    try {
        for (;;) {
            auto done = ledger.unreported(target.fingerprint, jobId, 100);
            if (done.empty()) break;
            std::vector<ItemResult> results;
            for (const auto& e : done) {
                ItemResult r;
                r.accountingEntryId = e.entryId;
                r.successful = e.state == store::EntryState::Posted;
                r.externalId = e.externalId;
                r.externalUrl = e.externalUrl;
                r.exportedAt = e.exportedAt;
                r.failureReasonType = e.failureType;
                r.failureReason = e.failureReason;
                results.push_back(std::move(r));
            }
            confirmLease();
            auto refused = pleo.putResults(jobId, results);
            std::set<std::string> notTaken;
            for (const auto& r : refused) notTaken.insert(r.accountingEntryId);
            std::vector<std::string> taken;
            for (const auto& e : done)
                if (!notTaken.count(e.entryId)) taken.push_back(e.entryId);
            ledger.markReported(target.fingerprint, jobId, taken);
            if (!refused.empty()) {
                log::warn("Pleo did not take every result, so the job is not failed; it stays open",
                          {{"job", jobId}, {"refused", refused.size()}});
                return false;
            }
        }
    } catch (const JobClosedError&) {
        // Pleo closed it already: nothing more to end.
    }
    try {
        confirmLease();
        pleo.postEvent(jobId, "failed", failureReasonType, shortReason(reason));
    } catch (const JobClosedError&) {
        JobInfo now = pleo.getJob(jobId);
        if (now.status == "pending" || now.status == "in_progress") throw;
    }
    auto rec = ledger.job(target.fingerprint, jobId);
    if (rec) {
        rec->finalEvent = "failed";
        rec->finalReason = failureReasonType + ": " + reason;
        rec->finalSent = true;
        rec->phase = "finished";
        ledger.saveJob(*rec);
    }
    JobStops(store).clear(target.fingerprint, jobId);
    log::error("the export job cannot finish and was ended as failed in Pleo",
               {{"job", jobId}, {"failure_reason_type", failureReasonType}, {"reason", reason}});
    return true;
}

std::vector<std::string> failOpenJobs(store::StateStore& store, PleoExports& pleo, const RunTarget& target,
                                      const std::string& failureReasonType, const std::string& reason) {
    std::vector<std::string> failed;
    try {
        std::set<std::string> ids;
        std::vector<std::string> order;
        for (const auto& rec : store::Ledger(store).unfinishedJobs(target.fingerprint, target.connection))
            if (ids.insert(rec.jobId).second) order.push_back(rec.jobId);
        for (const auto& job : pleo.listJobs(target.companyId, {"pending"}))
            if (ids.insert(job.id).second) order.push_back(job.id);
        for (const auto& id : order)
            if (failJob(store, pleo, target, id, failureReasonType, reason)) failed.push_back(id);
    } catch (const std::exception& e) {
        log::error("the connection's export jobs could not be ended as failed in Pleo",
                   {{"connection", target.connection}, {"error", describe(e)}});
    }
    return failed;
}

}  // namespace ledgerbridge::exporter
