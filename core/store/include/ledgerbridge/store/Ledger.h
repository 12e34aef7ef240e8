// The export ledger: what the host knows about every export job and every entry in it, written
// before and after each step so a run killed at any instant resumes exactly where it stopped.
//
// An entry moves   planned -> pushing -> posted | rejected | retryable | unknown
// and, once Pleo accepted our result for it, `reported` becomes true. `pushing` and `unknown`
// mean "we may have written it to the target": before any retry the engine must resolve them
// through the plugin's lookup (by idempotency key / reference), never push blindly.
// An entry posted under one job counts as posted for the same entry id in any later job of the
// same environment, so a re-exported expense is never booked twice.
// Every staged export item keeps the SHA-256 it had when staged; the ledger checks it whenever
// it hands the item out (Integrity.h), so a changed byte stops the job instead of being booked.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

enum class EntryState { Planned, Pushing, Posted, Rejected, Retryable, Unknown };

const char* toString(EntryState s);
/// Throws StoreError for an unknown name (a corrupted row).
EntryState entryStateFromString(const std::string& s);

struct LedgerEntry {
    std::string fingerprint;
    std::string jobId;
    std::string entryId;         ///< Pleo accountingEntryId
    std::int64_t seq = 0;        ///< order within the job (fetch order)
    std::string payload;         ///< the export item JSON as Pleo sent it
    std::string contentHash;     ///< SHA-256 of the payload
    std::string idempotencyKey;  ///< derived from entry id + content; stable across retries
    std::int64_t amountMinor = 0;
    std::string currency;
    EntryState state = EntryState::Planned;
    std::string externalId;
    std::string externalUrl;
    std::string exportedAt;      ///< ISO-8601 UTC
    std::string failureType;     ///< Pleo failureReasonType for rejected entries
    std::string failureReason;
    int attempts = 0;
    bool reported = false;
};

struct JobRecord {
    std::string fingerprint;
    std::string jobId;
    std::string connection;
    std::string phase;           ///< "fetching", "delivering", "reporting", "finished"
    std::int64_t numberOfItems = 0;
    std::string itemsCursor;     ///< where fetching resumes (endCursor of the last stored page)
    bool itemsComplete = false;
    bool startedSent = false;
    std::string finalEvent;      ///< decided final event, e.g. "completed_with_errors"
    std::string finalReason;
    bool finalSent = false;
    std::string runId;
};

/// Counts of one job's entries, for progress and the report.
/// "Already posted" entries are in state posted (byState counts them there) but were never
/// offered to the target in this job: they were recognised as posted under an earlier job
/// (postedElsewhere) and settled without an attempt. Every entry this job pushed has
/// attempts >= 1 (markPushing counts it), so `attempts = 0` tells the two apart durably,
/// also in a run that resumes the job.
struct JobCounts {
    std::map<std::string, std::int64_t> byState;  ///< state name -> count
    std::int64_t total = 0;
    std::int64_t reported = 0;
    std::int64_t alreadyPosted = 0;                              ///< of byState["posted"]
    std::map<std::string, std::int64_t> postedAmountByCurrency;  ///< minor units, posted by this job
    std::map<std::string, std::int64_t> alreadyPostedAmountByCurrency;  ///< minor units, posted earlier
};

class Ledger {
public:
    explicit Ledger(StateStore& store) : store_(store) {}

    /// Fences this object's writes: from now on each write (saveJob, stagePage, refetchItems,
    /// markPushing, recordOutcome(s), markReported) first checks in its own transaction that
    /// `fence` still holds its lease (Leases::checkFence) and, when it does not, throws
    /// LeaseLostError and writes nothing. The export engine fences its ledger with its run lease,
    /// so a replica that lost the lease cannot write a ledger step. Set before the object is
    /// shared between threads.
    void fence(std::optional<LeaseFence> f) { fence_ = std::move(f); }

    std::optional<JobRecord> job(const std::string& fingerprint, const std::string& jobId);
    /// Inserts the job or updates its mutable fields.
    void saveJob(const JobRecord& job);
    /// Jobs of this environment (and connection) that are not finished, oldest first.
    std::vector<JobRecord> unfinishedJobs(const std::string& fingerprint, const std::string& connection);

    /// Stores one fetched page atomically with the cursor that follows it: a crash between pages
    /// re-fetches at most one page, and entries already stored are left as they are (unless
    /// their stored item is damaged: see refetchItems). Each entry's contentHash must be the
    /// SHA-256 of its payload.
    void stagePage(const std::string& fingerprint, const std::string& jobId, const std::vector<LedgerEntry>& entries,
                   const std::string& nextCursor, bool complete);

