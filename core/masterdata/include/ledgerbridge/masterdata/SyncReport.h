// What one master-data sync of one connection did (or, in a dry run, would do): per kind the
// records created, updated, archived and unchanged in Pleo, every refusal with its reason, the
// kinds the ERP does not have, the requests made to Pleo and to the ERP, and the time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ledgerbridge/common/ExitCode.h"

namespace ledgerbridge::masterdata {

struct Refusal {
    std::string kind, erpId, code, reason;
};

struct KindCounts {
    int created = 0, updated = 0, archived = 0, unchanged = 0, refused = 0;
    bool supported = true;  ///< false: the ERP has no such kind; Pleo's records of it were left alone
};

struct SyncReport {
    std::string connection;
    bool dryRun = false;
    bool full = false;            ///< compared every record with Pleo (not only changed ones)
    std::string changedSince;     ///< non-empty: the plugin was asked only for changes since then
    std::vector<std::pair<std::string, KindCounts>> kinds;  ///< in sync order
    std::vector<Refusal> refusals;
    std::vector<std::string> changes;  ///< dry run: every change it would make, one line each
    std::int64_t pleoRequests = 0, erpPages = 0, elapsedMs = 0;
    std::string outcome;          ///< ok, completed_with_refusals, failed, interrupted
    std::string error;            ///< when failed
    std::string installation;     ///< the installation's status afterwards ("" = not applicable)

    KindCounts& counts(const std::string& kind);
    ExitCode exitCode() const;
    std::string toText() const;
    std::string toJson() const;
};

}  // namespace ledgerbridge::masterdata
