// The scheduler's decisions (tick), its thread, and the bookkeeping around each run: lease,
// metrics, coalesced triggers. The rules are described in Scheduler.h.
#include "ledgerbridge/service/Scheduler.h"

#include <algorithm>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/store/Leases.h"
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
        out.push_back(std::move(sc));
    }
    return out;
}

Scheduler::Scheduler(RunLauncher& launcher, Clock& clock, store::StateStore* store, Metrics& metrics,
                     RandomSource random, SchedulerOptions options)
    : launcher_(launcher), clock_(clock), store_(store), metrics_(metrics), random_(std::move(random)),
      options_(options) {
    defineStandardMetrics(metrics_);
}

Scheduler::~Scheduler() {
    {
        std::lock_guard<std::mutex> guard(mutex_);
        stopThread_ = true;
        accepting_ = false;
        cancel_.request();
        cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    std::vector<std::thread> workers;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        for (auto& [name, s] : states_)
            if (s->worker.joinable()) workers.push_back(std::move(s->worker));
    }
    for (auto& w : workers) w.join();
}

void Scheduler::planNext(State& s, Clock::TimePoint after) {
    if (!s.connection.schedule) {
        s.nominal.reset();
        s.fireAt.reset();
        s.stats.nextFire.reset();
        return;
    }
    s.nominal = s.connection.schedule->nextAfter(after);
    s.fireAt = *s.nominal + s.connection.schedule->jitterDelay(random_);
    s.stats.nextFire = s.fireAt;
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
            planNext(*s, now);
            states_.emplace(s->connection.name, std::move(s));
            continue;
        }
        State& s = *it->second;
        s.removed = false;
        const std::string before = s.connection.schedule ? s.connection.schedule->text() : "";
        const std::string after = c.schedule ? c.schedule->text() : "";
        s.connection = std::move(c);
        if (before != after || !s.fireAt) planNext(s, now);
    }
    for (auto it = states_.begin(); it != states_.end();) {
        State& s = *it->second;
        if (s.removed && !s.running) {
            if (s.worker.joinable()) s.worker.join();
            it = states_.erase(it);
        } else {
            ++it;
        }
    }
    cv_.notify_all();
}

void Scheduler::start() {
    {
        std::lock_guard<std::mutex> guard(mutex_);
        if (store_ != nullptr && options_.runMissedAtStart) {
            store::Runs runs(*store_);
            const auto now = clock_.now();
            for (auto& [name, s] : states_) {
                if (!s->connection.schedule) continue;
                const auto last = runs.recent(1, name);
                if (last.empty()) continue;
                const Clock::TimePoint lastStart{std::chrono::milliseconds(last.front().startedAt)};
                if (s->connection.schedule->nextAfter(lastStart) <= now) {
                    log::info("A scheduled run was missed while the service was stopped; running it once now.",
                              {{"connection", name}, {"last_run_started", isoTime(lastStart)}});
                    s->pendingReason = "missed";
                }
            }
        }
    }
    thread_ = std::thread([this] { loop(); });
}

void Scheduler::launch(State& s, const std::string& reason, std::unique_lock<std::mutex>& lock) {
    (void)lock;  // held by the caller
    const std::string name = s.connection.name;
    if (store_ != nullptr) {
        store::Leases leases(*store_);
        bool acquired = false;
        try {
            acquired = leases.tryAcquire(leaseName(name), options_.leaseTtl.count());
        } catch (const std::exception& e) {
            // No run without the lease: another process might be running this connection.
            metrics_.increment(metric::kRunsSkipped, {{"connection", name}, {"reason", "store_error"}});
            log::error("Skipping a run: the run lease could not be checked in the state store.",
                       {{"connection", name}, {"reason", reason}, {"error", describe(e)}});
            return;
        }
        if (!acquired) {
            ++s.stats.skippedLeaseBusy;
            metrics_.increment(metric::kRunsSkipped, {{"connection", name}, {"reason", "lease_busy"}});
            store::LeaseHolder holder;
            try {
                leases.current(leaseName(name), holder);
            } catch (const std::exception&) {
            }
            log::info("Skipping a run: another process is running this connection.",
                      {{"connection", name}, {"reason", reason}, {"holder", holder.holder}});
            return;
        }
        s.holdsLease = true;
        s.leaseRenewedMs = store::nowMs();
    }
    if (s.worker.joinable()) s.worker.join();  // the previous run has finished (running == false)
    s.running = true;
    ++s.stats.started;
    metrics_.set(metric::kRunning, {{"connection", name}}, 1);
    log::info("Starting a run.", {{"connection", name}, {"reason", reason}});
    s.worker = std::thread([this, name, reason] {
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
        finish(name, outcome);
    });
}

