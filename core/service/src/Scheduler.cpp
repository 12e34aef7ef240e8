// The scheduler's decisions (tick), its thread, and the bookkeeping around each run: lease,
// metrics, coalesced triggers. The rules are described in Scheduler.h.
#include "ledgerbridge/service/Scheduler.h"

#include <algorithm>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/store/RunRequests.h"
#include "ledgerbridge/store/Runs.h"

namespace ledgerbridge::service {

namespace {

std::string leaseName(const std::string& connection) { return "run:" + connection; }

std::string isoTime(Clock::TimePoint t) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    return std::to_string(s);
}

double unixSeconds(Clock::TimePoint t) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

std::vector<ScheduledConnection> scheduledConnections(const config::Config& config, const std::string& zoneinfoDir) {
    std::vector<ScheduledConnection> out;
    for (const auto& c : config.connections) {
        ScheduledConnection sc;
        sc.name = c.name;
        sc.companyId = c.companyId;
        if (!c.schedule.empty()) sc.schedule = Schedule::parse(c.schedule, c.name, zoneinfoDir);
        // Checked here so a bad sync_schedule stops the service at start or reload, naming it;
        // the launcher applies it before each run (see ServeCommand.cpp).
        if (c.syncSchedule != "off") Schedule::parse(c.syncSchedule, c.name, zoneinfoDir, "sync_schedule");
        out.push_back(std::move(sc));
    }
    return out;
}

int defaultMaxConcurrentRuns() {
    const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
    return static_cast<int>(std::min(64U, std::max(4U, cores * 4)));
}

Scheduler::Scheduler(RunLauncher& launcher, Clock& clock, store::StateStore* store, Metrics& metrics,
                     RandomSource random, SchedulerOptions options)
    : launcher_(launcher), clock_(clock), store_(store), metrics_(metrics), random_(std::move(random)),
      options_(options) {
    defineStandardMetrics(metrics_);
    holder_ = options_.leaseHolder.empty() ? store::Leases::selfHolder() : options_.leaseHolder;
    // The first poll waits one interval: a tick must not wait on the store right away (the store
    // may be busy, and triggers and due runs are decided on the same thread).
    nextRequestPoll_ = clock_.now() + std::chrono::duration_cast<Clock::TimePoint::duration>(options_.runRequestPoll);
    if (options_.maxConcurrentRuns < 1) options_.maxConcurrentRuns = 1;
    // The pool is fixed: threads are created once, not per run, so a burst cannot multiply them.
    workers_.reserve(static_cast<std::size_t>(options_.maxConcurrentRuns));
    for (int i = 0; i < options_.maxConcurrentRuns; ++i) workers_.emplace_back([this] { worker(); });
}

Scheduler::~Scheduler() {
    {
        std::lock_guard<std::mutex> guard(mutex_);
        stopThread_ = true;
        accepting_ = false;
        cancel_.request();
        for (auto* q : {&triggered_, &queue_}) {
            for (const auto& run : *q) {
                auto it = states_.find(run.name);
                if (it != states_.end()) it->second->queued = false;
            }
            q->clear();
        }
        cv_.notify_all();
        workCv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    for (auto& w : workers_) w.join();
}

void Scheduler::setFireAt(State& s, std::optional<Clock::TimePoint> at) {
    if (s.fireAt) due_.erase({*s.fireAt, s.connection.name});
    s.fireAt = at;
    s.stats.nextFire = at;
    if (at && !s.removed) due_.emplace(*at, s.connection.name);
}

void Scheduler::planNext(State& s, Clock::TimePoint after) {
    s.fireReason = "schedule";
    if (!s.connection.schedule) {
        s.nominal.reset();
        setFireAt(s, std::nullopt);
        return;
    }
    s.nominal = s.connection.schedule->nextAfter(after);
    setFireAt(s, *s.nominal + s.connection.schedule->jitterDelay(random_));
}

void Scheduler::configure(std::vector<ScheduledConnection> connections) {
    std::lock_guard<std::mutex> guard(mutex_);
    const auto now = clock_.now();
    for (auto& [name, s] : states_) s->removed = true;
    for (auto& c : connections) {
        auto it = states_.find(c.name);
        if (it == states_.end()) {
            auto s = std::make_unique<State>();
            s->connection = std::move(c);
            State& added = *s;
            states_.emplace(added.connection.name, std::move(s));
            planNext(added, now);
            continue;
        }
        State& s = *it->second;
        s.removed = false;
        const std::string before = s.connection.schedule ? s.connection.schedule->text() : "";
        const std::string after = c.schedule ? c.schedule->text() : "";
        s.connection = std::move(c);
        if (before != after || !s.fireAt) planNext(s, now);
    }
    byCompany_.clear();
    for (auto it = states_.begin(); it != states_.end();) {
        State& s = *it->second;
        if (s.removed) {  // out of the due-time queue and the ready set: it never fires again
            if (s.fireAt) due_.erase({*s.fireAt, it->first});
            ready_.erase(it->first);
        } else if (s.fireAt) {
            due_.emplace(*s.fireAt, it->first);  // back in, if a reload had removed it
        }
        if (s.removed && !s.running && !s.queued) {
            it = states_.erase(it);
        } else {
            if (!s.removed && !s.connection.companyId.empty()) byCompany_.emplace(s.connection.companyId, it->first);
            ++it;
        }
    }
    cv_.notify_all();
}

void Scheduler::start() {
    if (store_ != nullptr && options_.runMissedAtStart) {
        // Read outside the lock: one query for every connection's newest run.
        std::map<std::string, std::int64_t> lastStarts;
        try {
            lastStarts = store::Runs(*store_).latestStarts();
        } catch (const std::exception& e) {
            log::error("Could not read run history to find runs missed while the service was stopped.",
                       {{"error", describe(e)}});
        }
        std::lock_guard<std::mutex> guard(mutex_);
        const auto now = clock_.now();
        const auto spreadMs = static_cast<std::uint64_t>(std::max<std::int64_t>(options_.missedRunSpread.count(), 0));
        std::size_t missed = 0;
        for (auto& [name, s] : states_) {
            if (!s->connection.schedule) continue;
            const auto last = lastStarts.find(name);
            if (last == lastStarts.end()) continue;
            const Clock::TimePoint lastStart{std::chrono::milliseconds(last->second)};
            if (s->connection.schedule->nextAfter(lastStart) > now) continue;
            // Spread over the window: after downtime every connection is due at once, and firing
            // them together only makes a long queue and a burst of requests to Pleo.
            const auto delay = std::chrono::milliseconds(spreadMs == 0 ? 0 : random_() % spreadMs);
            const Clock::TimePoint at = now + std::chrono::duration_cast<Clock::TimePoint::duration>(delay);
            if (!s->fireAt || at < *s->fireAt) setFireAt(*s, at);
            s->fireReason = "missed";
            ++missed;
            log::debug("A scheduled run was missed while the service was stopped; running it once.",
                       {{"connection", name}, {"last_run_started", isoTime(lastStart)}, {"at", isoTime(at)}});
        }
        if (missed > 0)
            log::info("Scheduled runs were missed while the service was stopped; each runs once, spread over a window.",
                      {{"connections", missed},
                       {"window_s", options_.missedRunSpread.count() / 1000}});
    }
    thread_ = std::thread([this] { loop(); });
}

void Scheduler::enqueue(State& s, const std::string& reason, bool triggered) {
    s.queued = true;
    (triggered ? triggered_ : queue_).push_back(QueuedRun{s.connection.name, reason});
    workCv_.notify_one();
}

void Scheduler::markTriggered(State& s, const std::string& reason) {
    if (s.queued && !s.running) {
        // Waiting, not started: the run has not listed Pleo's jobs yet, so it will find the new
        // one and needs no follow-up. A scheduled run moves to the triggered lane, or the
        // company's export would wait behind every queued poll (issue 18: "starts within 2 s").
        // The scan is of waiting scheduled runs only, and only for a connection that has one.
        const auto it = std::find_if(queue_.begin(), queue_.end(),
                                     [&](const QueuedRun& r) { return r.name == s.connection.name; });
        if (it != queue_.end()) {
            queue_.erase(it);
            triggered_.push_back(QueuedRun{s.connection.name, reason});
        }
        return;
    }
    if (s.pendingReason.empty()) s.pendingReason = reason;
    if (!s.running && !s.queued) ready_.insert(s.connection.name);
    cv_.notify_all();
}

void Scheduler::settle(State& s) {
    s.running = false;
    s.holdsLease = false;
    leaseHolders_.erase(s.connection.name);
    // A trigger that came while it was queued or running runs once more now: the run that just
    // ended may have listed Pleo's jobs before the one the trigger announced existed.
    if (!s.removed && !s.pendingReason.empty()) {
        ready_.insert(s.connection.name);
        cv_.notify_all();
    }
}

void Scheduler::worker() {
    while (true) {
        QueuedRun run;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            workCv_.wait(lock, [&] { return stopThread_ || !triggered_.empty() || !queue_.empty(); });
            if (stopThread_) return;
            auto& from = triggered_.empty() ? queue_ : triggered_;
            run = std::move(from.front());
            from.pop_front();
            auto it = states_.find(run.name);
            if (it == states_.end()) continue;
            it->second->queued = false;
            it->second->running = true;
            ++inFlight_;
            peakInFlight_ = std::max(peakInFlight_, inFlight_);
            burst_ = true;
        }
        execute(run);
        bool trim = false;
        {
            std::lock_guard<std::mutex> guard(mutex_);
            --inFlight_;
            if (inFlight_ == 0 && queue_.empty() && triggered_.empty() && burst_) {
                burst_ = false;
                trim = options_.trimMemoryAfterBurst;
            }
            cv_.notify_all();
        }
#ifdef __GLIBC__
        // A burst leaves freed arenas behind; glibc keeps them unless asked (issue 18: idle
        // memory grew from 147 to 448 MB). Cheap when there is little to return.
        if (trim) malloc_trim(0);
#else
        (void)trim;
#endif
    }
}

// Takes the lease, runs, releases: all without the scheduler's lock, which only guards the
// bookkeeping before and after.
void Scheduler::execute(const QueuedRun& run) {
    const std::string& name = run.name;
    const std::string& reason = run.reason;
    bool holdsLease = false;
    if (store_ != nullptr) {
        store::Leases leases(*store_);
        bool acquired = false;
        try {
            acquired = leases.tryAcquire(leaseName(name), options_.leaseTtl.count(), holder_);
        } catch (const std::exception& e) {
            // No run without the lease: another process might be running this connection.
            metrics_.increment(metric::kRunsSkipped, {{"connection", name}, {"reason", "store_error"}});
            log::error("Skipping a run: the run lease could not be checked in the state store.",
                       {{"connection", name}, {"reason", reason}, {"error", describe(e)}});
            std::lock_guard<std::mutex> guard(mutex_);
            if (auto it = states_.find(name); it != states_.end()) settle(*it->second);
            return;
        }
        if (!acquired) {
            metrics_.increment(metric::kRunsSkipped, {{"connection", name}, {"reason", "lease_busy"}});
            store::LeaseHolder holder;
            try {
                leases.current(leaseName(name), holder);
            } catch (const std::exception&) {
            }
            log::info("Skipping a run: another process is running this connection.",
                      {{"connection", name}, {"reason", reason}, {"holder", holder.holder}});
            handOver(run);
            std::lock_guard<std::mutex> guard(mutex_);
            if (auto it = states_.find(name); it != states_.end()) {
                ++it->second->stats.skippedLeaseBusy;
                settle(*it->second);
            }
            return;
        }
        holdsLease = true;
    }
    bool go = false, clearRequest = false;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        auto it = states_.find(name);
        go = accepting_ && it != states_.end();
        if (go) {
            clearRequest = holdsLease && requested_.erase(name) > 0;
            it->second->holdsLease = holdsLease;
            if (holdsLease) leaseHolders_.insert(name);
            it->second->leaseRenewedMs = store::nowMs();
            ++it->second->stats.started;
        }
    }
    if (!go) {
        // "No new runs" was said while this one was taking its lease: it must not start. The
        // lease goes back before the state says "not running" (and outside the lock).
        if (holdsLease) {
            try {
                store::Leases(*store_).release(leaseName(name), holder_);
            } catch (const std::exception&) {
            }
        }
        metrics_.increment(metric::kRunsSkipped, {{"connection", name}, {"reason", "shutdown"}});
        std::lock_guard<std::mutex> guard(mutex_);
        if (auto it = states_.find(name); it != states_.end()) {
            settle(*it->second);
            ++it->second->stats.droppedAtShutdown;
        }
        return;
    }
    if (clearRequest) {
        // This run serves the request another replica recorded: it holds the lease and has not
        // listed Pleo's jobs yet. A request recorded from now on stays for the next run.
        try {
            store::RunRequests(*store_).clear(name);
        } catch (const std::exception& e) {
            log::warn("Could not clear a run request; it causes one more run.", {{"connection", name}, {"error", describe(e)}});
        }
    }
    metrics_.set(metric::kRunning, {{"connection", name}}, 1);
    log::info("Starting a run.", {{"connection", name}, {"reason", reason}});
    RunOutcome outcome;
    try {
        outcome = launcher_.runConnection(name, reason, cancel_);
    } catch (const std::exception& e) {
        outcome.outcome = "failed";
        outcome.message = describe(e);
    } catch (...) {
        outcome.outcome = "failed";
        outcome.message = "The run ended with an unknown exception.";
    }
    finish(name, outcome, holdsLease);
}

