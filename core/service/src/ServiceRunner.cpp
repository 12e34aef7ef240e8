// runService(): wires scheduler, webhook verifier, metrics and HTTP endpoint together and
// drives them through start, reloads and a graceful or immediate stop. Signal handling is
// explained in ServiceRunner.h.
#include "ledgerbridge/service/ServiceRunner.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "ledgerbridge/common/ExitCode.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/config/Secret.h"
#include "ledgerbridge/service/ConnectionHealth.h"
#include "ledgerbridge/service/HealthMetrics.h"
#include "ledgerbridge/service/Metrics.h"
#include "ledgerbridge/service/Scheduler.h"
#include "ledgerbridge/service/ServiceHttpServer.h"
#include "ledgerbridge/service/WebhookVerifier.h"
#include "ledgerbridge/store/Connections.h"
#include "ledgerbridge/store/Ledger.h"
#include "ledgerbridge/store/PluginHealth.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::service {

// ---- signals ------------------------------------------------------------------------------

SignalWatcher::SignalWatcher(std::function<void(int)> onSignal) : onSignal_(std::move(onSignal)) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (const int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0)
        throw IoError(std::string("Could not block termination signals (") + std::strerror(rc) + ").");
    thread_ = std::thread([this, set] {
        while (true) {
            {
                std::lock_guard<std::mutex> guard(mutex_);
                if (stop_) return;
            }
            const timespec wait{0, 200 * 1000 * 1000};  // how quickly the destructor is noticed
            const int sig = sigtimedwait(&set, nullptr, &wait);
            if (sig > 0) onSignal_(sig);
        }
    });
}

SignalWatcher::~SignalWatcher() {
    {
        std::lock_guard<std::mutex> guard(mutex_);
        stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
}

// ---- options ------------------------------------------------------------------------------

ServiceOptions serviceOptionsFromConfig(const config::Config& config) {
    // The config loader parsed and checked [service] (with file:line problems); only the
    // webhook secret is resolved here, because only `serve` needs it to be readable.
    ServiceOptions o;
    o.listen = config.service.listen;
    o.gracePeriod = std::chrono::seconds(config.service.gracePeriodSeconds);
    o.maxConcurrentRuns = config.service.maxConcurrentRuns;
    o.missedRunSpread = std::chrono::seconds(config.service.missedRunSpreadSeconds);
    o.historyMaxAge = std::chrono::seconds(config.service.historyMaxAgeSeconds);
    o.historyMaxRuns = config.service.historyMaxRuns;
    if (!config.service.webhookSecret.empty()) o.webhookSecret = config::resolveSecret(config.service.webhookSecret);
    return o;
}

// ---- the service --------------------------------------------------------------------------

namespace {

class Runner final : public ServiceControl {
public:
    explicit Runner(std::function<void(int)> immediateExit) : immediateExit_(std::move(immediateExit)) {}

    void requestStop() override {
        int n = 0;
        {
            std::lock_guard<std::mutex> guard(mutex_);
            n = ++stops_;
            cv_.notify_all();
        }
        if (n >= 2) {
            log::warn("A second stop signal: exiting at once; the next run resumes safely from the ledger.");
            immediateExit_(toInt(ExitCode::Interrupted));
        }
    }
    void requestReload() override {
        std::lock_guard<std::mutex> guard(mutex_);
        ++reloads_;
        cv_.notify_all();
    }
    std::uint16_t httpPort() const override { return port_; }

    /// Waits for the next event: true = stop, false = reload.
    bool waitEvent() {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return stops_ > 0 || reloads_ > 0; });
        if (stops_ > 0) return true;
        --reloads_;
        return false;
    }

    std::uint16_t port_ = 0;
    std::function<void(int)> immediateExit_;

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    int stops_ = 0;
    int reloads_ = 0;
};

/// Every connection's health (ConnectionHealth.h) for /metrics and /attention, read from the
/// store at most once per `refresh` and shared by both. The configuration follows reloads.
class HealthReadings {
public:
    HealthReadings(const config::Config& config, store::StateStore& store, Clock& clock, std::chrono::milliseconds refresh,
                   std::string zoneinfoDir)
        : config_(std::make_shared<config::Config>(config)), store_(store), clock_(clock), refresh_(refresh),
          zoneinfoDir_(std::move(zoneinfoDir)) {}

