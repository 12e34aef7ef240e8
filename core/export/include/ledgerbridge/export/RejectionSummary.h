// Rejections grouped by reason, each group with a count, the accounts / tax codes / tags its
// messages name, and the fix a person applies before exporting the entries again. The run
// summary (`ledgerbridge run`), `history show` and the run report's JSON print these groups, so
// an operator reads "3 entries: map account 4010 in Pleo's accounting settings, then export
// them again" instead of 3 separate messages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledgerbridge/export/RunReport.h"

namespace ledgerbridge::exporter {

struct RejectionGroup {
    std::string reason;                 ///< Pleo failureReasonType (account_unknown, ...)
    std::int64_t count = 0;             ///< rejected entries with this reason (listed ones)
    std::vector<std::string> subjects;  ///< what the messages name: account codes, tax codes, tag values (sorted, unique)
    std::string fix;                    ///< what to do, ending with how to export again
};

/// The listed failures of every job grouped by reason, largest group first (then by reason).
/// Dry-run "not_planned" entries are grouped too. Only listed failures are counted: a job with
/// more than JobReport::kMaxFailuresListed rejections says how many were not listed.
std::vector<RejectionGroup> groupRejections(const std::vector<JobReport>& jobs);

/// What a rejection message names: the quoted account in "account '4010' ...", the code in
/// "unknown tax code X" / "tax code 'X'", the value in "value X". Empty when it names nothing.
std::string rejectionSubject(const std::string& reason, const std::string& message);

/// The fix for a reason, naming `subjects` when there are any.
std::string rejectionFix(const std::string& reason, const std::vector<std::string>& subjects);

}  // namespace ledgerbridge::exporter
