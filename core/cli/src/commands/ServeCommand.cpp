// `ledgerbridge serve`: the scheduled service. core/service owns the schedules, the webhook
// receiver, /healthz, /readyz, /metrics and the signals; this file gives it the one thing it
// lacks — how to run a connection (the same ConnectionRunner as `ledgerbridge run`) — and
// handles --daemon and SIGHUP's configuration reload. Before a run it also syncs the
// connection's master data when due (core/masterdata: sync_schedule, or no sync yet).
//
// Locks, and why they cannot deadlock: the scheduler takes the store lease `run:<connection>`
// (Leases::tryAcquire, never waits) before it calls runConnection; inside, the export engine
// takes `run:<fingerprint>` (ScopedLease with no wait: LockBusyError at once). Different names,
// and neither waits for the other, so a run never blocks on a lease its own process holds.
// Across processes the engine's lease is the one that matters: a `ledgerbridge run` from cron
// (engine lease only) makes the service's run of the same company end "busy", and the other
// way round `run` exits 7.
// One gap the leases leave: a lease is re-entrant for its holder (Leases::selfHolder(), one
// per process), so two connections of the same Pleo company in this process would both get
// `run:<fingerprint>`, and the first to finish would release it under the second. The launcher
// therefore lets one run per fingerprint at a time; the other ends "busy", as it would in
// another process, and the next tick or webhook runs it.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <sstream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/cli/StartupChecks.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/ExitCode.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/host/ConnectionRunner.h"
#include "ledgerbridge/host/Promotion.h"
#include "ledgerbridge/masterdata/MasterDataSync.h"
#include "ledgerbridge/oauth/RefreshCounts.h"
#include "ledgerbridge/oauth/TestHooks.h"
#include "ledgerbridge/plugin_abi.h"
#include "ledgerbridge/store/Migrations.h"
#include "ledgerbridge/service/Scheduler.h"
#include "ledgerbridge/service/ServiceRunner.h"

#ifndef LEDGERBRIDGE_VERSION
#define LEDGERBRIDGE_VERSION "0.0.0-dev"
#endif

namespace ledgerbridge::cli {
namespace {

/// Runs a connection for the scheduler through the same path as `ledgerbridge run`.
class Launcher : public service::RunLauncher {
public:
    Launcher(std::shared_ptr<const config::Config> config, store::StateStore& store)
        : config_(std::move(config)), store_(store) {}

    void replaceConfig(std::shared_ptr<const config::Config> config) {
        std::lock_guard<std::mutex> lock(mutex_);
        config_ = std::move(config);
        ++generation_;
    }