void Scheduler::finish(const std::string& name, const RunOutcome& o, bool holdsLease) {
    const std::vector<std::pair<std::string, std::string>> conn{{"connection", name}};
    metrics_.increment(metric::kRuns, {{"connection", name}, {"outcome", o.outcome}});
    metrics_.set(metric::kAutoExportBlocked, {{"connection", name}}, o.outcome == "missing_contra_accounts" ? 1 : 0);
    for (const auto& [outcome, n] : o.entries)
        metrics_.increment(metric::kEntries, {{"connection", name}, {"outcome", outcome}}, static_cast<double>(n));
    for (const auto& [status, n] : o.pleoRequests)
        metrics_.increment(metric::kPleoRequests, {{"status", status}}, static_cast<double>(n));
    for (const auto& [status, n] : o.targetRequests)
        metrics_.increment(metric::kTargetRequests, {{"plugin", o.plugin}, {"status", status}}, static_cast<double>(n));
    if (o.tokenRefreshes > 0)
        metrics_.increment(metric::kTokenRefreshes, {{"result", "ok"}}, static_cast<double>(o.tokenRefreshes));
    if (o.tokenRefreshFailures > 0)
        metrics_.increment(metric::kTokenRefreshes, {{"result", "failed"}}, static_cast<double>(o.tokenRefreshFailures));
    if (o.outcome == "ok" || o.outcome == "completed_with_errors")
        metrics_.set(metric::kLastSuccess, conn, unixSeconds(clock_.now()));
    metrics_.set(metric::kRunning, conn, 0);

    (o.outcome == "ok" ? log::info : log::warn)("The run ended.",
                                                {{"connection", name}, {"outcome", o.outcome}, {"message", o.message}});
    if (holdsLease && store_ != nullptr) {
        // Released before the state says "not running": a follow-up run of this connection,
        // queued meanwhile, finds the lease free.
        try {
            store::Leases(*store_).release(leaseName(name), holder_);
        } catch (const std::exception& e) {
            log::warn("Could not release the run lease; it expires on its own.", {{"connection", name}, {"error", e.what()}});
        }
    }
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = states_.find(name);
    if (it == states_.end()) return;
    State& s = *it->second;
    settle(s);
    ++s.stats.finished;
    s.stats.lastOutcome = o.outcome;
    if (s.removed && !s.queued) states_.erase(it);  // removed by a reload while it ran
    cv_.notify_all();
}

