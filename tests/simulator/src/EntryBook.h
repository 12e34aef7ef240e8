// The accounting-entries view of the catalogue: the entries ARE the export items (same ids,
// same company, same index), so what Pleo's Accounting Entries API shows and what export jobs
// carry can never disagree. Only the review status is stored (one byte per entry); the export
// status is derived from the jobs every time it is read:
//   in the company's running job:  QUEUED while the job is pending; EXPORTING while it runs;
//                                  EXPORTED / NOT_EXPORTED once the item is successful / failed;
//   otherwise:                     EXPORTED once any job reported it successful, else NOT_EXPORTED.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "JobStore.h"

namespace lbsim {

/// ReviewStatus values of accounting-entries.yml, in the spec's order.
const std::vector<std::string>& reviewStatuses();
/// ExportStatus values of accounting-entries.yml.
const std::vector<std::string>& exportStatuses();
/// AccountingEntryStatus values of accounting-entries.yml.
const std::vector<std::string>& entryStatuses();
/// AccountingEntryFamily values of accounting-entries.yml.
const std::vector<std::string>& entryFamilies();

class EntryBook {
public:
    /// Every entry starts NOT_SET (not reviewed): nothing is "ready" until a test says so.
    EntryBook(int companies, std::uint64_t itemsPerCompany);
    const std::string& reviewStatus(int company, std::uint64_t index) const;
    /// Throws ApiError 400 for a value outside ReviewStatus.
    void setReviewStatus(int company, std::uint64_t index, const std::string& status);
    std::string exportStatus(const JobStore& jobs, const Job* active, int company, std::uint64_t index) const;
    void clear();

private:
    std::vector<std::vector<std::uint8_t>> review_;
};

}  // namespace lbsim