    service::RunOutcome runConnection(const std::string& connection, const std::string& reason,
                                      const service::CancelFlag& cancel) override {
        std::shared_ptr<const config::Config> config;  // a reload during the run does not change it
        std::string stamp;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            config = config_;
            // The loaded configuration's identity: a reload or a restart asks Pleo again after
            // MISSING_CONTRA_ACCOUNTS (AutoExport.cpp), a tick with the same one does not.
            stamp = std::to_string(startedAt_) + "-" + std::to_string(::getpid()) + "-" + std::to_string(generation_);
        }
        service::RunOutcome out;
        try {
            const config::Connection& conn = config->connection(connection);
            out.plugin = conn.plugin;
            const std::string fingerprint = config::environmentFingerprint(config->activeProfile(), conn.companyId).value;
            Claim claim(*this, fingerprint);
            if (!claim.held) {
                out.outcome = "busy";
                out.message = "another connection of company " + conn.companyId + " is running in this service";
                host::recordRunNotStarted(store_, connection, fingerprint, config->activeProfile().name, conn.plugin,
                                          false, out.outcome, out.message);
                return out;
            }
            // Refreshes during the sync and the run (one run per connection at a time in this
            // process, so the difference is this run's).
            const oauth::RefreshCounts refreshesBefore = oauth::refreshCounts(connection);
            struct CountRefreshes {
                const std::string& connection;
                const oauth::RefreshCounts before;
                service::RunOutcome& out;
                ~CountRefreshes() {
                    const oauth::RefreshCounts after = oauth::refreshCounts(connection);
                    out.tokenRefreshes = after.ok - before.ok;
                    out.tokenRefreshFailures = after.failed - before.failed;
                }
            } countRefreshes{connection, refreshesBefore, out};
            syncIfDue(*config, conn, cancel);
            log::info("run starting", {{"connection", connection}, {"reason", reason}});
            host::ConnectionRunner runner(*config, store_);
            host::RunOptions options;
            options.cancel = cancel.raw();
            options.createJobs = conn.autoExport.enabled;
            options.autoExportStamp = stamp;
            const exporter::RunReport report = runner.run(connection, options);
            out.outcome = report.outcome;
            out.message = report.error;
            std::int64_t posted = 0, rejected = 0, already = 0, undelivered = 0;
            for (const auto& j : report.jobs) {
                posted += j.posted;
                rejected += j.rejected;
                already += j.alreadyPosted;
                undelivered += j.undelivered;
            }
            out.entries = {{"posted", posted}, {"rejected", rejected}, {"already_posted", already}, {"undelivered", undelivered}};
            out.pleoRequests = report.pleoRequestsByStatus;  // by HTTP status, "error" = no answer
            out.targetRequests = {{"all", report.targetRequests}};
        } catch (const ReauthorizationRequired& e) {
            out.outcome = "needs_reauth";
            out.message = describe(e);
        } catch (const AuthError& e) {
            out.outcome = "needs_reauth";
            out.message = describe(e);
        } catch (const LockBusyError& e) {
            out.outcome = "busy";
            out.message = describe(e);
        } catch (const InterruptedError& e) {
            out.outcome = "interrupted";
            out.message = describe(e);
        } catch (const std::exception& e) {
            out.outcome = "failed";
            out.message = describe(e);
        }
        return out;
    }

private:
    /// The master-data sync before the export, when none has succeeded yet (a new login) or the
    /// connection's sync_schedule fired since the last one. A failed sync is logged and the export
    /// runs anyway: delivering entries does not depend on Pleo's copy of the master data.
    void syncIfDue(const config::Config& config, const config::Connection& conn, const service::CancelFlag& cancel) {
        // Without these, every run of a connection whose plugin has no master data loads and
        // configures it a second time, and a sync that keeps failing (none succeeded, so it is
        // always due) is tried again before every run: at 1,000 connections polled each minute
        // that is a plugin load or a whole sync per run. Forgotten on reload (a new plugin or
        // settings may change the answer).
        const auto now = std::chrono::steady_clock::now();
        int generation = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            generation = generation_;
            auto it = syncSkips_.find(conn.name);
            if (it != syncSkips_.end() && it->second.generation == generation &&
                (it->second.noMasterData || now < it->second.retryAt))
                return;
        }
        auto remember = [&](bool noMasterData) {
            std::lock_guard<std::mutex> lock(mutex_);
            syncSkips_[conn.name] = SyncSkip{generation, noMasterData, now + kSyncRetryAfterFailure};
        };
        masterdata::NextFire next;
        if (conn.syncSchedule != "off") {
            auto schedule = std::make_shared<service::Schedule>(
                service::Schedule::parse(conn.syncSchedule, conn.name, {}, "sync_schedule"));
            next = [schedule](std::chrono::system_clock::time_point t) { return schedule->nextAfter(t); };
        }
        const std::string why = masterdata::syncDueReason(config, conn.name, store_, next, std::chrono::system_clock::now());
        if (why.empty()) return;
        try {
            masterdata::SyncOptions options;
            options.cancel = cancel.raw();
            const masterdata::SyncReport report = masterdata::syncConnection(config, conn.name, store_, options);
            log::info("master-data sync before the run",
                      {{"connection", conn.name}, {"reason", why}, {"outcome", report.outcome},
                       {"refused", report.refusals.size()}, {"pleo_requests", report.pleoRequests}});
        } catch (const masterdata::NoMasterDataError&) {
            // The plugin has no master data to give: nothing to sync, nothing to log each run.
            remember(true);
        } catch (const InterruptedError&) {
            throw;
        } catch (const std::exception& e) {
            remember(false);
            log::warn("the master-data sync before the run failed; the export runs anyway; tried again in 15 minutes "
                      "or at a reload",
                      {{"connection", conn.name}, {"reason", why}, {"error", describe(e)}});
        }
    }

    /// One run per environment fingerprint in this process (see the comment at the top).
    struct Claim {
        Claim(Launcher& l, std::string fp) : launcher(l), fingerprint(std::move(fp)) {
            std::lock_guard<std::mutex> lock(launcher.mutex_);
            held = launcher.running_.insert(fingerprint).second;
        }
        ~Claim() {
            if (!held) return;
            std::lock_guard<std::mutex> lock(launcher.mutex_);
            launcher.running_.erase(fingerprint);
        }
        Claim(const Claim&) = delete;
        Claim& operator=(const Claim&) = delete;
        Launcher& launcher;
        std::string fingerprint;
        bool held = false;
    };