void Scheduler::renewLeases() {
    if (store_ == nullptr) return;
    std::vector<std::string> due;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        const std::int64_t nowMs = store::nowMs();
        for (const auto& name : leaseHolders_) {
            auto it = states_.find(name);
            if (it != states_.end() && it->second->running && nowMs - it->second->leaseRenewedMs >= options_.leaseTtl.count() / 3)
                due.push_back(name);
        }
    }
    for (const auto& name : due) {
        bool renewed = false;
        std::string why = "another process took it after it expired";
        try {
            renewed = store::Leases(*store_).renew(leaseName(name), options_.leaseTtl.count(), holder_);
        } catch (const std::exception& e) {
            why = describe(e);  // retried on the next tick, well before the lease expires
        }
        if (!renewed) {
            log::error("The run lease could not be renewed while the run goes on.", {{"connection", name}, {"error", why}});
            continue;
        }
        std::lock_guard<std::mutex> guard(mutex_);
        if (auto it = states_.find(name); it != states_.end() && it->second->running) it->second->leaseRenewedMs = store::nowMs();
    }
}

void Scheduler::handOver(const QueuedRun& run) {
    // Scheduled, missed and resumed runs come again by themselves (the next slot; the holder
    // resumes its own jobs); a run somebody asked for (a webhook) would be lost.
    if (run.reason == "schedule" || run.reason == "missed" || run.reason == "resume") return;
    try {
        store::RunRequests(*store_).record(run.name, leaseName(run.name), run.reason);
        log::info("Handed the run to the process holding the connection's lease.",
                  {{"connection", run.name}, {"reason", run.reason}});
    } catch (const std::exception& e) {
        log::error("Could not hand a run to the process holding the connection's lease; the request is lost.",
                   {{"connection", run.name}, {"reason", run.reason}, {"error", describe(e)}});
    }
}

