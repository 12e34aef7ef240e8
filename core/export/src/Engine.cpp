// The export flow of one connection, top to bottom. Each step writes the ledger before it
// acts and after it succeeds, so a run killed at any instant resumes exactly where it stopped:
//
//   run()             take the connection's lease, find jobs (our unfinished ones first, then
//                     Pleo's pending ones), process each, record the run
//   processJob()      startJob -> syncWithPleo -> rounds of (resolveInFlight, fetchAndDeliver,
//                     resolveInFlight, report, retryables again) -> finishJob
//   startJob()        ledger row first, then the `started` event (a repeat is harmless)
//   syncWithPleo()    after a crash, Pleo's view of the items, but only when that is cheaper than
//                     sending the few unacknowledged results again
//   resolveInFlight   entries that may have reached the target (pushing/unknown) are looked up
//                     there before anything is pushed again; only a definite answer decides
//   fetchAndDeliver() the remaining pages, each staged in the ledger with its cursor, and
//                     delivery of what is staged, interleaved: while the next page is on its way
//                     the staged entries are pushed, so a run resumed after a crash delivers at
//                     once instead of first reading the rest of the job
//   deliverBatch()    map, validate, download receipts, renew the lease, mark `pushing`, push,
//                     record outcomes, then report results to Pleo (which also keeps the job
//                     alive) in the background while the next batch is mapped and pushed
//   finishJob()       only when every page is staged and every entry decided: decide the final
//                     event, record it, send it
#include "ledgerbridge/export/Engine.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/SteadyClock.h"
#include "ledgerbridge/export/IdempotencyKey.h"
#include "ledgerbridge/export/ItemMapper.h"
#include "ledgerbridge/export/JobFailure.h"
#include "ledgerbridge/export/Progress.h"
#include "ledgerbridge/export/ReceiptCache.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/Runs.h"
#include "ledgerbridge/validation.hpp"