    std::mutex mutex_;
    std::shared_ptr<const config::Config> config_;
    std::set<std::string> running_;  ///< fingerprints with a run in flight
    int generation_ = 1;             ///< configurations loaded so far
    /// Connections whose sync is not tried before their runs: the plugin has no master data,
    /// or the last sync failed less than kSyncRetryAfterFailure ago (per configuration).
    struct SyncSkip {
        int generation = 0;
        bool noMasterData = false;
        std::chrono::steady_clock::time_point retryAt;
    };
    static constexpr std::chrono::minutes kSyncRetryAfterFailure{15};
    std::map<std::string, SyncSkip> syncSkips_;
    std::int64_t startedAt_ = static_cast<std::int64_t>(std::time(nullptr));
    store::StateStore& store_;
};

// ---- --daemon -------------------------------------------------------------------------------
//
// The classic double fork (fork, setsid, fork: no controlling terminal, and none can be
// acquired again), cwd "/", stdin/stdout/stderr on /dev/null. The starting process waits on a
// pipe until the daemon is listening (or failed to start) so that `serve --daemon` exits 0 only
// for a service that is really up, and prints any start-up error itself. The state store is
// opened only in the daemon: an SQLite connection must not cross fork() (its POSIX locks stay
// with the process that took them).

void writeAll(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

/// In the starting process: waits for the daemon's first word. Returns the exit code of
/// `serve --daemon`.
int awaitDaemon(int readFd, pid_t firstChild, Invocation& inv, const std::string& logFile) {
    int status = 0;
    while (::waitpid(firstChild, &status, 0) < 0 && errno == EINTR) {
    }
    std::string text;
    char buf[512];
    while (true) {
        const ssize_t n = ::read(readFd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(readFd);
    std::istringstream in(text);
    std::string word;
    in >> word;
    if (word == "ready") {
        long pid = 0;
        std::string listen;
        in >> pid >> listen;
        inv.out() << "ledgerbridge serve: running in the background as process " << pid << ", listening on " << listen
                  << "; log: " << logFile << "; stop it with kill -TERM " << pid << "\n";
        return 0;
    }
    if (word == "error") {
        int code = toInt(ExitCode::Failure);
        in >> code;
        std::string message;
        std::getline(in >> std::ws, message, '\0');
        inv.err() << "ledgerbridge: " << message << '\n';
        return code;
    }
    inv.err() << "ledgerbridge: the service ended before it was ready; see " << logFile << '\n';
    return toInt(ExitCode::Failure);
}

/// Detaches. Returns in the daemon with the pipe's write end (close-on-exec); in the starting
/// process it does not return (it exits with awaitDaemon's code).
int daemonize(Invocation& inv, const std::string& logFile) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw IoError("Cannot start the daemon (pipe failed).");
    inv.out().flush();
    inv.err().flush();
    const pid_t first = ::fork();
    if (first < 0) throw IoError("Cannot start the daemon (fork failed).");
    if (first > 0) {
        ::close(fds[1]);
        const int code = awaitDaemon(fds[0], first, inv, logFile);
        inv.out().flush();
        inv.err().flush();
        std::_Exit(code);  // nothing of this process's state is the daemon's to clean up
    }
    ::close(fds[0]);
    if (::setsid() < 0) ::_exit(toInt(ExitCode::Failure));
    const pid_t second = ::fork();
    if (second < 0) ::_exit(toInt(ExitCode::Failure));
    if (second > 0) ::_exit(0);
    if (::chdir("/") != 0) {
        // "/" always exists; nothing sensible to do otherwise
    }
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        if (null > 2) ::close(null);
    }
    return fds[1];
}

int serve(Invocation& inv) {
    AppContext app(inv);
    const config::Config& loaded = app.startupConfig(true);  // what `config validate` checks
    int readyFd = -1;  // --daemon: where to say "ready" or why not
    if (inv.flag("daemon")) {
        if (loaded.logFile.empty())
            throw ConfigError(app.configPath() + ": --daemon needs [log] file = PATH (a daemon has no terminal to log to)");
        readyFd = daemonize(inv, loaded.logFile);
    }
    try {
        host::requirePromotion(loaded, app.checkedStore());  // checked for damage; production only after a promotion
        service::ServiceOptions options = service::serviceOptionsFromConfig(loaded);
        options.buildInfo = {{"version", LEDGERBRIDGE_VERSION},
                             {"state_schema", std::to_string(store::latestSchemaVersion())},
                             {"plugin_abi", std::to_string(LB_ABI_MAJOR) + "." + std::to_string(LB_ABI_MINOR)}};
        options.runLeaseTtl = std::chrono::milliseconds(oauth::testhooks::leaseMs(options.runLeaseTtl.count()));
        Launcher launcher(std::make_shared<config::Config>(loaded), app.store());
        // The file as loaded (absolute: a daemon's working directory is "/"), with the same
        // command-line overrides. A new configuration replaces the launcher's only once the
        // service could parse its schedules, so both keep using the same one.
        const std::string path = loaded.file;
        config::Overrides overrides;
        overrides.environment = inv.option("environment");
        overrides.stateDir = inv.option("state-dir");
        options.reloadConfig = [path, overrides, &launcher, zoneinfo = options.zoneinfoDir]() {
            config::Config fresh = config::loadConfigOrThrow(path, overrides, true);
            // The start-up checks again (schedules, plugins, settings): a reload that would not
            // start is refused with the same lines, and the old configuration stays.
            const StartupChecks checks = checkStartup(fresh, true, zoneinfo);
            if (!checks.problems.empty()) throw ConfigError(config::problemsReport(fresh.file, checks.problems));
            service::scheduledConnections(fresh, zoneinfo);
            launcher.replaceConfig(std::make_shared<config::Config>(fresh));
            return fresh;
        };
        options.onStarted = [&inv, &readyFd, &options](service::ServiceControl& control) {
            const std::string host = options.listen.substr(0, options.listen.rfind(':'));
            const std::string listen = host + ":" + std::to_string(control.httpPort());
            log::info("service started", {{"listen", listen}});
            if (readyFd >= 0) {
                writeAll(readyFd, "ready " + std::to_string(::getpid()) + " " + listen + "\n");
                ::close(readyFd);
                readyFd = -1;
            } else {
                inv.out() << "ledgerbridge serve: listening on " << listen << " (process " << ::getpid()
                          << "; /healthz /readyz /metrics /webhooks/pleo); SIGTERM or Ctrl-C stops after the batch in "
                             "flight, SIGHUP reloads the configuration\n"
                          << std::flush;
            }
        };
        return service::runService(loaded, app.store(), launcher, options);
    } catch (const std::exception& e) {
        if (readyFd >= 0) {  // the daemon could not start: the starting process prints why
            const auto* own = dynamic_cast<const Exception*>(&e);
            const int code = toInt(own ? own->exitCode() : ExitCode::Failure);
            log::error("The service could not start.", {{"error", describe(e)}});
            writeAll(readyFd, "error " + std::to_string(code) + " " + describe(e));
            ::close(readyFd);
        }
        throw;
    }
}

}  // namespace

