// The report of one run of one connection: per job, how many entries were fetched, posted,
// rejected, already posted earlier (skipped) or left undelivered, the posted amounts per
// currency, requests made, and every failure with its reason. Stored as JSON in the run
// history and printed for a person at the end of `ledgerbridge run`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ledgerbridge/common/ExitCode.h"

namespace ledgerbridge::exporter {

struct EntryFailure {
    std::string entryId;
    std::string reason;   ///< Pleo failureReasonType
    std::string message;
};

struct JobReport {
    std::string jobId;
    std::int64_t fetched = 0;
    std::int64_t posted = 0;
    std::int64_t rejected = 0;
    std::int64_t alreadyPosted = 0;   ///< posted by an earlier job or run, reported again, not re-posted
    std::int64_t undelivered = 0;     ///< retryable/unknown at the end (the job stays open for the next run)
    std::map<std::string, std::int64_t> postedMinorByCurrency;         ///< posted by this job (dry run: planned)
    std::map<std::string, std::int64_t> alreadyPostedMinorByCurrency;  ///< posted earlier, reported again
    std::string finalEvent;           ///< completed | completed_with_errors | closed_by_pleo | dry_run | "" (still open)
    std::string finalReason;
    std::vector<EntryFailure> failures;   ///< at most kMaxFailuresListed
    std::int64_t failuresNotListed = 0;
    /// Entries that may have reached the target but whose lookup did not confirm it (at most
    /// kMaxFailuresListed), with what the plugin answered: they stay unknown, never pushed again
    /// on a guess, and keep the job open.
    std::vector<EntryFailure> unresolved;
    std::string next;                 ///< what happens next when the job did not end by itself (e.g. Pleo closed it early)
    /// Results Pleo did not record (its PUT's `errors`): not acknowledged, sent again next run.
    std::vector<EntryFailure> notRecordedByPleo;

    static constexpr std::size_t kMaxFailuresListed = 500;
    void addFailure(EntryFailure f);
};

struct RunReport {
    std::string runId;
    std::string connection;
    std::string environment;
    std::string plugin;
    bool dryRun = false;
    /// False for a run that ended before its export began (plugin missing or refused, another
    /// process holding the connection's run lease, no usable credential): recorded in the
    /// history all the same, with `error` saying why.
    bool started = true;
    /// ok | completed_with_errors | closed_by_pleo (a job expired with entries left) | failed |
    /// needs_reauth | interrupted | busy (another process holds or took the run lease) | ...
    std::string outcome = "ok";
    std::string error;                ///< why the run failed, when it did
    std::int64_t startedAtMs = 0;
    std::int64_t finishedAtMs = 0;
    std::int64_t pleoRequests = 0;
    /// Pleo's answers by HTTP status ("200", "429"; "error" = no answer), retries included.
    std::map<std::string, std::int64_t> pleoRequestsByStatus;
    std::int64_t targetRequests = 0;
    std::vector<JobReport> jobs;
    std::string outputHint;           ///< where to look at the result (e.g. the CSV folder)
    /// Automatic export: what this run did about ready entries ("" when it was not asked to).
    std::string autoExport;

    /// The jobs' figures added up (amounts per currency).
    JobReport totals() const;

    std::string toJson() const;
    /// A report read back from toJson()'s text (the run history), so `history show` prints
    /// what `run` printed. Fields a report of an older version lacks keep their defaults; the
    /// start and end are not in the JSON (only the duration): startedAtMs is 0. Throws
    /// std::runtime_error naming the problem for text that is not such a report.
    static RunReport fromJson(const std::string& json);
    /// Several lines for a person: a summary line per job, failures, amounts.
    std::string toText() const;
    /// The exit code this outcome stands for.
    ExitCode exitCode() const;
};

}  // namespace ledgerbridge::exporter