namespace ledgerbridge::exporter {

using store::EntryState;

namespace {

std::string isoNow() { return Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%SZ"); }

std::vector<std::string> idsOf(const std::vector<store::LedgerEntry>& entries) {
    std::vector<std::string> ids;
    for (const auto& e : entries) ids.push_back(e.entryId);
    return ids;
}

/// Downloads the mapped item's receipts into the cache and attaches them to its entry (the
/// entry's receipts are local files). Throws what the download threw.
void attachReceipts(MappingResult& m, ReceiptCache& receipts) {
    for (const FileRef& f : m.files) {
        CachedReceipt r = receipts.fetch(f.url, f.size);
        std::string name = urlForMessages(f.url);
        m.entry->receipts.push_back(sdk::Receipt{r.path, name.substr(name.rfind('/') + 1), f.type});
    }
}

/// The stored entry as the host hands it over: mapped, validated, receipts attached.
struct Prepared {
    store::LedgerEntry ledger;
    sdk::Entry entry;
};

/// Reasons a job stops before it is finished; the job stays open for the next run.
/// `failureType` (Pleo's ExportJobFailureReasonType) is set when the stop counts towards ending
/// the job as failed (JobFailure.h); empty when the next run fixes it for sure (an interruption)
/// or when failing it could post an entry twice (uncertain deliveries).
struct StopJob {
    explicit StopJob(std::string why, std::string type = {}) : reason(std::move(why)), failureType(std::move(type)) {}
    std::string reason;
    std::string failureType;
};

}  // namespace

Engine::Engine(store::StateStore& store, PleoExports& pleo, ExportTarget& target, RunTarget run, EngineSettings settings)
    : store_(store), ledger_(store), pleo_(pleo), target_(target), run_(std::move(run)), settings_(std::move(settings)) {
    settings_.batchSize = std::clamp(settings_.batchSize, 1, 100);  // Pleo takes at most 100 results per PUT
    settings_.pageSize = std::clamp(settings_.pageSize, 1, 1000);
}

void Engine::step(const std::string& name) {
    std::lock_guard<std::mutex> lock(stepMutex_);
    if (settings_.onStep) settings_.onStep(name);
}

bool Engine::cancelled() const { return settings_.cancel && settings_.cancel->load(); }

// ---- one run --------------------------------------------------------------------------------

RunReport Engine::run() {
    store::Leases leases(store_);
    store::ScopedLease lease(leases, "run:" + run_.fingerprint, settings_.leaseMs, 0,
                             "an export run of connection '" + run_.connection + "'");
    // From here every ledger write of this run is fenced by this holding (Ledger::fence): once
    // the lease is lost — taken over, or expired while the process was paused — the run ends
    // without writing another step. The keeper renews it meanwhile, whatever this thread does;
    // it is declared after the lease, so it stops before the lease is released.
    fence_ = lease.fence();
    ledger_.fence(fence_);
    std::optional<store::LeaseKeeper> keeper;
    if (settings_.renewLeaseInBackground && !settings_.dryRun) keeper.emplace(store_, fence_);
    keeper_ = keeper ? &*keeper : nullptr;
    struct Forget {  // keeper_ must not outlive the keeper, whichever way run() ends
        const store::LeaseKeeper*& keeper;
        ~Forget() { keeper = nullptr; }
    } forget{keeper_};
    store::Runs runs(store_);
    leaseRenewedMs_ = store::nowMs();
    runId_ = runs.start(run_.connection, run_.fingerprint, settings_.dryRun);
    log::LogContext context(runId_, run_.connection);

    RunReport report;
    report.runId = runId_;
    report.connection = run_.connection;
    report.environment = run_.environment;
    report.plugin = target_.name();
    report.dryRun = settings_.dryRun;
    report.startedAtMs = store::nowMs();
    caps_ = target_.capabilities();
    std::int64_t requestsBefore = pleo_.requestCount();

    try {
        // Our own unfinished jobs first (a crash left them in progress), then Pleo's pending ones.
        std::vector<JobInfo> jobs;
        std::set<std::string> seen;
        for (const auto& rec : ledger_.unfinishedJobs(run_.fingerprint, run_.connection)) {
            jobs.push_back(JobInfo{rec.jobId, "in_progress", rec.numberOfItems});
            seen.insert(rec.jobId);
        }
        for (const auto& job : pleo_.listJobs(run_.companyId, {"pending"}))
            if (seen.insert(job.id).second) jobs.push_back(job);
        if (settings_.createJobs && jobs.empty()) createAutomaticJob(report, jobs);
        log::info("export run started", {{"jobs", jobs.size()}, {"plugin", report.plugin},
                                         {"dry_run", settings_.dryRun ? "true" : "false"}});

        for (const auto& job : jobs) {
            if (cancelled()) break;
            JobReport jr;
            jr.jobId = job.id;
            log::LogContext jobContext(runId_, run_.connection);
            if (settings_.dryRun)
                dryRunJob(job, jr);
            else
                processJob(job, jr);
            report.jobs.push_back(std::move(jr));
            holdLease();
        }
        // A job Pleo closed before its entries were all delivered and acknowledged is not done,
        // even though Pleo will not take more for it: the run says so (exit code 1).
        bool errors = false, open = false, closedEarly = false, failedInPleo = false;
        for (const auto& j : report.jobs) {
            errors = errors || j.rejected > 0;
            failedInPleo = failedInPleo || j.finalEvent == "failed";
            open = open || (j.finalEvent.empty() && !settings_.dryRun);
            closedEarly = closedEarly || (j.finalEvent == "closed_by_pleo" && !j.next.empty());
        }
        report.outcome = cancelled()     ? "interrupted"
                         : open && pluginFailed_ ? "plugin_failure"
                         : open          ? "failed"
                         : failedInPleo  ? "failed"
                         : !missingContra_.empty() ? "missing_contra_accounts"
                         : closedEarly   ? "closed_by_pleo"
                         : errors        ? "completed_with_errors"
                                         : "ok";
        if (open && !cancelled()) {  // (plugin_failure too: the job's reason names the plugin and the cause)
            for (const auto& j : report.jobs)
                if (j.finalEvent.empty() && report.error.empty())
                    report.error = "job " + j.jobId + " is not finished: " + j.finalReason;
        } else if (failedInPleo && !cancelled()) {
            for (const auto& j : report.jobs)
                if (j.finalEvent == "failed" && report.error.empty())
                    report.error = "job " + j.jobId + " cannot finish and was ended as failed in Pleo: " + j.finalReason;
        } else if (!missingContra_.empty() && !cancelled()) {
            report.error = missingContra_;
        } else if (closedEarly && !cancelled()) {
            for (const auto& j : report.jobs)
                if (j.finalEvent == "closed_by_pleo" && !j.next.empty() && report.error.empty())
                    report.error = "job " + j.jobId + " was closed by Pleo before all its entries were delivered: " +
                                   j.finalReason;
        }
    } catch (const ReauthorizationRequired& e) {
        report.outcome = "needs_reauth";
        report.error = describe(e);
    } catch (const PluginError& e) {
        report.outcome = "plugin_failure";
        report.error = describe(e);
    } catch (const Exception& e) {
        // The outcome follows the error's exit code: a credential that is refused or missing
        // (AuthError) needs a login like a revoked grant; an interruption is not a failure.
        switch (e.exitCode()) {
            case ExitCode::NeedsReauthorization: report.outcome = "needs_reauth"; break;
            case ExitCode::Interrupted: report.outcome = "interrupted"; break;
            case ExitCode::EnvironmentMismatch: report.outcome = "environment_mismatch"; break;
            case ExitCode::Busy: report.outcome = "busy"; break;
            default: report.outcome = "failed"; break;
        }
        report.error = describe(e);
    } catch (const std::exception& e) {
        report.outcome = "failed";
        report.error = describe(e);
    }
    report.finishedAtMs = store::nowMs();
    report.pleoRequests = pleo_.requestCount() - requestsBefore;
    runs.finish(runId_, report.outcome, report.toJson());
    if (report.outcome == "ok" || report.outcome == "completed_with_errors")
        log::info("export run finished", {{"outcome", report.outcome}});
    else
        log::error("export run did not finish", {{"outcome", report.outcome}, {"error", report.error}});
    return report;
}

// ---- one job --------------------------------------------------------------------------------

void Engine::processJob(const JobInfo& job, JobReport& report) {
    auto existing = ledger_.job(run_.fingerprint, job.id);
    store::JobRecord rec;
    if (existing) {
        rec = *existing;
    } else {
        rec.fingerprint = run_.fingerprint;
        rec.jobId = job.id;
        rec.connection = run_.connection;
        rec.phase = "fetching";
        rec.numberOfItems = job.numberOfItems;
    }
    rec.runId = runId_;
    ledger_.saveJob(rec);  // from here on the job is ours: a crash resumes it
    // However the job ends, no background request outlives it (the next job's requests must
    // not overlap it).
    struct DrainOnExit {
        Engine& engine;
        ~DrainOnExit() { engine.drainReporting(); }
    } drainOnExit{*this};
    Progress progress(job.id, std::max<std::int64_t>(rec.numberOfItems, 1), settings_.interactive);
    // Entries decided before this run: a stop after progress is not a "cannot finish" (afterStop).
    auto decidedBefore = ledger_.counts(run_.fingerprint, rec.jobId);
    decidedAtStart_ = decidedBefore.byState["posted"] + decidedBefore.byState["rejected"];
    try {
        if (!startJob(rec, report)) {
            summarize(rec, report);
            return;
        }
        syncWithPleo(rec);
        for (int round = 0; round < settings_.maxAttempts && !cancelled(); ++round) {
            resolveInFlight(rec, report);
            fetchAndDeliver(rec, report, progress);
            awaitPleo();
            resolveInFlight(rec, report);  // outcomes this round left unknown: posted, or back to planned
            reportResults(rec);
            // Entries the target asked us to retry go around again, after a growing pause.
            std::vector<store::LedgerEntry> again;
            for (auto& e : ledger_.entries(run_.fingerprint, rec.jobId, EntryState::Retryable, 1000000, -1, false))
                if (e.attempts < settings_.maxAttempts) again.push_back(e);
            if (!again.empty()) {
                auto pause = std::chrono::milliseconds(std::min(30000, 500 << std::min(round, 6)));
                log::warn("the target asked to retry entries; trying again",
                          {{"entries", again.size()}, {"pause_ms", pause.count()}});
                for (auto waited = std::chrono::milliseconds(0); waited < pause && !cancelled();
                     waited += std::chrono::milliseconds(50))
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                holdLease();
                for (auto& e : again) {
                    e.state = EntryState::Planned;
                    ledger_.recordOutcome(e);
                }
            }
            if (rec.itemsComplete && ledger_.entries(run_.fingerprint, rec.jobId, EntryState::Planned, 1, -1, false).empty())
                break;
        }
        progress.finish();
        finishJob(rec, report);
    } catch (const JobClosedError& e) {
        progress.finish();
        drainReporting();  // before the lookups below, which may download receipts from Pleo
        // Pleo no longer accepts updates (expired, or finished elsewhere). Whatever may have reached
        // the target is resolved now so a re-export of these entries finds them posted.
        try {
            resolveInFlight(rec, report);
        } catch (const StopJob& stop) {
            log::warn("entries whose delivery is uncertain could not be looked up after Pleo closed the job",
                      {{"job", rec.jobId}, {"reason", stop.reason}});
        }
        rec.phase = "finished";
        rec.finalReason = std::string("Pleo closed the job: ") + e.what();
        ledger_.saveJob(rec);
        report.finalReason = rec.finalReason;
        report.finalEvent = "closed_by_pleo";
        JobStops(store_).clear(run_.fingerprint, rec.jobId);
        log::warn("the export job was closed by Pleo before it finished", {{"job", rec.jobId}, {"reason", e.what()}});
    } catch (const StopJob& stop) {
        progress.finish();
        report.finalReason = stop.reason;
        afterStop(rec, report, stop.failureType, stop.reason);
    }
    summarize(rec, report);
    std::lock_guard<std::mutex> lock(refusedMutex_);
    for (const auto& r : refusedDetails_)
        if (refused_.count(rec.jobId + "/" + r.accountingEntryId) && report.notRecordedByPleo.size() < JobReport::kMaxFailuresListed)
            report.notRecordedByPleo.push_back({r.accountingEntryId, r.type, r.message});
}

void Engine::afterStop(store::JobRecord& rec, JobReport& report, const std::string& failureType, const std::string& reason) {
    drainReporting();
    if (failureType.empty() || cancelled()) {
        log::error("the export job stopped and stays open for the next run", {{"job", rec.jobId}, {"reason", reason}});
        return;
    }
    // Consecutive runs that stopped the job without deciding a single entry more: a run that
    // made progress starts the count again, so a long job on a flaky target is not failed.
    auto now = ledger_.counts(run_.fingerprint, rec.jobId);
    if (now.byState["posted"] + now.byState["rejected"] > decidedAtStart_) JobStops(store_).clear(run_.fingerprint, rec.jobId);
    const int stops = JobStops(store_).record(run_.fingerprint, rec.jobId);
    const int limit = std::max(1, settings_.failJobAfterStoppedRuns);
    if (stops < limit) {
        report.next = "run " + std::to_string(stops) + " of " + std::to_string(limit) +
                      " in a row that could not finish this job; after " + std::to_string(limit) +
                      " it is ended as failed in Pleo with this reason";
        log::error("the export job stopped and stays open for the next run",
                   {{"job", rec.jobId}, {"reason", reason}, {"stopped_runs", stops}});
        return;
    }
    try {
        const std::string why = reason + " (" + std::to_string(stops) + " runs in a row)";
        if (failJob(store_, pleo_, run_, rec.jobId, failureType, why, &fence_)) {
            if (auto saved = ledger_.job(run_.fingerprint, rec.jobId)) rec = *saved;
            report.finalEvent = "failed";
            report.finalReason = failureType + ": " + why;
        }
    } catch (const std::exception& e) {
        log::error("the export job could not be ended as failed in Pleo; it stays open",
                   {{"job", rec.jobId}, {"error", describe(e)}});
    }
}

void Engine::summarize(const store::JobRecord& rec, JobReport& report) {
    auto c = ledger_.counts(run_.fingerprint, rec.jobId);
    report.fetched = c.total;
    // "posted" is what this job delivered; entries posted under an earlier job and only reported
    // again are "already posted", in counts and amounts (the ledger tells them apart durably, so
    // a resumed run reports the same figures).
    report.posted = c.byState["posted"] - c.alreadyPosted;
    report.alreadyPosted = c.alreadyPosted;
    report.rejected = c.byState["rejected"];
    report.undelivered = c.byState["planned"] + c.byState["pushing"] + c.byState["retryable"] + c.byState["unknown"];
    report.postedMinorByCurrency = c.postedAmountByCurrency;
    report.alreadyPostedMinorByCurrency = c.alreadyPostedAmountByCurrency;
    for (std::int64_t after = -1;;) {
        auto rejected = ledger_.entries(run_.fingerprint, rec.jobId, EntryState::Rejected, 200, after, false);
        if (rejected.empty()) break;
        for (const auto& r : rejected) report.addFailure({r.entryId, r.failureType, r.failureReason});
        after = rejected.back().seq;
        if (report.failures.size() >= JobReport::kMaxFailuresListed) {
            report.failuresNotListed = report.rejected - static_cast<std::int64_t>(report.failures.size());
            break;
        }
    }
    // Entries whose delivery is uncertain, with what the plugin said: a person may want to look.
    for (const auto& u : ledger_.entries(run_.fingerprint, rec.jobId, EntryState::Unknown, JobReport::kMaxFailuresListed, -1, false))
        report.unresolved.push_back({u.entryId, "unknown", u.failureReason});
    if (report.finalEvent == "closed_by_pleo") {
        // What was not delivered (or not acknowledged) before Pleo closed the job comes back in a
        // new job; the ledger keeps what was posted from being posted again.
        std::int64_t unacknowledged = report.posted + report.rejected - c.reported;
        std::int64_t neverFetched = std::max<std::int64_t>(0, rec.numberOfItems - c.total);
        std::int64_t left = report.undelivered + unacknowledged + neverFetched;
        if (left > 0)
            report.next = std::to_string(left) +
                          " entries were not delivered or not acknowledged before Pleo closed the job; Pleo offers them "
                          "again in a new export job (export them again in Pleo, or let the next scheduled run create "
                          "one). Entries already posted are recognised there and reported with their document, never "
                          "posted twice.";
    }
}

bool Engine::startJob(store::JobRecord& rec, JobReport& report) {
    if (rec.startedSent) {
        // A job we started earlier: make sure Pleo still has it in progress.
        JobInfo now = pleo_.getJob(rec.jobId);
        if (!rec.finalEvent.empty() && now.status == rec.finalEvent) {
            // We sent the final event and crashed before recording that: the job is done.
            rec.finalSent = true;
            rec.phase = "finished";
            ledger_.saveJob(rec);
            report.finalEvent = rec.finalEvent;
            return false;
        }
        if (now.status != "in_progress") throw JobClosedError("its status is " + now.status);
        return true;
    }
    try {
        confirmLease();
        pleo_.postEvent(rec.jobId, "started", "", "");
    } catch (const JobClosedError&) {
        // Either we sent `started` before a crash (then it is in progress: fine) or the job is
        // no longer ours to start.
        JobInfo now = pleo_.getJob(rec.jobId);
        if (now.status != "in_progress") {
            rec.phase = "finished";
            rec.finalReason = "Pleo refused to start the job (status " + now.status + ")";
            ledger_.saveJob(rec);
            report.finalEvent = "closed_by_pleo";
            report.finalReason = rec.finalReason;
            return false;
        }
    }
    rec.startedSent = true;
    ledger_.saveJob(rec);
    log::info("export job started", {{"job", rec.jobId}, {"items", rec.numberOfItems}});
    return true;
}

namespace {

StagedPage prepareForLedger(ItemPage page) {
    StagedPage out;
    out.endCursor = std::move(page.endCursor);
    out.hasNextPage = page.hasNextPage;
    out.entries.reserve(page.items.size());
    for (std::size_t i = 0; i < page.items.size(); ++i) {
        // ProtocolError: an item we could not even report on.
        ItemSummary s = page.summaries.size() == page.items.size() ? page.summaries[i] : summarizeItem(page.items[i]);
        store::LedgerEntry e;
        e.entryId = s.accountingEntryId;
        e.contentHash = contentHash(page.items[i]);
        // The key names the booking (mapped and normalised), not these bytes: the same entry in
        // another job, with other receipt URLs or field order, gets the same key.
        e.idempotencyKey = itemIdempotencyKey(page.items[i], s.accountingEntryId, e.contentHash);
        e.payload = std::move(page.items[i]);
        e.amountMinor = s.walletAmountMinor;
        e.currency = s.walletCurrency;
        out.entries.push_back(std::move(e));
    }
    return out;
}

/// What a lookup answer decides for an entry whose delivery is uncertain. Only a "posted" with
/// the target's id for the document, or a definite "absent", decides anything; every other
/// answer leaves the entry unknown (`why` says what the plugin answered).
struct LookupVerdict {
    EntryState state;
    std::string why;
};

LookupVerdict judgeLookup(const sdk::Outcome& found) {
    auto said = [&found](const std::string& what) {
        return "the lookup answered " + what + (found.message.empty() ? "" : " (" + found.message + ")");
    };
    switch (found.kind) {
        case sdk::OutcomeKind::Posted:
            if (!found.externalId.empty()) return {EntryState::Posted, {}};
            return {EntryState::Unknown, said("'posted' without the document's id in the target")};
        case sdk::OutcomeKind::Absent: return {EntryState::Planned, {}};
        case sdk::OutcomeKind::Rejected:
            return {EntryState::Unknown, said("'rejected'" + (found.failureReason.empty() ? "" : " " + found.failureReason) +
                                              ", which does not say whether the target has the entry")};
        case sdk::OutcomeKind::Retryable: return {EntryState::Unknown, said("'retry later'")};
        case sdk::OutcomeKind::Unknown: return {EntryState::Unknown, said("that it cannot tell")};
    }
    return {EntryState::Unknown, said("with an outcome kind the host does not know (" +
                                      std::to_string(static_cast<std::int32_t>(found.kind)) + ")")};
}

}  // namespace

// Fetching and delivering interleave. While the next page is on its way from Pleo, the entries
// already staged are pushed; the page is staged while the last batch's results are reported.
// Pleo still sees one request at a time (a page request waits for the report before it, a
// report waits for the page before it), and each page is staged with the cursor after it, so a
// crash re-fetches at most the page that was not committed. A run resumed after a crash starts
// with the entries staged before it (it delivers at once), so however often the process is
// killed, every run moves the job forward.
//
// One exception: the job's pages are asked for again from the start while entries are staged.
// That is the store's repair of a damaged staged item (Ledger::refetchItems): staging Pleo's
// copy is what restores the item, so every page is staged before anything is delivered.
void Engine::fetchAndDeliver(store::JobRecord& rec, JobReport& report, Progress& progress) {
    auto lastProgress = std::chrono::steady_clock::now();
    const bool rereading = !rec.itemsComplete && rec.itemsCursor.empty() && ledger_.counts(run_.fingerprint, rec.jobId).total > 0;
    while (!cancelled()) {
        if (!rec.itemsComplete && !nextPage_.valid()) requestNextPage(rec);
        while (!cancelled() && (!rereading || rec.itemsComplete) && deliverBatch(rec, report)) {
            // Counting still scans the job's index entries: at most once a second, and only
            // what the progress line shows (counts() reads every row: quadratic over a run).
            if (std::chrono::steady_clock::now() - lastProgress < std::chrono::seconds(1)) continue;
            lastProgress = std::chrono::steady_clock::now();
            const auto d = ledger_.decided(run_.fingerprint, rec.jobId);
            progress.update("delivering", d.posted + d.rejected, d.rejected);
        }
        if (rec.itemsComplete || cancelled()) return;  // a page still on its way is dropped by drainReporting
        stageNextPage(rec);
    }
}

void Engine::requestNextPage(const store::JobRecord& rec) {
    holdLease();   // a long fetch keeps the lease too
    awaitPleo();   // one Pleo request at a time
    nextPage_ = std::async(std::launch::async, [this, jobId = rec.jobId, cursor = rec.itemsCursor, run = runId_,
                                                conn = run_.connection] {
        log::LogContext context(run, conn);
        return prepareForLedger(pleo_.exportItems(jobId, cursor, settings_.pageSize));
    });
}

void Engine::stageNextPage(store::JobRecord& rec) {
    StagedPage page = nextPage_.get();
    if (page.hasNextPage && (page.endCursor.empty() || page.endCursor == rec.itemsCursor))
        throw ProtocolError("Pleo's export items for job " + rec.jobId +
                            " claim a next page but give no new cursor; stopping instead of looping");
    ledger_.stagePage(run_.fingerprint, rec.jobId, page.entries, page.endCursor, !page.hasNextPage);
    rec.itemsCursor = page.endCursor;
    rec.itemsComplete = !page.hasNextPage;
    if (rec.itemsComplete) {
        rec.phase = "delivering";
        ledger_.saveJob(rec);
    }
    step("staged");
}

void Engine::syncWithPleo(const store::JobRecord& rec) {
    // Pleo's view of each item: an item Pleo already has as successful or failed was reported by
    // us before a crash lost the acknowledgement; nothing needs to be sent for it again. Only
    // entries with an outcome we have not seen acknowledged can be affected. Sending such a
    // result again is harmless (Pleo takes the same update twice), so Pleo's view is read only
    // when that takes fewer requests than sending the results again: after a crash there are
    // at most a few batches, and reading every page of a large job before delivering anything
    // is what kept a repeatedly killed run from ever moving forward.
    auto c = ledger_.counts(run_.fingerprint, rec.jobId);
    const std::int64_t unacknowledged = c.byState["posted"] + c.byState["rejected"] - c.reported;
    if (unacknowledged <= 0) return;
    const std::int64_t resendRequests = (unacknowledged + 99) / 100;
    const std::int64_t readRequests = (std::max(c.total, rec.numberOfItems) + settings_.pageSize - 1) / settings_.pageSize;
    if (resendRequests <= readRequests) return;
    std::string cursor;
    std::vector<std::string> acknowledged;
    for (;;) {
        holdLease();
        JobItemPage page = pleo_.jobItems(rec.jobId, cursor, settings_.pageSize);
        for (const auto& item : page.items) {
            if (item.status != "successful" && item.status != "failed") continue;
            auto e = ledger_.entry(run_.fingerprint, rec.jobId, item.accountingEntryId);
            if (e && !e->reported && (e->state == EntryState::Posted || e->state == EntryState::Rejected))
                acknowledged.push_back(item.accountingEntryId);
        }
        if (!page.hasNextPage || page.endCursor.empty() || page.endCursor == cursor) break;
        cursor = page.endCursor;
    }
    for (std::size_t i = 0; i < acknowledged.size(); i += 500) {
        std::vector<std::string> chunk(acknowledged.begin() + static_cast<std::ptrdiff_t>(i),
                                       acknowledged.begin() + static_cast<std::ptrdiff_t>(std::min(acknowledged.size(), i + 500)));
        ledger_.markReported(run_.fingerprint, rec.jobId, chunk);
    }
}

void Engine::resolveInFlight(const store::JobRecord& rec, JobReport& /*report*/) {
    ReceiptCache receipts(settings_.receiptDir, [this](const std::string& url) { return pleo_.download(url); });
    // Entries found `pushing` become `unknown` when their lookup does not decide; the pass over
    // `unknown` entries then must not ask about them a second time.
    std::set<std::string> askedAlready;
    for (EntryState state : {EntryState::Pushing, EntryState::Unknown}) {
        for (std::int64_t after = -1;;) {
            auto inFlight = ledger_.entries(run_.fingerprint, rec.jobId, state, 100, after);
            if (inFlight.empty()) break;
            after = inFlight.back().seq;
            std::vector<store::LedgerEntry> decided;
            std::optional<std::string> lookupFailed;
            for (auto& e : inFlight) {
                if (!askedAlready.insert(e.entryId).second) continue;
                if (caps_.lookup) {
                    MappingResult m = mapItem(e.payload, rec.jobId, e.idempotencyKey);
                    if (!m.entry) {
                        e.state = EntryState::Planned;  // it could never have been pushed; mapping rejects it again
                        decided.push_back(e);
                        continue;
                    }
                    // The lookup gets the receipts too: a crash between creating a document and
                    // attaching its receipts leaves a document the plugin can complete.
                    if (caps_.attachments && !m.files.empty()) {
                        awaitPleo();
                        try {
                            attachReceipts(m, receipts);
                        } catch (const Exception& ex) {
                            m.entry->receipts.clear();
                            log::warn("a receipt could not be downloaded for the lookup of an interrupted entry; "
                                      "if the target has the entry, attach its receipts there by hand",
                                      {{"entry", e.entryId}, {"error", describe(ex)}});
                        }
                    }
                    holdLease();  // long lookups keep the lease too
                    LookupVerdict verdict{EntryState::Unknown, {}};
                    try {
                        sdk::Outcome found = target_.lookup(*m.entry);
                        verdict = judgeLookup(found);
                        if (verdict.state == EntryState::Posted) {
                            e.externalId = found.externalId;
                            e.externalUrl = found.externalUrl;
                            e.exportedAt = isoNow();
                        }
                    } catch (const std::exception& ex) {
                        pluginFailed_ = pluginFailed_ || dynamic_cast<const PluginProcessError*>(&ex) != nullptr;
                        // A lookup that failed (plugin error, timeout, crash) answers nothing; the
                        // plugin is unlikely to answer the next one, so the job stops here.
                        verdict.why = "the lookup failed: " + describe(ex);
                        lookupFailed = "the lookup of entry " + e.entryId + " in " + target_.name() + " failed (" +
                                       describe(ex) + "); entries whose delivery is uncertain stay unknown until a lookup answers";
                    }
                    e.state = verdict.state;
                    if (verdict.state == EntryState::Unknown) {
                        // Never pushed again on a guess: the next round or run asks again.
                        e.failureReason = "delivery to " + target_.name() + " is uncertain and " + verdict.why +
                                          "; the entry is looked up again, never pushed on a guess";
                        log::warn("an entry whose delivery is uncertain stays unknown",
                                  {{"entry", e.entryId}, {"reason", verdict.why}});
                    } else {
                        e.failureReason.clear();
                    }
                } else if (caps_.idempotencyKeys) {
                    e.state = EntryState::Planned;  // the target drops a second copy with the same key
                    e.failureReason.clear();
                } else {
                    // Neither lookup nor idempotency: pushing again could book it twice, so a person
                    // has to look. Pleo shows the entry as failed with this explanation.
                    e.state = EntryState::Rejected;
                    e.failureType = "unexpected_failure";
                    e.failureReason = "the delivery to " + target_.name() +
                                      " was interrupted and the plugin cannot look entries up; check whether entry " +
                                      e.entryId + " is in the accounting system and export it again if it is not";
                }
                decided.push_back(e);
                if (lookupFailed) break;
            }
            // A crash before this commit only repeats the lookups, which are safe to repeat (a
            // plugin that completes a found document does so once).
            ledger_.recordOutcomes(decided);
            if (lookupFailed) throw StopJob{*lookupFailed};
        }
    }
}

bool Engine::deliverBatch(const store::JobRecord& rec, JobReport& report) {
    auto batch = ledger_.entries(run_.fingerprint, rec.jobId, EntryState::Planned,
                                 static_cast<std::size_t>(settings_.batchSize));
    if (batch.empty()) return false;

    ReceiptCache receipts(settings_.receiptDir, [this](const std::string& url) { return pleo_.download(url); });
    std::vector<Prepared> prepared;
    std::vector<store::LedgerEntry> settled;  // decided without the target: recorded together below
    const auto postedBefore = ledger_.postedElsewhere(run_.fingerprint, idsOf(batch), rec.jobId);
    for (auto& e : batch) {
        if (auto found = postedBefore.find(e.entryId); found != postedBefore.end()) {
            const store::LedgerEntry& earlier = found->second;
            // Exported before under another job (e.g. one that expired): report it, never post it again.
            e.state = EntryState::Posted;
            e.externalId = earlier.externalId;
            e.externalUrl = earlier.externalUrl;
            e.exportedAt = earlier.exportedAt.empty() ? isoNow() : earlier.exportedAt;
            settled.push_back(e);
            ++report.alreadyPosted;
            continue;
        }
        MappingResult m = mapItem(e.payload, rec.jobId, e.idempotencyKey);
        std::optional<sdk::Outcome> rejected;
        if (!m.entry)
            rejected = sdk::Outcome::rejected(m.failureReason, m.message);
        else
            rejected = sdk::validateEntry(*m.entry);
        if (!rejected && caps_.attachments && !m.files.empty()) {
            awaitPleo();  // one Pleo request at a time: the client is not shared between threads
            try {
                attachReceipts(m, receipts);
            } catch (const Exception& ex) {
                rejected = sdk::Outcome::rejected("receipt_download_failure", describe(ex));
            }
        }
        if (rejected) {
            e.state = EntryState::Rejected;
            e.failureType = rejected->failureReason;
            e.failureReason = rejected->message;
            settled.push_back(e);
            continue;
        }
        prepared.push_back(Prepared{e, std::move(*m.entry)});
    }
    if (prepared.empty()) ledger_.recordOutcomes(settled);

    if (!prepared.empty()) {
        std::vector<sdk::Entry> entries;
        std::vector<std::string> ids;
        for (const auto& p : prepared) {
            entries.push_back(p.entry);
            ids.push_back(p.ledger.entryId);
        }
        holdLease();  // a run that lost its lease pushes nothing more
        // Before the target sees anything; the batch's entries decided without it in the same commit.
        ledger_.markPushing(run_.fingerprint, rec.jobId, ids, settled);
        step("pushing");
        PushResult pushed;
        try {
            pushed = target_.pushBefore(entries, pushDeadline());
        } catch (const PluginError& e) {
            pluginFailed_ = pluginFailed_ || dynamic_cast<const PluginProcessError*>(&e) != nullptr;
            // The whole batch failed inside the plugin: what reached the target is unknown.
            std::vector<store::LedgerEntry> unknown;
            for (auto& p : prepared) {
                p.ledger.state = EntryState::Unknown;
                unknown.push_back(p.ledger);
            }
            ledger_.recordOutcomes(unknown);
            throw StopJob{describe(e), "accounting_system_unreachable"};
        }
        step("pushed");
        std::vector<bool> answered(prepared.size(), false);
        for (const auto& o : pushed.outcomes) {
            if (o.entryIndex >= prepared.size() || answered[o.entryIndex]) continue;  // a confused plugin is ignored, not trusted
            answered[o.entryIndex] = true;
            store::LedgerEntry& e = prepared[o.entryIndex].ledger;
            // An answer the host cannot read says nothing about what the target has: unknown,
            // resolved by lookup like a timeout (never pushed again on a guess).
            e.state = EntryState::Unknown;
            e.failureReason = "the plugin answered the push with an outcome kind the host does not know (" +
                              std::to_string(static_cast<std::int32_t>(o.kind)) + ")";
            switch (o.kind) {
                case sdk::OutcomeKind::Posted:
                    if (o.externalId.empty()) {
                        e.failureReason = "the plugin answered 'posted' without the document's id in the target";
                        break;
                    }
                    e.state = EntryState::Posted;
                    e.externalId = o.externalId;
                    e.externalUrl = o.externalUrl;
                    e.exportedAt = isoNow();
                    e.failureReason.clear();
                    break;
                case sdk::OutcomeKind::Rejected:
                    e.state = EntryState::Rejected;
                    e.failureType = o.failureReason.empty() ? "accounting_system_validation_failure" : o.failureReason;
                    e.failureReason = o.message;
                    break;
                case sdk::OutcomeKind::Retryable:
                    e.state = EntryState::Retryable;
                    e.failureReason = o.message;
                    break;
                case sdk::OutcomeKind::Unknown:
                case sdk::OutcomeKind::Absent:
                    e.state = EntryState::Unknown;
                    e.failureReason = o.message;
                    break;
            }
        }
        std::vector<store::LedgerEntry> outcomes;
        for (std::size_t i = 0; i < prepared.size(); ++i) {
            // Not attempted (e.g. cancelled): safe to push later.
            if (!answered[i]) prepared[i].ledger.state = EntryState::Planned;
            outcomes.push_back(prepared[i].ledger);
        }
        ledger_.recordOutcomes(outcomes);  // the batch's outcomes in one commit
        if (!pushed.error.empty()) {
            awaitPleo();
            reportResults(rec);  // what did get through is reported before the job stops
            throw StopJob{pushed.error, "accounting_system_unreachable"};
        }
    }
    // The report covers exactly this batch and anything left before it (a fixed set, whatever
    // the next batch does meanwhile).
    reportInBackground(rec, batch.back().seq);
    return true;
}

// Between steps the run only asks whether its lease is still held: the keeper renews it in the
// background, and the fence in each ledger write is what actually keeps a stale run out. When
// the lease is lost (the process stalled longer than its life and another run may have taken
// it over), that run does this work, so this one stops before it pushes anything more.
// Renewing in line instead (renewLeaseInBackground off), the lease is renewed well before it
// could lapse, not at every step: renewed less than a tenth of its life ago, it cannot have
// lapsed.
void Engine::holdLease() {
    if (keeper_ != nullptr) {
        keeper_->check();
        return;
    }
    if (store::nowMs() - leaseRenewedMs_ <= settings_.leaseMs / 10) return;
    confirmLease();
}

// The batch must not reach the plugin once another run could hold the lease: a process paused
// (SIGSTOP, a frozen VM) between marking the batch `pushing` and sending it would otherwise push
// it after the run that took over had looked those entries up, found nothing and pushed them
// itself. So the lease is confirmed in the store right before (a fenced renewal) and the batch
// carries a deadline half a lease later, which the plugin host checks just before it calls the
// plugin. A batch too late is refused unpushed (LockBusyError: the run ends busy, the entries
// stay `pushing` for the lease holder's lookup). Without a lease (a dry run) there is no deadline.
//
// The clock is read before the confirmation, never after it: a process paused while its
// confirmation was on the way (committed by the database, the answer not yet read: with
// PostgreSQL a whole network round trip) would otherwise count the half lease from when it woke,
// long after another run could have taken the lease over, looked the entries up and pushed them.
std::int64_t Engine::pushDeadline() {
    if (settings_.dryRun) return 0;
    const std::int64_t confirmationSent = steadyNowMs();
    confirmLease();
    step("lease confirmed");
    return confirmationSent + settings_.leaseMs / 2;
}

// A report to Pleo cannot share a transaction with the store, so the lease is confirmed (a
// fenced renewal) immediately before it. What remains is the time of one request: see
// core/store/README.md ("Leases") for why reporting in that window is harmless.
void Engine::confirmLease() {
    try {
        store::Leases(store_).confirm(fence_);
    } catch (const store::LeaseLostError& e) {
        throw store::LeaseLostError("the run lease of connection '" + run_.connection + "' was lost, so this run stopped "
                                    "before its next push or report to Pleo (the run that holds the lease continues the "
                                    "job): " + e.what());
    }
    leaseRenewedMs_ = store::nowMs();
}

// Reporting a batch's results is a round trip to Pleo that needs nothing from the next batch,
// and mapping and pushing the next batch needs nothing from Pleo (unless it has receipts to
// download, which waits for the report first): the two overlap. Nothing about durability
// changes: results are reported only after their outcomes are committed, and marked reported
// only after Pleo accepted them; at most one report is in flight, so Pleo sees one request at
// a time, in order.
void Engine::reportInBackground(const store::JobRecord& rec, std::int64_t upToSeq) {
    awaitPleo();
    reporting_ = std::async(std::launch::async, [this, rec, upToSeq, run = runId_, conn = run_.connection] {
        log::LogContext context(run, conn);
        reportResults(rec, upToSeq);
    });
}

void Engine::awaitReporting() {
    if (reporting_.valid()) reporting_.get();
}

void Engine::awaitPleo() {
    awaitReporting();
    if (nextPage_.valid()) nextPage_.wait();
}

void Engine::drainReporting() {
    // The job stops anyway; a failed background report leaves its entries unreported for the
    // next run, which reports them first. Other errors of that report are logged, not lost.
    try {
        awaitReporting();
    } catch (const std::exception& e) {
        log::warn("reporting results to Pleo failed while the job was stopping; the next run reports them",
                  {{"error", describe(e)}});
    } catch (...) {
        log::warn("reporting results to Pleo stopped while the job was stopping; the next run reports them");
    }
    if (nextPage_.valid()) {
        nextPage_.wait();
        nextPage_ = {};  // not staged: the next run fetches it again from the staged cursor
    }
}

void Engine::reportResults(const store::JobRecord& rec, std::int64_t upToSeq) {
    for (;;) {
        std::set<std::string> skip;
        {
            std::lock_guard<std::mutex> lock(refusedMutex_);
            skip = refused_;
        }
        // Results Pleo refused this run stay unreported (never marked acknowledged) and are
        // sent again by the next run, not in a loop now.
        auto candidates = ledger_.unreported(run_.fingerprint, rec.jobId, 100 + skip.size(), upToSeq);
        std::vector<store::LedgerEntry> done;
        for (auto& e : candidates)
            if (!skip.count(rec.jobId + "/" + e.entryId) && done.size() < 100) done.push_back(std::move(e));
        if (done.empty()) return;
        std::vector<ItemResult> results;
        for (const auto& e : done) {
            ItemResult r;
            r.accountingEntryId = e.entryId;
            r.successful = e.state == EntryState::Posted;
            if (r.successful) {
                r.externalId = e.externalId;
                r.externalUrl = e.externalUrl;
                r.exportedAt = e.exportedAt;
            } else {
                r.failureReasonType = e.failureType;
                r.failureReason = e.failureReason;
            }
            results.push_back(std::move(r));
        }
        confirmLease();
        auto refused = pleo_.putResults(rec.jobId, results);
        std::set<std::string> notTaken;
        if (!refused.empty()) {
            std::lock_guard<std::mutex> lock(refusedMutex_);
            for (auto& r : refused) {
                notTaken.insert(r.accountingEntryId);
                if (refused_.insert(rec.jobId + "/" + r.accountingEntryId).second) refusedDetails_.push_back(std::move(r));
            }
        }
        std::vector<std::string> taken;
        for (const auto& e : done)
            if (!notTaken.count(e.entryId)) taken.push_back(e.entryId);
        ledger_.markReported(run_.fingerprint, rec.jobId, taken);
        step("reported");
    }
}

void Engine::finishJob(store::JobRecord& rec, JobReport& report) {
    auto c = ledger_.counts(run_.fingerprint, rec.jobId);
    std::int64_t open = c.byState["planned"] + c.byState["pushing"] + c.byState["unknown"] + c.byState["retryable"];
    if (cancelled() && (open > 0 || !rec.itemsComplete))
        throw StopJob{"the run was interrupted; " + std::to_string(open) + " entries are not delivered yet" +
                      (rec.itemsComplete ? "" : " and the job's items are not all fetched")};
    if (!rec.itemsComplete) throw StopJob{"the job's items are not all fetched yet"};
    if (c.byState["unknown"] + c.byState["pushing"] > 0)
        throw StopJob{std::to_string(c.byState["unknown"] + c.byState["pushing"]) + " entries may have reached " +
                      target_.name() + " but its lookup did not confirm whether they did (see the entries listed); they "
                      "stay unknown, are looked up again by the next run and are never pushed on a guess"};
    if (open > 0)
        throw StopJob{std::to_string(open) + " entries could not be delivered yet (the target asked to retry)",
                      "accounting_system_unreachable"};
    holdLease();
    reportResults(rec);
    {
        // A result Pleo did not record is not acknowledged: the job cannot be completed over it.
        std::lock_guard<std::mutex> lock(refusedMutex_);
        std::int64_t n = 0;
        std::string first;
        for (const auto& r : refusedDetails_)
            if (refused_.count(rec.jobId + "/" + r.accountingEntryId)) {
                if (n++ == 0) first = r.accountingEntryId + " (" + r.type + ": " + r.message + ")";
            }
        if (n > 0)
            throw StopJob{"Pleo did not record the results of " + std::to_string(n) + " entries, e.g. " + first +
                              "; they are sent again by the next run",
                          "validation_failure"};
    }
    if (rec.finalEvent.empty()) {
        rec.finalEvent = c.byState["rejected"] > 0 ? "completed_with_errors" : "completed";
        rec.phase = "reporting";
        ledger_.saveJob(rec);  // decided before sent: a crash sends the same event again
    }
    try {
        confirmLease();
        pleo_.postEvent(rec.jobId, rec.finalEvent, "", "");
    } catch (const JobClosedError&) {
        JobInfo now = pleo_.getJob(rec.jobId);
        if (now.status != rec.finalEvent) throw;  // closed some other way: handled by processJob
    }
    step("final");
    JobStops(store_).clear(run_.fingerprint, rec.jobId);
    rec.finalSent = true;
    rec.phase = "finished";
    ledger_.saveJob(rec);
    report.finalEvent = rec.finalEvent;
    log::info("export job finished", {{"job", rec.jobId}, {"event", rec.finalEvent},
                                      {"posted", c.byState["posted"]},
                                      {"rejected", c.byState["rejected"]}});
}

// ---- dry run ----------------------------------------------------------------------------------

namespace {
/// A dry run's line for an entry that would be rejected: {"jobId","entryId","rejected","message"}.
void writeRejectedLine(std::ostream& out, const std::string& jobId, const std::string& entryId, const sdk::Outcome& o) {
    Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
    line.set("jobId", jobId);
    line.set("entryId", entryId);
    line.set("rejected", o.failureReason);
    line.set("message", o.message);
    line.stringify(out);
    out << '\n';
}
}  // namespace

void Engine::planBatchInto(const JobInfo& job, const std::vector<sdk::Entry>& batch, JobReport& report,
                           std::ostream& out) {
    // Every entry of the batch is accounted for: planned (its documents go to the report file
    // and it counts as "planned"), rejected by the plugin exactly as push would reject it (a
    // failure in the report, like the host's own validation), or neither — a plugin that broke
    // the dry-run contract, counted undelivered with a failure that says so, never dropped.
    // PluginClient::plan already refused indices outside the batch and contradictory answers.
    const sdk::PlanResult plan = target_.plan(batch);
    std::vector<bool> planned(batch.size(), false), rejected(batch.size(), false);
    for (const auto& doc : plan.documents) {
        Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
        line.set("jobId", job.id);
        line.set("entryId", batch.at(doc.entryIndex).accountingEntryId);
        line.set("action", doc.action);
        line.set("contentType", doc.contentType);
        line.set("body", doc.body);
        line.stringify(out);
        out << '\n';
        planned[doc.entryIndex] = true;
    }
    for (const auto& o : plan.rejections) {
        const sdk::Entry& e = batch.at(o.entryIndex);
        writeRejectedLine(out, job.id, e.accountingEntryId, o);
        rejected[o.entryIndex] = true;
        ++report.rejected;
        report.addFailure({e.accountingEntryId, o.failureReason, o.message});
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (planned[i]) {
            ++report.posted;
            report.postedMinorByCurrency[batch[i].totalWallet.currency] += batch[i].totalWallet.minor;
        } else if (!rejected[i]) {
            ++report.undelivered;
            report.addFailure({batch[i].accountingEntryId, "not_planned",
                               "the plugin's dry run gave neither a document nor a rejection for this entry"});
        }
    }
}

void Engine::dryRunJob(const JobInfo& job, JobReport& report) {
    // Reads everything, plans everything, changes nothing: no events, no item updates, no
    // ledger rows, nothing sent to the target. The planned documents go to a JSON-lines file.
    // Created 0600 before the stream opens it: the plan holds every document's accounts,
    // suppliers and amounts.
    const int created = ::open(settings_.dryRunReport.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (created >= 0) ::close(created);
    std::ofstream out(settings_.dryRunReport, std::ios::app);
    if (!out) throw IoError("cannot write the dry-run report " + settings_.dryRunReport);
    std::string cursor;
    for (;;) {
        ItemPage page = pleo_.exportItems(job.id, cursor, settings_.pageSize);
        std::vector<sdk::Entry> valid;
        for (const auto& json : page.items) {
            ++report.fetched;
            ItemSummary s = summarizeItem(json);
            if (auto earlier = ledger_.postedElsewhere(run_.fingerprint, s.accountingEntryId, job.id)) {
                ++report.alreadyPosted;
                report.alreadyPostedMinorByCurrency[earlier->currency] += earlier->amountMinor;
                continue;
            }
            std::string key = itemIdempotencyKey(json, s.accountingEntryId, contentHash(json));
            MappingResult m = mapItem(json, job.id, key);
            std::optional<sdk::Outcome> rejected = m.entry ? sdk::validateEntry(*m.entry)
                                                           : std::optional<sdk::Outcome>(sdk::Outcome::rejected(m.failureReason, m.message));
            if (rejected) {
                ++report.rejected;
                report.addFailure({s.accountingEntryId, rejected->failureReason, rejected->message});
                writeRejectedLine(out, job.id, s.accountingEntryId, *rejected);
                continue;
            }
            valid.push_back(std::move(*m.entry));
        }
        for (std::size_t i = 0; i < valid.size(); i += static_cast<std::size_t>(settings_.batchSize)) {
            std::vector<sdk::Entry> batch(valid.begin() + static_cast<std::ptrdiff_t>(i),
                                          valid.begin() + static_cast<std::ptrdiff_t>(std::min(valid.size(), i + static_cast<std::size_t>(settings_.batchSize))));
            planBatchInto(job, batch, report, out);
        }
        if (!page.hasNextPage || page.endCursor.empty() || page.endCursor == cursor) break;
        cursor = page.endCursor;
    }
    report.finalEvent = "dry_run";
}

}  // namespace ledgerbridge::exporter