    void setConfig(const config::Config& config) {
        std::lock_guard<std::mutex> guard(mutex_);
        config_ = std::make_shared<config::Config>(config);
        readAt_.reset();
    }
    void setPlanned(PlannedRun planned) {
        std::lock_guard<std::mutex> guard(mutex_);
        planned_ = std::move(planned);
    }

    std::vector<ConnectionHealth> get() {
        std::unique_lock<std::mutex> guard(mutex_);  // one reading at a time; later callers share it
        const auto now = clock_.now();
        if (!readAt_ || now - *readAt_ >= refresh_ || now < *readAt_) {
            last_ = assessConnections(*config_, store_, now, planned_, zoneinfoDir_);
            readAt_ = now;
        }
        return last_;
    }

private:
    std::mutex mutex_;
    std::shared_ptr<const config::Config> config_;
    store::StateStore& store_;
    Clock& clock_;
    std::chrono::milliseconds refresh_;
    std::string zoneinfoDir_;
    PlannedRun planned_;
    std::optional<Clock::TimePoint> readAt_;
    std::vector<ConnectionHealth> last_;
};

}  // namespace

/// Every connection with an export job left unfinished (the service stopped or crashed
/// mid-export) runs at once, whatever its schedule — also one that only runs on webhooks, whose
/// job would otherwise wait for the next webhook while Pleo's expiry clock runs.
static void resumeUnfinishedJobs(const config::Config& config, store::StateStore& store, Scheduler& scheduler) {
    for (const auto& c : config.connections) {
        try {
            // Under the Pleo fingerprint, or the target fingerprint a plugin naming its target
            // identity used (ConnectionRunner binds it): the plugin is not loaded here.
            const auto pleo = config::environmentFingerprint(config.activeProfile(), c.companyId);
            std::vector<store::JobRecord> open;
            for (const auto& fp : store::Connections(store).fingerprintsWithin(c.name, pleo.value, pleo.description))
                for (auto& job : store::Ledger(store).unfinishedJobs(fp, c.name)) open.push_back(job);
            if (open.empty()) continue;
            log::info("Resuming unfinished export jobs at start.",
                      {{"connection", c.name}, {"jobs", open.size()}, {"first_job", open.front().jobId}});
            scheduler.triggerConnection(c.name, "resume");
        } catch (const std::exception& e) {
            log::error("Could not look for unfinished export jobs at start.", {{"connection", c.name}, {"error", describe(e)}});
        }
    }
}