void Scheduler::pollRunRequests() {
    if (store_ == nullptr) return;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        const auto now = clock_.now();
        if (!accepting_ || now < nextRequestPoll_) return;
        nextRequestPoll_ = now + std::chrono::duration_cast<Clock::TimePoint::duration>(options_.runRequestPoll);
    }
    std::vector<store::RunRequest> requests;
    try {
        requests = store::RunRequests(*store_).actionable(holder_);
    } catch (const std::exception& e) {
        log::warn("Could not read the run requests of other replicas; asking again later.", {{"error", describe(e)}});
        return;
    }
    std::lock_guard<std::mutex> guard(mutex_);
    requested_.clear();
    for (const auto& r : requests) {
        auto it = states_.find(r.connection);
        if (it == states_.end() || it->second->removed) continue;
        requested_.insert(r.connection);
        // A queued run has not started: it clears the request and serves it. A running one may
        // have listed Pleo's jobs before the request: it is followed by one more run.
        if (!it->second->queued) markTriggered(*it->second, r.reason);
    }
}

void Scheduler::tick() {
    {
        std::unique_lock<std::mutex> lock(mutex_);
        const auto now = clock_.now();
        // Only what is due: the fire times up to now, in time order (ties by name), then the
        // triggers waiting for an idle connection.
        std::vector<std::string> dueNow;
        if (accepting_)
            for (auto it = due_.begin(); it != due_.end() && it->first <= now; ++it) dueNow.push_back(it->second);
        for (const auto& name : dueNow) {
            auto found = states_.find(name);
            if (found == states_.end()) continue;
            State& s = *found->second;
            if (s.running || s.queued) {
                ++s.stats.skippedOverlap;
                metrics_.increment(metric::kRunsSkipped, {{"connection", name}, {"reason", "overlap"}});
                log::info("Skipping a scheduled run: the previous run of this connection is still going.",
                          {{"connection", name}});
            } else {
                // This run serves a waiting trigger too, and goes first like one.
                const bool triggered = !s.pendingReason.empty();
                s.pendingReason.clear();
                ready_.erase(name);
                enqueue(s, s.fireReason, triggered);
            }
            // A spread missed run stands in for the slot it was planned before, so that
            // slot does not fire again right after it.
            const bool missed = s.fireReason == "missed" && s.nominal && *s.nominal > now;
            planNext(s, missed ? *s.nominal : now);
        }
        if (accepting_) {
            for (const auto& name : ready_) {
                auto found = states_.find(name);
                if (found == states_.end()) continue;
                State& s = *found->second;
                if (s.removed || s.running || s.queued || s.pendingReason.empty()) continue;
                const std::string reason = s.pendingReason;
                s.pendingReason.clear();
                enqueue(s, reason, true);
            }
            ready_.clear();
        }
    }
    renewLeases();
    pollRunRequests();
}

