// The seam between the service and the export engine: the scheduler asks a RunLauncher to
// perform one run of one connection and learns its outcome and counts (which feed /metrics).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace ledgerbridge::service {

/// Set once the service is shutting down. A run polls it between batches: when set, it finishes
/// the batch in flight, reports its results to Pleo, and returns outcome "interrupted".
class CancelFlag {
public:
    bool requested() const noexcept { return flag_.load(std::memory_order_acquire); }
    void request() noexcept { flag_.store(true, std::memory_order_release); }
    /// The flag itself, for code that takes a `const std::atomic<bool>*` (the export engine).
    const std::atomic<bool>* raw() const noexcept { return &flag_; }

private:
    std::atomic<bool> flag_{false};
};

/// What one run did. Counts are added to the service's metrics, so they should equal the run
/// report's figures.
struct RunOutcome {
    /// ok | completed_with_errors | failed | needs_reauth | interrupted | busy (the engine found
    /// the connection locked by another process).
    std::string outcome = "failed";
    std::string message;  ///< why, when not ok (already redacted; no secrets)
    std::string plugin;   ///< the target plugin's name, for target request labels
    std::map<std::string, std::int64_t> entries;         ///< by outcome: posted, rejected, already_posted, undelivered
    std::map<std::string, std::int64_t> pleoRequests;    ///< by HTTP status ("200", "429") or "error"
    std::map<std::string, std::int64_t> targetRequests;  ///< by status, as the plugin reports it
    std::int64_t tokenRefreshes = 0;        ///< successful OAuth refreshes during the run
    std::int64_t tokenRefreshFailures = 0;  ///< failed ones
};

class RunLauncher {
public:
    virtual ~RunLauncher() = default;

    /// Performs one run of `connection` (a name from the config). `reason` says why: "schedule",
    /// "missed", "webhook". Called on a worker thread, never twice at once for one connection.
    /// Should return promptly after `cancel` is set (finishing the batch in flight). May throw:
    /// the scheduler records an escaped exception as outcome "failed" with its message.
    virtual RunOutcome runConnection(const std::string& connection, const std::string& reason,
                                     const CancelFlag& cancel) = 0;
};

}  // namespace ledgerbridge::service
