// Ending export jobs that cannot finish with Pleo's `failed` event, so the people in Pleo see
// why their export did not happen instead of a job that stays "in progress" until it expires.
//
// When "cannot finish" holds (core/export/README.md, "Jobs that cannot finish"):
//  - at once, when the cause is permanent until a person acts: the plugin is quarantined or
//    refuses its configuration, the target's credential is lost (ConnectionRunner calls
//    failOpenJobs);
//  - after `failJobAfterStoppedRuns` consecutive runs that stopped the job without deciding one
//    more entry (target unreachable beyond the retry budget, Pleo refusing results): one stop is
//    transient and the next run fixes it, five in a row without progress are not (the engine
//    counts them here; a run that made progress starts the count again).
// Never while an entry's delivery is uncertain (pushing/unknown): Pleo would offer the entry
// again and it could be posted twice. Decided results are reported before the job is failed,
// so entries already posted stay EXPORTED in Pleo.
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/export/Engine.h"
#include "ledgerbridge/export/Ports.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::exporter {

/// Consecutive runs that stopped a job without finishing it, kept in the state store (the
/// host's own namespace of the key-value state, bound to the environment fingerprint).
class JobStops {
public:
    explicit JobStops(store::StateStore& store) : store_(store) {}
    /// Counts one more stopped run of `jobId` and returns the count.
    int record(const std::string& fingerprint, const std::string& jobId);
    int count(const std::string& fingerprint, const std::string& jobId);
    void clear(const std::string& fingerprint, const std::string& jobId);

private:
    store::StateStore& store_;
};

/// The namespace of the host's own entries in the key-value state (not a valid plugin name,
/// so no plugin can read or overwrite them).
inline const char* kHostStateNamespace = "ledgerbridge:host";

/// Reports what is decided and not yet acknowledged, then sends `failed` with the reason.
/// Returns false (and sends nothing) when an entry's delivery is uncertain or Pleo did not take
/// the results. A job Pleo already closed counts as ended. With `fence` (a run's lease), its
/// ledger writes are fenced and the lease is confirmed right before each report to Pleo: a run
/// that lost its lease meanwhile throws store::LeaseLostError and reports nothing more.
bool failJob(store::StateStore& store, PleoExports& pleo, const RunTarget& target, const std::string& jobId,
             const std::string& failureReasonType, const std::string& reason,
             const store::LeaseFence* fence = nullptr);

/// Fails every job of the connection that cannot finish for a permanent reason: our unfinished
/// jobs and Pleo's pending ones. Returns the ids of the jobs that were failed. Errors talking to
/// Pleo are logged, not thrown (the caller is already handling the permanent cause).
std::vector<std::string> failOpenJobs(store::StateStore& store, PleoExports& pleo, const RunTarget& target,
                                      const std::string& failureReasonType, const std::string& reason);

}  // namespace ledgerbridge::exporter