void Scheduler::loop() {
    while (true) {
        try {
            tick();
        } catch (const std::exception& e) {
            log::error("The scheduler could not act on this tick; it tries again.", {{"error", describe(e)}});
        }
        bool prune = false;
        {
            std::lock_guard<std::mutex> guard(mutex_);
            const auto now = clock_.now();
            if (store_ != nullptr && accepting_ && now >= nextPrune_) {
                prune = nextPrune_ != Clock::TimePoint{};  // not in the first moments after start
                nextPrune_ = now + std::chrono::duration_cast<Clock::TimePoint::duration>(options_.pruneInterval);
            }
        }
        if (prune) {
            try {
                pruneHistory();
            } catch (const std::exception& e) {
                log::warn("Could not prune run history; it is tried again later.", {{"error", describe(e)}});
            }
        }
        std::unique_lock<std::mutex> lock(mutex_);
        if (stopThread_) return;
        const auto now = clock_.now();
        Clock::TimePoint deadline = now + std::chrono::hours(1);
        if (store_ != nullptr && accepting_) deadline = std::min({deadline, nextPrune_, nextRequestPoll_});  // none after a stop
        if (accepting_ && !due_.empty()) deadline = std::min(deadline, due_.begin()->first);
        if (!leaseHolders_.empty())
            deadline = std::min(deadline, now + std::chrono::duration_cast<Clock::TimePoint::duration>(options_.leaseTtl / 3));
        const bool work = accepting_ && !ready_.empty();
        if (!work) clock_.waitUntil(lock, cv_, deadline);
    }
}

