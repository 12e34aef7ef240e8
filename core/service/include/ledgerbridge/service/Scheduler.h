// Fires runs of connections on their schedules, on webhooks and for runs missed while the
// service was stopped; never runs one connection twice at once.
//
// - In process: a connection has at most one run queued or in flight. A scheduled fire time that
//   comes while it is busy is skipped and counted (metric ledgerbridge_runs_skipped_total
//   {reason="overlap"}); a webhook or manual trigger during a run is kept and runs once after it.
// - Bounded pool: runs execute on at most `maxConcurrentRuns` worker threads; due runs wait in
//   two FIFO queues, triggered runs (webhook, manual, resume) before scheduled and missed ones,
//   so a company's new export job does not wait behind a slot's worth of safety polls. The scheduler's lock is never held across store or network I/O: tick() only
//   decides and enqueues; the worker takes the lease, runs, and releases the lease outside it;
//   lease renewals are collected under the lock and written after it is dropped. So a trigger
//   (webhook) only waits for the lock's short critical sections, never for the store.
// - Across processes: before each run the worker takes the store lease "run:<connection>"
//   (Leases::tryAcquire with this process's holder id; the engine may take the same lease
//   again, which renews it), renews it while the run lasts and releases it afterwards. A lease
//   held by another process skips the run ({reason="lease_busy"}).
// - Across replicas: a triggered run (webhook, manual) that finds the lease held elsewhere is
//   not dropped: it is recorded in the store (store::RunRequests) for the holder. Every
//   `runRequestPoll` the scheduler asks the store, in one query for all connections, which
//   recorded requests it may act on (lease held by this process, or free) and triggers them;
//   the run that serves one clears it once it holds the lease, before it lists Pleo's jobs.
// - Missed runs: at start(), a connection whose last recorded run (store::Runs) started before
//   a fire time that has passed runs once (reason "missed") at a random moment within
//   `missedRunSpread`, so that a restart after downtime does not fire everything at once. A
//   connection with no run history waits for its first fire time.
// - Shutdown: stopAccepting() drops the queued runs that have not started (counted as
//   {reason="shutdown"}), sets the CancelFlag of the runs in flight, and starts nothing new.
// - Run history is pruned in small batches on the scheduler thread (see RetentionOptions).
//
// All decisions are made in tick(), which the scheduler's own thread calls whenever something
// is due (tests call it directly with a ManualClock). tick() and the thread's wake-up look only
// at what is due: fire times are kept ordered (due_), triggers waiting for a free connection in
// ready_, lease holders in leaseHolders_; none of them walks every connection, so an idle
// service's cost does not grow with the number of connections.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ledgerbridge/service/Clock.h"
#include "ledgerbridge/service/Metrics.h"
#include "ledgerbridge/service/RunLauncher.h"
#include "ledgerbridge/service/Schedule.h"

namespace ledgerbridge::config {
struct Config;
}
namespace ledgerbridge::store {
class StateStore;
}

namespace ledgerbridge::service {

/// One connection as the scheduler sees it. Without a schedule it runs only when triggered.
struct ScheduledConnection {
    std::string name;
    std::string companyId;
    std::optional<Schedule> schedule;
};

/// The connections of `config` with their schedules parsed. Throws ConfigError (naming the
/// connection) for a schedule that does not parse. `zoneinfoDir` as in TimeZone::load.
std::vector<ScheduledConnection> scheduledConnections(const config::Config& config, const std::string& zoneinfoDir = {});

/// The default size of the worker pool: runs mostly wait on the network, so a few per core.
int defaultMaxConcurrentRuns();

struct SchedulerOptions {
    std::chrono::milliseconds leaseTtl{std::chrono::minutes(10)};  ///< renewed every third of it
    bool runMissedAtStart = true;
    int maxConcurrentRuns = defaultMaxConcurrentRuns();  ///< worker threads (at least 1)
    /// Missed runs found at start() fire at a uniformly random moment within this window.
    std::chrono::milliseconds missedRunSpread{std::chrono::minutes(2)};
    /// Run history retention (0 = keep): rows older than this / beyond the newest N per connection.
    std::chrono::milliseconds historyMaxAge{std::chrono::hours(24 * 30)};
    int historyMaxRunsPerConnection = 500;
    std::chrono::milliseconds pruneInterval{std::chrono::minutes(10)};
    /// Return freed memory to the system (glibc malloc_trim) when a burst of runs has drained.
    bool trimMemoryAfterBurst = true;
    /// How often the store is asked for runs other replicas recorded for this one (one query).
    std::chrono::milliseconds runRequestPoll{std::chrono::seconds(2)};
    /// Who takes the run leases; empty: this process (store::Leases::selfHolder()). Tests give
    /// two schedulers in one process different identities to stand for two replicas.
    std::string leaseHolder;
};

/// Counters of one connection (for tests and logs).
struct ConnectionStats {
    std::int64_t started = 0;
    std::int64_t finished = 0;
    std::int64_t skippedOverlap = 0;
    std::int64_t skippedLeaseBusy = 0;
    std::int64_t droppedAtShutdown = 0;  ///< queued runs that never started because of a stop
    bool running = false;                ///< queued or in flight
    std::optional<Clock::TimePoint> nextFire;  ///< with jitter; empty without a schedule
    std::string lastOutcome;
};

class Scheduler {
public:
    /// None of the references are owned; all must outlive the scheduler. `store` may be null
    /// (no cross-process lease, no missed-run detection: tests and one-off tools only).
    Scheduler(RunLauncher& launcher, Clock& clock, store::StateStore* store, Metrics& metrics,
              RandomSource random = defaultRandomSource(), SchedulerOptions options = {});
    /// Stops the scheduler thread, drops queued runs and waits for every run in flight to return.
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Sets (or, on reload, replaces) the connections. Connections that stay keep their state
    /// and, when their schedule text is unchanged, their next fire time. A removed connection's
    /// run in flight is allowed to finish.
    void configure(std::vector<ScheduledConnection> connections);