int runService(const config::Config& config, store::StateStore& store, RunLauncher& launcher,
               const ServiceOptions& options) {
    Runner runner(options.immediateExit ? options.immediateExit : [](int code) { std::_Exit(code); });
    std::unique_ptr<SignalWatcher> watcher;
    if (options.handleSignals)
        watcher = std::make_unique<SignalWatcher>([&runner](int sig) {
            // logrotate renamed the file and sends SIGHUP: the next line goes to a new file.
            if (sig == SIGHUP) log::reopenFile();
            log::info("Received a signal.", {{"signal", sig == SIGHUP ? "SIGHUP" : sig == SIGINT ? "SIGINT" : "SIGTERM"}});
            if (sig == SIGHUP) runner.requestReload();
            else runner.requestStop();
        });

    SystemClock systemClock;
    Clock& clock = options.clock != nullptr ? *options.clock : systemClock;
    Metrics ownMetrics;
    Metrics& metrics = options.metrics != nullptr ? *options.metrics : ownMetrics;
    defineStandardMetrics(metrics);
    auto alive = std::make_shared<std::atomic<bool>>(true);
    metrics.addCollector([alive, &store](Metrics& m) {
        if (!alive->load()) return;
        for (const auto& p : store::PluginHealth(store).all())
            m.set(metric::kQuarantined, {{"plugin", p.plugin}}, p.quarantined ? 1 : 0);
    });
    struct AliveReset {
        std::shared_ptr<std::atomic<bool>> flag;
        ~AliveReset() { flag->store(false); }
    } aliveReset{alive};

    // Every connection's series exist from the start (HealthMetrics.h), refreshed on each scrape.
    initServiceSeries(metrics, options.buildInfo);
    for (const auto& c : config.connections) initConnectionSeries(metrics, c.name);
    // A reading costs ~0.1 ms per connection (scripts/bench-health): at least 2 ms per
    // connection between readings keeps it under ~5 % of a core however often /metrics is scraped.
    auto refresh = options.healthRefresh;
    if (refresh.count() > 0)
        refresh = std::max(refresh, std::chrono::milliseconds(2 * static_cast<std::int64_t>(config.connections.size())));
    auto health = std::make_shared<HealthReadings>(config, store, clock, refresh, options.zoneinfoDir);
    metrics.addCollector([alive, health](Metrics& m) {
        if (alive->load()) publishHealth(m, health->get());
    });

    std::unique_ptr<WebhookVerifier> verifier;
    if (!options.webhookSecret.empty()) {
        WebhookVerifier::Options verifierOptions;
        verifierOptions.maxRememberedIds = WebhookVerifier::replayCapacityFor(config.connections.size());
        verifier = std::make_unique<WebhookVerifier>(options.webhookSecret, clock, verifierOptions);
    }

    SchedulerOptions schedulerOptions;
    if (options.maxConcurrentRuns > 0) schedulerOptions.maxConcurrentRuns = options.maxConcurrentRuns;
    schedulerOptions.missedRunSpread = options.missedRunSpread;
    schedulerOptions.historyMaxAge = options.historyMaxAge;
    schedulerOptions.historyMaxRunsPerConnection = options.historyMaxRuns;
    schedulerOptions.leaseTtl = options.runLeaseTtl;
    Scheduler scheduler(launcher, clock, &store, metrics, defaultRandomSource(), schedulerOptions);
    scheduler.configure(scheduledConnections(config, options.zoneinfoDir));
    health->setPlanned([&scheduler](const std::string& name) -> std::optional<std::int64_t> {
        const auto next = scheduler.stats(name).nextFire;
        if (!next) return std::nullopt;
        return std::chrono::duration_cast<std::chrono::milliseconds>(next->time_since_epoch()).count();
    });
    // The scheduler goes before `health` stops being read: no reading may ask a destroyed one.
    struct PlannedReset {
        std::shared_ptr<HealthReadings> health;
        ~PlannedReset() { health->setPlanned({}); }
    } plannedReset{health};

    std::atomic<bool> shuttingDown{false};
    ServiceHttpServer http(
        HttpServerOptions{options.listen}, metrics, verifier.get(),
        [&scheduler](const std::string& company) { return scheduler.triggerCompany(company, "webhook"); },
        [&shuttingDown, &store]() -> std::string {
            if (shuttingDown.load()) return "shutting down";
            try {
                store.schemaVersion();
            } catch (const std::exception& e) {
                return std::string("state store unreachable: ") + e.what();
            }
            return {};
        });
    http.setAttention([alive, health] { return alive->load() ? attentionJson(health->get()) : std::string("{}"); });
    http.start();
    runner.port_ = http.port();
    resumeUnfinishedJobs(config, store, scheduler);
    scheduler.start();
    log::info("The service is running.", {{"connections", config.connections.size()},
                                          {"max_concurrent_runs", schedulerOptions.maxConcurrentRuns},
                                          {"webhooks", verifier ? "on" : "off"}});
    if (options.onStarted) options.onStarted(runner);

    while (!runner.waitEvent()) {
        if (!options.reloadConfig) {
            log::warn("SIGHUP received but this service cannot reload its configuration; restart it instead.");
            continue;
        }
        try {
            const config::Config fresh = options.reloadConfig();
            scheduler.configure(scheduledConnections(fresh, options.zoneinfoDir));
            for (const auto& c : fresh.connections) initConnectionSeries(metrics, c.name);
            health->setConfig(fresh);
            if (verifier) verifier->setMaxRememberedIds(WebhookVerifier::replayCapacityFor(fresh.connections.size()));
            log::info("The configuration was reloaded.", {{"connections", fresh.connections.size()}});
        } catch (const std::exception& e) {
            log::error("The configuration could not be reloaded; the previous one stays in effect.",
                       {{"error", describe(e)}});
        }
    }

    log::info("Stopping: no new runs; waiting for the runs in flight to finish their batch.",
              {{"grace_period_s", options.gracePeriod.count()}});
    shuttingDown.store(true);
    scheduler.stopAccepting();
    if (!scheduler.waitIdleUntil(clock.now() + options.gracePeriod)) {
        log::error("Runs were still going when the grace period ended; exiting at once. The next run resumes them.");
        http.stop();
        runner.immediateExit_(toInt(ExitCode::Interrupted));
        return toInt(ExitCode::Interrupted);
    }
    http.stop();
    log::info("The service stopped cleanly.");
    return toInt(ExitCode::Ok);
}

}  // namespace ledgerbridge::service