std::int64_t Scheduler::pruneHistory() {
    if (store_ == nullptr) return 0;
    const std::int64_t maxAge = options_.historyMaxAge.count();
    const std::int64_t cutoff = maxAge > 0 ? store::nowMs() - maxAge : 0;
    std::vector<std::string> names;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        for (const auto& [name, s] : states_) names.push_back(name);
    }
    const std::int64_t deleted =
        store::Runs(*store_).prune(cutoff, options_.historyMaxRunsPerConnection, names);
    if (deleted > 0) log::info("Pruned run history.", {{"runs_deleted", deleted}});
    return deleted;
}

std::size_t Scheduler::triggerCompany(const std::string& companyId, const std::string& reason) {
    // Only marks the connections; the scheduler thread queues them. No store access here, so a
    // webhook is answered while runs hold the store.
    std::lock_guard<std::mutex> guard(mutex_);
    if (!accepting_ || companyId.empty()) return 0;
    std::size_t n = 0;
    const auto range = byCompany_.equal_range(companyId);
    for (auto it = range.first; it != range.second; ++it) {
        auto st = states_.find(it->second);
        if (st == states_.end() || st->second->removed) continue;
        markTriggered(*st->second, reason);
        ++n;
    }
    return n;
}

bool Scheduler::triggerConnection(const std::string& name, const std::string& reason) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = states_.find(name);
    if (it == states_.end() || it->second->removed || !accepting_) return false;
    markTriggered(*it->second, reason);
    return true;
}

void Scheduler::stopAccepting() {
    std::size_t dropped = 0;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        accepting_ = false;
        cancel_.request();
        // Queued runs have not started: dropping them is what "no new runs" means. Their next
        // start finds the work still pending in Pleo.
        for (auto* q : {&triggered_, &queue_}) {
            for (const auto& run : *q) {
                auto it = states_.find(run.name);
                if (it == states_.end()) continue;
                it->second->queued = false;
                ++it->second->stats.droppedAtShutdown;
                metrics_.increment(metric::kRunsSkipped, {{"connection", run.name}, {"reason", "shutdown"}});
                ++dropped;
            }
            q->clear();
        }
        for (auto& [name, s] : states_) s->pendingReason.clear();
        ready_.clear();
        cv_.notify_all();
    }
    if (dropped > 0) log::info("Queued runs were dropped: the service is stopping.", {{"runs", dropped}});
}

bool Scheduler::accepting() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return accepting_;
}

bool Scheduler::waitIdleUntil(Clock::TimePoint deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        if (queue_.empty() && triggered_.empty() && inFlight_ == 0) return true;
        if (clock_.now() >= deadline) return false;
        clock_.waitUntil(lock, cv_, deadline);
    }
}

ConnectionStats Scheduler::stats(const std::string& connection) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = states_.find(connection);
    if (it == states_.end()) return {};
    ConnectionStats st = it->second->stats;
    st.running = it->second->running || it->second->queued;
    return st;
}

std::size_t Scheduler::queuedRuns() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return queue_.size() + triggered_.size();
}

std::size_t Scheduler::runsInFlight() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return inFlight_;
}

std::size_t Scheduler::peakRunsInFlight() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return peakInFlight_;
}

}  // namespace ledgerbridge::service
