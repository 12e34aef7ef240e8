// Run history: one row per `ledgerbridge run` of one connection, with its outcome and the
// report (JSON) the export engine produced. `ledgerbridge history` reads it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct RunRecord {
    std::string id;
    std::string connection;
    std::string fingerprint;
    std::int64_t startedAt = 0;
    std::int64_t finishedAt = 0;   ///< 0 while running (or when the process died mid-run)
    std::string outcome;           ///< "ok", "completed_with_errors", "failed", "needs_reauth", "interrupted", ...
    bool dryRun = false;
    std::string reportJson;
};

class Runs {
public:
    explicit Runs(StateStore& store) : store_(store) {}

    /// Records the start of a run and returns its new id ("run-<time>-<random>"). Not fsynced on
    /// its own: the run's next durable commit (or its finish) makes it durable.
    std::string start(const std::string& connection, const std::string& fingerprint, bool dryRun);
    /// Records the end: outcome and report.
    void finish(const std::string& id, const std::string& outcome, const std::string& reportJson);
    /// The newest runs first, optionally only of one connection.
    std::vector<RunRecord> recent(std::size_t limit, const std::string& connection = {});
    std::optional<RunRecord> find(const std::string& id);
    /// The connection's newest finished run that is not a dry run and whose outcome is ok or
    /// completed_with_errors (what /metrics and `status` call its last successful run).
    std::optional<RunRecord> latestSucceeded(const std::string& connection);
    /// Every connection's newest run start (ms), in one query (the service's missed-run check).
    std::map<std::string, std::int64_t> latestStarts();

    /// Retention: deletes runs that started before `olderThanMs` (0 = no age limit) and, for
    /// each of `connections`, runs beyond its newest `keepPerConnection` (0 = no count limit).
    /// A connection's newest run is always kept (missed-run detection reads it). Deletes in
    /// transactions of at most `batch` rows, so other writers wait at most one small batch.
    /// Returns how many rows were deleted.
    std::int64_t prune(std::int64_t olderThanMs, int keepPerConnection, const std::vector<std::string>& connections,
                       int batch = 500);

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
