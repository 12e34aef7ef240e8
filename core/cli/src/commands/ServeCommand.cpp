// `ledgerbridge serve`: the scheduled service. core/service owns the schedules, the webhook
// receiver, /healthz, /readyz, /metrics and the signals; this file gives it the one thing it
// lacks — how to run a connection (the same ConnectionRunner as `ledgerbridge run`) — and
// handles --daemon and SIGHUP's configuration reload.
//
// Locks: the scheduler holds the lease `run:<connection>` while it runs a connection, and the
// export engine takes `run:<fingerprint>` inside: two different leases, always taken in that
// order, so they cannot deadlock, and a `ledgerbridge run` from cron (engine lease only) still
// excludes the service's run of the same connection.
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <ostream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/ExitCode.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/host/ConnectionRunner.h"
#include "ledgerbridge/host/Promotion.h"
#include "ledgerbridge/service/ServiceRunner.h"

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
    }

    service::RunOutcome runConnection(const std::string& connection, const std::string& reason,
                                      const service::CancelFlag& cancel) override {
        std::shared_ptr<const config::Config> config;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            config = config_;
        }
        service::RunOutcome out;
        out.plugin = config->connection(connection).plugin;
        log::info("run starting", {{"connection", connection}, {"reason", reason}});
        try {
            host::ConnectionRunner runner(*config, store_);
            host::RunOptions options;
            options.cancel = cancel.raw();
            exporter::RunReport report = runner.run(connection, options);
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
            out.pleoRequests = {{"all", report.pleoRequests}};
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
    std::mutex mutex_;
    std::shared_ptr<const config::Config> config_;
    store::StateStore& store_;
};

/// Detaches from the terminal: fork, setsid, fork again, stdin/stdout/stderr to /dev/null (logs
/// go to [log] file or nowhere, so set one). Returns in the daemon; the parents exit 0.
void daemonize() {
    if (pid_t pid = ::fork(); pid < 0)
        throw IoError("Cannot start the daemon (fork failed).");
    else if (pid > 0)
        ::_exit(0);
    if (::setsid() < 0) throw IoError("Cannot start the daemon (setsid failed).");
    if (pid_t pid = ::fork(); pid < 0)
        throw IoError("Cannot start the daemon (fork failed).");
    else if (pid > 0)
        ::_exit(0);
    int fd = ::open("/dev/null", O_RDWR);
    if (fd >= 0) {
        ::dup2(fd, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        if (fd > 2) ::close(fd);
    }
}

int serve(Invocation& inv) {
    AppContext app(inv);
    const config::Config& loaded = app.config(true);
    host::requirePromotion(loaded, app.store());  // production only after a recorded promotion
    if (inv.flag("daemon")) {
        if (loaded.logFile.empty())
            throw ConfigError(app.configPath() + ": --daemon needs [log] file = PATH (a daemon has no terminal to log to)");
        daemonize();
    }
    service::ServiceOptions options = service::serviceOptionsFromConfig(loaded);
    auto launcher = std::make_unique<Launcher>(std::make_shared<config::Config>(loaded), app.store());
    const std::string path = app.configPath();
    config::Overrides overrides;
    overrides.environment = inv.option("environment");
    overrides.stateDir = inv.option("state-dir");
    Launcher* l = launcher.get();
    options.reloadConfig = [path, overrides, l]() {
        config::Config fresh = config::loadConfigOrThrow(path, overrides, true);
        l->replaceConfig(std::make_shared<config::Config>(fresh));
        return fresh;
    };
    options.onStarted = [&inv](service::ServiceControl& control) {
        log::info("service started", {{"port", std::to_string(control.httpPort())}});
        if (!inv.flag("daemon"))
            inv.out() << "ledgerbridge serve: listening on 127.0.0.1:" << control.httpPort()
                      << " (/healthz /readyz /metrics /webhooks/pleo); SIGTERM or Ctrl-C stops after the batch in flight\n"
                      << std::flush;
    };
    return service::runService(loaded, app.store(), *launcher, options);
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
        "ledger resumes). SIGHUP reloads the configuration. config/systemd has unit files.",
        {{"daemon", "", "detach from the terminal (needs [log] file); systemd users keep the foreground"}},
        {},
        serve};
}

}  // namespace ledgerbridge::cli
