// Runs the service until it is told to stop: signals, the scheduler, the HTTP endpoint, and an
// orderly shutdown.
//
// Signals: SIGTERM/SIGINT start a graceful stop (no new runs; runs in flight see their
// CancelFlag, finish their batch and report to Pleo); the process returns 0 once they are done,
// or exits with 130 at once when the grace period passes or a second SIGTERM/SIGINT arrives
// (the export ledger makes an abrupt stop safe). SIGHUP reloads the configuration.
//
// Why our own signal handling and not Poco::Util::ServerApplication's: ServerApplication waits
// with sigwait() for SIGINT/SIGQUIT/SIGTERM only and returns once; it knows no SIGHUP and no
// second signal. Here the signals are blocked in every thread (SignalWatcher must be created
// before any thread starts, so all threads inherit the mask) and one thread takes them with
// sigtimedwait(): no async-signal-safety constraints, no self-pipe, and the same behaviour in
// foreground and under systemd.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ledgerbridge/service/Clock.h"
#include "ledgerbridge/service/RunLauncher.h"

namespace ledgerbridge::config {
struct Config;
}
namespace ledgerbridge::store {
class StateStore;
}

namespace ledgerbridge::service {

class Metrics;
class ServiceControl;

struct ServiceOptions {
    std::string listen = "127.0.0.1:9464";    ///< service.listen
    std::string webhookSecret;                 ///< resolved service.webhook_secret; empty = no webhook endpoint
    std::chrono::seconds gracePeriod{30};      ///< service.grace_period
    int maxConcurrentRuns = 0;                 ///< service.max_concurrent_runs (0: defaultMaxConcurrentRuns())
    std::chrono::seconds missedRunSpread{120}; ///< service.missed_run_spread
    std::chrono::seconds historyMaxAge{30 * 86400};  ///< state.history_max_age (0 = keep)
    int historyMaxRuns = 500;                  ///< state.history_max_runs per connection (0 = keep all)
    std::string zoneinfoDir;                   ///< tz database folder (empty: $TZDIR or /usr/share/zoneinfo)
    bool handleSignals = true;                 ///< false: only requestStop()/requestReload() (tests, embedding)
    /// SIGHUP: loads the configuration again. May throw; the old configuration is then kept and
    /// the error logged. Unset: SIGHUP is logged and ignored.
    std::function<config::Config()> reloadConfig;
    /// Called with the exit code when the service must end at once (second signal, grace period
    /// over). Default std::_Exit. Tests replace it.
    std::function<void(int)> immediateExit;
    Clock* clock = nullptr;                    ///< default: the system clock. Not owned.
    Metrics* metrics = nullptr;                ///< default: a registry of its own. Not owned.
    /// Labels of ledgerbridge_build_info (version, state_schema, plugin_abi, ...); the CLI fills them.
    std::vector<std::pair<std::string, std::string>> buildInfo{{"version", "unknown"}};
    /// /metrics and /attention read every connection's health from the store at most this often,
    /// and at most every 2 ms per connection (20 s at 10,000); a scrape in between gets the last
    /// reading. 0: every scrape reads (tests).
    std::chrono::milliseconds healthRefresh{5000};
    /// Called once everything is up (tests use it to learn the port and to send requests).
    std::function<void(ServiceControl&)> onStarted;
    /// The scheduler's run leases (SchedulerOptions::leaseTtl); the CLI shortens it only in test
    /// builds (oauth::testhooks::leaseMs).
    std::chrono::milliseconds runLeaseTtl{std::chrono::minutes(10)};
};

/// The options from a loaded configuration's [service] section (config::ServiceSettings: listen,
/// webhook_secret, grace_period, already parsed and checked by the config loader, defaults where
/// a key is absent). Resolves the webhook secret: throws ConfigError naming the key and where it
/// was written when it cannot be read.
ServiceOptions serviceOptionsFromConfig(const config::Config& config);

/// A handle on a running service (given to ServiceOptions::onStarted).
class ServiceControl {
public:
    virtual ~ServiceControl() = default;
    virtual void requestStop() = 0;    ///< as SIGTERM (a second call: as a second SIGTERM)
    virtual void requestReload() = 0;  ///< as SIGHUP
    virtual std::uint16_t httpPort() const = 0;
};

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in every thread it starts
/// afterwards) and takes them on a thread of its own, calling `onSignal(signo)` there.
class SignalWatcher {
public:
    /// Must be constructed before any other thread is started. Throws IoError when the signal
    /// mask cannot be set.
    explicit SignalWatcher(std::function<void(int)> onSignal);
    /// Stops the watching thread; the signals stay blocked.
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
    std::function<void(int)> onSignal_;
    std::mutex mutex_;
    bool stop_ = false;
    std::thread thread_;
};

/// Runs the service: schedules every connection of `config` (ConfigError for a bad schedule),
/// serves HTTP, reacts to signals, and returns the process exit code (0 after a graceful stop).
/// `store` and `launcher` are not owned and must outlive the call. Throws ConfigError or
/// NetworkError when it cannot start (bad schedule, address in use).
int runService(const config::Config& config, store::StateStore& store, RunLauncher& launcher,
               const ServiceOptions& options);

}  // namespace ledgerbridge::service