    /// Marks missed runs (see above) and starts the scheduler thread. Call once, after configure().
    void start();

    /// Makes every decision due at clock.now(): launches triggered and due runs, skips overlaps,
    /// renews leases, reaps finished workers. Called by the scheduler thread; public for tests.
    void tick();

    /// Asks for a run of every connection of Pleo company `companyId` now (coalesced while one
    /// is in flight). Returns how many connections that was (0: no connection has that company).
    std::size_t triggerCompany(const std::string& companyId, const std::string& reason);
    /// Same for one connection by name; false when unknown.
    bool triggerConnection(const std::string& name, const std::string& reason);

    /// Shutdown, step one: no new runs start from now on (queued ones are dropped), and runs in
    /// flight see their CancelFlag set. Does not wait.
    void stopAccepting();
    bool accepting() const;

    /// Blocks until no run is queued or in flight or `deadline` passes on the clock. True when idle.
    bool waitIdleUntil(Clock::TimePoint deadline);

    ConnectionStats stats(const std::string& connection) const;
    /// Runs waiting for a worker / runs executing now / the largest number executing at once.
    std::size_t queuedRuns() const;
    std::size_t runsInFlight() const;
    std::size_t peakRunsInFlight() const;
    /// Prunes run history now (the scheduler thread also does it every pruneInterval). Returns
    /// how many rows were deleted.
    std::int64_t pruneHistory();

private:
    struct State {
        ScheduledConnection connection;
        std::optional<Clock::TimePoint> nominal;  ///< next fire time without jitter
        std::optional<Clock::TimePoint> fireAt;   ///< nominal + jitter
        std::string fireReason = "schedule";      ///< "missed" while a spread missed run is planned
        std::string pendingReason;                ///< a trigger waiting to run ("" = none)
        bool queued = false;                      ///< waiting in queue_ for a worker
        bool running = false;                     ///< a worker has taken it
        bool holdsLease = false;
        bool removed = false;
        std::int64_t leaseRenewedMs = 0;
        ConnectionStats stats;
    };
    struct QueuedRun {
        std::string name;
        std::string reason;
    };

    // All under mutex_.
    void planNext(State& s, Clock::TimePoint after);
    void setFireAt(State& s, std::optional<Clock::TimePoint> at);  // keeps due_ in step with fireAt
    void enqueue(State& s, const std::string& reason, bool triggered);
    void markTriggered(State& s, const std::string& reason);
    void settle(State& s);  // the run is over (or never started): not running, follow-up trigger ready
    void worker();
    void execute(const QueuedRun& run);
    void finish(const std::string& name, const RunOutcome& outcome, bool holdsLease);
    void renewLeases();
    /// Triggers the runs recorded for this replica in the store (at most once per runRequestPoll).
    void pollRunRequests();
    /// The lease was busy: a triggered run is handed to the holder through the store.
    void handOver(const QueuedRun& run);
    void loop();

    RunLauncher& launcher_;
    Clock& clock_;
    store::StateStore* store_;
    Metrics& metrics_;
    RandomSource random_;
    SchedulerOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::condition_variable workCv_;  // workers wait here for queue_
    std::map<std::string, std::unique_ptr<State>> states_;
    std::multimap<std::string, std::string> byCompany_;  // company id -> connection names
    std::deque<QueuedRun> triggered_;  // runs asked for by a webhook or a person: taken first
    std::deque<QueuedRun> queue_;      // scheduled and missed runs
    std::set<std::pair<Clock::TimePoint, std::string>> due_;  // (fireAt, name), not removed
    std::set<std::string> ready_;         // a trigger is waiting and the connection is idle
    std::set<std::string> leaseHolders_;  // runs holding their lease (renewed by renewLeases)
    std::set<std::string> requested_;     // connections with a run request in the store, as last polled
    Clock::TimePoint nextRequestPoll_{};
    std::string holder_;                  // the lease holder identity (options_.leaseHolder or this process)
    std::size_t inFlight_ = 0;
    std::size_t peakInFlight_ = 0;
    bool burst_ = false;  // runs happened since the last trim
    CancelFlag cancel_;
    bool accepting_ = true;
    bool stopThread_ = false;
    Clock::TimePoint nextPrune_{};
    std::thread thread_;
    std::vector<std::thread> workers_;
};

}  // namespace ledgerbridge::service