    /// Up to `limit` entries of the job in `state`, in fetch order, with seq > `afterSeq`; with
    /// their export item (payload) unless `withPayload` is false.
    /// Every item handed out with its payload has been checked against the SHA-256 recorded when
    /// it was staged: a changed or missing item throws StagedItemDamaged (a StoreError) naming the
    /// job and the entry, and marks the job's items to be read from Pleo again (refetchItems).
    /// `entry` does the same.
    std::vector<LedgerEntry> entries(const std::string& fingerprint, const std::string& jobId, EntryState state,
                                     std::size_t limit, std::int64_t afterSeq = -1, bool withPayload = true);
    /// One entry; with its (checked) export item unless `withPayload` is false — callers that
    /// need only the entry's state should say so: a damaged item they do not use stops nothing.
    std::optional<LedgerEntry> entry(const std::string& fingerprint, const std::string& jobId, const std::string& entryId,
                                     bool withPayload = true);

    /// The next run reads the job's items from Pleo again from the first page. Entries already
    /// staged stay as they are, except a damaged stored item, which stagePage replaces by Pleo's
    /// copy when that copy has the recorded SHA-256 (or, for an entry never offered to the
    /// target — planned, no attempt — by Pleo's current copy).
    void refetchItems(const std::string& fingerprint, const std::string& jobId);

    /// The same entry already posted under another job of this environment, if any.
    std::optional<LedgerEntry> postedElsewhere(const std::string& fingerprint, const std::string& entryId,
                                               const std::string& exceptJobId);
    /// The same for a batch of entries in one call: entry id -> the posted entry, for those found.
    std::map<std::string, LedgerEntry> postedElsewhere(const std::string& fingerprint,
                                                       const std::vector<std::string>& entryIds,
                                                       const std::string& exceptJobId);

    /// Moves entries to `pushing` (and counts an attempt) in one transaction, before the push;
    /// `settled` (outcomes of the same batch decided without the target: rejected by mapping,
    /// posted under another job) are recorded in the same commit, so a batch costs one fsync
    /// before its push, not two.
    void markPushing(const std::string& fingerprint, const std::string& jobId, const std::vector<std::string>& entryIds,
                     const std::vector<LedgerEntry>& settled = {});

    /// Records one entry's outcome (posted / rejected / retryable / unknown) durably.
    void recordOutcome(const LedgerEntry& outcome);
    /// Several outcomes in one transaction (all or none).
    void recordOutcomes(const std::vector<LedgerEntry>& outcomes);

    /// Entries with a final outcome (posted or rejected) that Pleo has not yet acknowledged
    /// (without their payload: reporting needs only the outcome).
    /// Only entries with seq <= `upToSeq`: a batch's report covers what was decided up to it.
    std::vector<LedgerEntry> unreported(const std::string& fingerprint, const std::string& jobId, std::size_t limit,
                                        std::int64_t upToSeq = std::numeric_limits<std::int64_t>::max());
    void markReported(const std::string& fingerprint, const std::string& jobId, const std::vector<std::string>& entryIds);

    JobCounts counts(const std::string& fingerprint, const std::string& jobId);

    /// Posted and rejected entries of the job, for a progress line: read from ledger_by_state
    /// alone (a covering index), unlike counts(), whose sums read every row of the job. Called
    /// once a second over a 100,000-entry job, counts() made the run quadratic.
    struct Decided {
        std::int64_t posted = 0, rejected = 0;
    };
    Decided decided(const std::string& fingerprint, const std::string& jobId);

private:
    void restoreIfDamaged(const std::string& fingerprint, const std::string& jobId, const LedgerEntry& fresh);
    [[noreturn]] void stopOnDamage(const std::string& fingerprint, const std::string& jobId, const std::string& entryId,
                                   const std::string& damage);
    /// `UPDATE ledger SET <set>` for each listed entry of the job, in the caller's transaction.
    void updateEach(const std::string& fingerprint, const std::string& jobId, const std::vector<std::string>& ids,
                    const std::string& set);
    /// A write transaction, with the fence checked first when there is one.
    void write(const std::function<void(Session&)>& work,
               StateStore::Durability durability = StateStore::Durability::PowerLoss);
    /// Writes each outcome, in the caller's transaction.
    void writeOutcomes(const std::vector<LedgerEntry>& outcomes);

    StateStore& store_;
    std::optional<LeaseFence> fence_;
};

}  // namespace ledgerbridge::store