Command makeServeCommand() {
    return Command{
        "serve",
        "run connections on their schedules as a service (webhooks, health, metrics)",
        "ledgerbridge serve [--daemon]",
        "Runs each connection on its `schedule` (cron with a time zone, or an interval; jitter;\n"
        "a run missed while stopped runs once at start), never twice at once — across processes\n"
        "too. Pleo's v1.export-job.created webhook (Standard Webhooks signature with\n"
        "[service] webhook_secret) starts that company's run at once. Serves /healthz, /readyz and\n"
        "/metrics (Prometheus) on [service] listen (default 127.0.0.1:9464).\n\n"
        "SIGTERM/SIGINT: stop taking work, finish the batch in flight, report it to Pleo, exit 0\n"
        "within [service] grace_period (default 30s); a second signal exits at once (safe: the\n"
        "ledger resumes). SIGHUP reopens [log] file (after logrotate renamed it) and reloads the\n"
        "connections and their schedules from the same file (a bad file is logged and the old\n"
        "one kept); [service] changes need a restart.\n\n"
        "--daemon detaches and returns once the service listens (exit 0, with its process id), or\n"
        "with the start-up error and its exit code. systemd users keep the foreground: see\n"
        "packaging/systemd (installed by cmake --install) and man ledgerbridge.",
        {{"daemon", "", "detach from the terminal once listening (needs [log] file)"}},
        {},
        serve};
}

}  // namespace ledgerbridge::cli
