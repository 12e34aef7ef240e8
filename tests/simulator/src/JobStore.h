// Export jobs and their lifecycle (pending -> in_progress -> completed | completed_with_errors |
// failed), held compactly: a job's items are a sorted vector of item indexes (4 bytes each) and
// only items a client updated get a record. Items without a record are `pending` while the
// job runs and `abandoned` once it is finished, so a 1,000,000-item job costs ~4 MB.
//
// The records are appended to one text per job, found by position (8 bytes per item of a job
// once a client updated any of them; the log keeps every update, the latest counts), not kept as
// strings in a map: 100,000 results each leaving four small strings and a map node on the heap, allocated
// between the page reads' short-lived JSON objects, fragmented malloc's free lists so badly that
// a page read took twice the CPU once a job had been reported on page by page (as
// `ledgerbridge run` does), and the export benchmark measured the simulator, not ledgerbridge.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lbsim {

struct ItemUpdate {
    std::string status, externalId, externalUrl, exportedAt, failureReason, failureReasonType;
};

struct Job {
    std::uint64_t seq = 0;  // creation order: the cursor key of job lists
    std::string id;
    int company = 0;
    std::vector<std::uint32_t> items;  // item indexes, ascending; the row key is the position
    std::string status = "pending";
    std::int64_t createdAt = 0, lastUpdatedAt = 0, startedAt = 0, completedAt = 0, expiredAt = 0;
    bool isInteractive = true, vendorBasedBookkeeping = false;
    std::string createdBy, failureReason, failureReasonType;

    bool finished() const { return status != "pending" && status != "in_progress"; }
    /// Status, externalId... of the item at position `pos`.
    ItemUpdate itemState(std::size_t pos) const;
    /// Records a client's update of the item at position `pos` (the latest one counts).
    void update(std::size_t pos, const ItemUpdate& u);

private:
    std::vector<std::uint64_t> updateAt_;  // by position: 1 + the record's offset in updateLog_, 0 = none
    std::string updateLog_;                // records: six fields, each a 4-byte length and its bytes
};

class JobStore {
public:
    JobStore(int companies, std::uint64_t itemsPerCompany, int jobTtl);

    /// Fails expired jobs (their unfinished items become abandoned, reason job_expired).
    void expire(std::int64_t now);
    /// The running (pending or in_progress) job of a company, or nullptr.
    Job* active(int company);
    Job* find(const std::string& id);
    /// Creates a pending job. Throws ApiError 409 EXPORT_ALREADY_IN_PROGRESS when one runs.
    Job& create(int company, std::vector<std::uint32_t> items, bool interactive, bool vendorBased,
                const std::string& createdBy, std::int64_t now);
    /// Indexes of up to `limit` items of a company not yet exported successfully.
    std::vector<std::uint32_t> readyItems(int company, std::uint64_t limit) const;
    void markExported(int company, std::uint32_t index);
    bool isExported(int company, std::uint32_t index) const;
    const std::vector<Job*>& ordered() const { return ordered_; }
    /// Applies an event; throws ApiError 422 INVALID_EXPORT_JOB_STATUS_CHANGE.
    void applyEvent(Job& job, const std::string& event, const std::string& reason, const std::string& reasonType,
                    std::int64_t now);
    Poco::JSON::Object::Ptr toJson(const Job& job, std::int64_t now) const;
    int jobTtl() const { return jobTtl_; }
    void clear();

private:
    int jobTtl_;
    std::uint64_t nextSeq_ = 1;
    std::map<std::string, Job> jobs_;
    std::uint64_t items_;
    std::vector<Job*> ordered_;
    std::vector<Job*> open_;                   // jobs not yet seen finished by expire()
    std::vector<std::vector<bool>> exported_;  // one bit per item: exported successfully (empty: none yet)
    std::vector<Job*> latest_;                 // each company's newest job, or nullptr
};

}  // namespace lbsim
