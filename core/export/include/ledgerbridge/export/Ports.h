// What the export engine needs from the outside world, and nothing more: Pleo's export-job
// API (PleoExports) and one configured plugin instance (ExportTarget). The production
// implementations adapt the Pleo client (core/pleo) and the plugin loader (core/loader); tests
// use in-memory doubles to drive the engine through crashes deterministically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/SteadyClock.h"
#include "ledgerbridge/export/ItemMapper.h"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::exporter {

struct JobInfo {
    std::string id;
    std::string status;           ///< pending | in_progress | completed | completed_with_errors | failed
    std::int64_t numberOfItems = 0;
};

/// One page of export items: the raw JSON of each item, in order, and (when the client
/// already parsed them) each item's summary, so the engine need not parse it again.
struct ItemPage {
    std::vector<std::string> items;
    std::vector<ItemSummary> summaries;  ///< empty, or one per item
    std::string endCursor;
    bool hasNextPage = false;
};

/// What Pleo knows about one item of a job (GET /v3/export-jobs/{id}/items).
struct JobItemStatus {
    std::string accountingEntryId;
    std::string status;           ///< pending | in_progress | failed | successful | abandoned
    std::string externalId;
};

struct JobItemPage {
    std::vector<JobItemStatus> items;
    std::string endCursor;
    bool hasNextPage = false;
};

/// One result to report (PUT /v3/export-jobs/{id}/items).
struct ItemResult {
    std::string accountingEntryId;
    bool successful = false;
    std::string externalId, externalUrl, exportedAt;   ///< successful
    std::string failureReasonType, failureReason;      ///< failed
};

/// One result Pleo did not record (the `errors` of PUT /v3/export-jobs/{id}/items).
struct ItemRejection {
    std::string accountingEntryId;
    std::string type;
    std::string message;
};

/// Which accounting entries an automatic export takes (POST /v1/accounting-entries:search).
struct ReadyEntriesFilter {
    std::vector<std::string> reviewStatus;  ///< Pleo's ReviewStatus values
    std::vector<std::string> families;      ///< Pleo's AccountingEntryFamily values; empty = any
};

/// Thrown by PleoExports when the job can no longer be changed (finished or expired: 404/422).
class JobClosedError : public Exception {
public:
    using Exception::Exception;
};

/// Thrown by PleoExports::createJob for 409 EXPORT_ALREADY_IN_PROGRESS.
class JobAlreadyActiveError : public Exception {
public:
    using Exception::Exception;
};

/// Thrown by PleoExports::createJob for 400 MISSING_CONTRA_ACCOUNTS: an operator must map
/// contra accounts in Pleo's accounting settings; retrying changes nothing.
class MissingContraAccountsError : public Exception {
public:
    using Exception::Exception;
};

class PleoExports {
public:
    virtual ~PleoExports() = default;
    /// Jobs of the company in any of `statuses`, all pages.
    virtual std::vector<JobInfo> listJobs(const std::string& companyId, const std::vector<std::string>& statuses) = 0;
    virtual JobInfo getJob(const std::string& jobId) = 0;
    /// POST /v3/export-jobs for `entryIds` (non-interactive). Throws JobAlreadyActiveError on 409.
    virtual JobInfo createJob(const std::string& companyId, const std::vector<std::string>& entryIds) = 0;
    /// Ids of the company's accounting entries that are ready to export (not exported, settled,
    /// matching `filter`), at most `max`, oldest first as Pleo pages them.
    virtual std::vector<std::string> searchReadyEntries(const std::string& companyId, const ReadyEntriesFilter& filter,
                                                        int max) = 0;
    /// POST /v3/export-job-events. Throws JobClosedError on 422 (invalid transition).
    virtual void postEvent(const std::string& jobId, const std::string& event, const std::string& failureReasonType,
                           const std::string& failureReason) = 0;
    /// GET /v3/export-items?job_id= one page after `cursor` ("" = first).
    virtual ItemPage exportItems(const std::string& jobId, const std::string& cursor, int limit) = 0;
    /// GET /v3/export-jobs/{id}/items one page after `cursor`.
    virtual JobItemPage jobItems(const std::string& jobId, const std::string& cursor, int limit) = 0;
    /// PUT /v3/export-jobs/{id}/items with at most 100 results. Throws JobClosedError on 404/422.
    /// Returns the results Pleo did not record (its `errors`): those are not acknowledged.
    virtual std::vector<ItemRejection> putResults(const std::string& jobId, const std::vector<ItemResult>& results) = 0;
    /// Downloads a receipt URL's bytes.
    virtual std::string download(const std::string& url) = 0;
    /// Requests made so far (for the report).
    virtual std::int64_t requestCount() const = 0;
};

/// The plugin's capabilities the engine acts on.
struct TargetCapabilities {
    bool idempotencyKeys = false;  ///< the target de-duplicates on the idempotency key
    bool lookup = false;           ///< lookup() can resolve an unknown outcome
    bool attachments = false;      ///< receipts are delivered (download them)
};

/// What a push returned: the outcomes the plugin reported, and an error when the call ended
/// with one. Entries without an outcome were not attempted (the ABI's contract).
struct PushResult {
    std::vector<sdk::Outcome> outcomes;
    std::string error;  ///< empty when the push completed
};

/// One configured plugin instance. A plugin that breaks the boundary (an exception crossed it,
/// it crashed) makes push throw PluginError: then nothing is known about the batch.
class ExportTarget {
public:
    virtual ~ExportTarget() = default;
    virtual std::string name() const = 0;
    virtual TargetCapabilities capabilities() const = 0;
    /// Credentials and connectivity; throws PluginError with the plugin's message.
    virtual void check() = 0;
    /// The dry run of a batch: the documents push would write, and the entries the plugin would
    /// reject (each Rejected, entryIndex into `batch`). Throws PluginError like push.
    virtual sdk::PlanResult plan(const std::vector<sdk::Entry>& batch) = 0;
    /// One outcome per attempted entry (entryIndex into `batch`).
    virtual PushResult push(const std::vector<sdk::Entry>& batch) = 0;
    /// push, unless the batch reaches the plugin after `notAfterSteadyMs` (steady clock, ms):
    /// then nothing is pushed and LockBusyError is thrown. The engine passes the time until
    /// which its run lease surely holds. This default checks here, just before push.
    virtual PushResult pushBefore(const std::vector<sdk::Entry>& batch, std::int64_t notAfterSteadyMs);
    /// Posted (with the document's external id) or Absent decide an uncertain entry; any other
    /// answer, or an exception, leaves it unknown (never pushed again on a guess).
    virtual sdk::Outcome lookup(const sdk::Entry& entry) = 0;
};

inline PushResult ExportTarget::pushBefore(const std::vector<sdk::Entry>& batch, std::int64_t notAfterSteadyMs) {
    const std::int64_t now = steadyNowMs();
    if (notAfterSteadyMs != 0 && now > notAfterSteadyMs)
        throw LockBusyError("target '" + name() + "': the batch was ready " + std::to_string(now - notAfterSteadyMs) +
                            " ms after its deadline; nothing was pushed");
    return push(batch);
}

}  // namespace ledgerbridge::exporter