void Scheduler::finish(const std::string& name, const RunOutcome& o) {
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
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = states_.find(name);
    if (it == states_.end()) return;
    State& s = *it->second;
    if (s.holdsLease && store_ != nullptr) {
        try {
            store::Leases(*store_).release(leaseName(name));
        } catch (const std::exception& e) {
            log::warn("Could not release the run lease; it expires on its own.", {{"connection", name}, {"error", e.what()}});
        }
        s.holdsLease = false;
    }
    s.running = false;
    ++s.stats.finished;
    s.stats.lastOutcome = o.outcome;
    cv_.notify_all();
}

void Scheduler::tick() {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto now = clock_.now();
    for (auto& [name, sp] : states_) {
        State& s = *sp;
        if (!s.running && s.worker.joinable()) s.worker.join();
        if (s.running && s.holdsLease && store_ != nullptr &&
            store::nowMs() - s.leaseRenewedMs >= options_.leaseTtl.count() / 3) {
            bool renewed = false;
            std::string why = "another process took it after it expired";
            try {
                renewed = store::Leases(*store_).renew(leaseName(name), options_.leaseTtl.count());
            } catch (const std::exception& e) {
                why = describe(e);  // retried on the next tick, well before the lease expires
            }
            if (renewed)
                s.leaseRenewedMs = store::nowMs();
            else
                log::error("The run lease could not be renewed while the run goes on.",
                           {{"connection", name}, {"error", why}});
        }
        if (!accepting_ || s.removed) continue;
        if (s.fireAt && now >= *s.fireAt) {
            if (s.running) {
                ++s.stats.skippedOverlap;
                metrics_.increment(metric::kRunsSkipped, {{"connection", name}, {"reason", "overlap"}});
                log::info("Skipping a scheduled run: the previous run of this connection is still going.",
                          {{"connection", name}});
            } else {
                s.pendingReason.clear();  // this run serves any waiting trigger too
                launch(s, "schedule", lock);
            }
            planNext(s, now);
        }
        if (!s.pendingReason.empty() && !s.running) {
            const std::string reason = s.pendingReason;
            s.pendingReason.clear();
            launch(s, reason, lock);
        }
    }
}

void Scheduler::loop() {
    while (true) {
        try {
            tick();
        } catch (const std::exception& e) {  // e.g. a worker thread could not be started
            log::error("The scheduler could not act on this tick; it tries again.", {{"error", describe(e)}});
        }
        std::unique_lock<std::mutex> lock(mutex_);
        if (stopThread_) return;
        const auto now = clock_.now();
        Clock::TimePoint deadline = now + std::chrono::hours(1);
        bool work = false;
        for (auto& [name, s] : states_) {
            if (accepting_ && s->fireAt) deadline = std::min(deadline, *s->fireAt);
            if (s->holdsLease)
                deadline = std::min(deadline, now + std::chrono::duration_cast<Clock::TimePoint::duration>(options_.leaseTtl / 3));
            if (accepting_ && !s->pendingReason.empty() && !s->running) work = true;
        }
        if (!work) clock_.waitUntil(lock, cv_, deadline);
    }
}

std::size_t Scheduler::triggerCompany(const std::string& companyId, const std::string& reason) {
    std::vector<std::string> names;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        for (auto& [name, s] : states_)
            if (!s->removed && !companyId.empty() && s->connection.companyId == companyId) names.push_back(name);
    }
    std::size_t n = 0;
    for (const auto& name : names) n += triggerConnection(name, reason) ? 1 : 0;
    return n;
}

bool Scheduler::triggerConnection(const std::string& name, const std::string& reason) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = states_.find(name);
    if (it == states_.end() || it->second->removed || !accepting_) return false;
    if (it->second->pendingReason.empty()) it->second->pendingReason = reason;
    cv_.notify_all();
    return true;
}

void Scheduler::stopAccepting() {
    std::lock_guard<std::mutex> guard(mutex_);
    accepting_ = false;
    cancel_.request();
    cv_.notify_all();
}

bool Scheduler::accepting() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return accepting_;
}

bool Scheduler::waitIdleUntil(Clock::TimePoint deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        const bool busy = std::any_of(states_.begin(), states_.end(), [](const auto& e) { return e.second->running; });
        if (!busy) return true;
        if (clock_.now() >= deadline) return false;
        clock_.waitUntil(lock, cv_, deadline);
    }
}

ConnectionStats Scheduler::stats(const std::string& connection) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = states_.find(connection);
    if (it == states_.end()) return {};
    ConnectionStats st = it->second->stats;
    st.running = it->second->running;
    return st;
}

}  // namespace ledgerbridge::service
