// `ledgerbridge sync` for one connection: the plumbing around MasterDataSync (see MasterDataSync.h).
#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <chrono>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/host/ConfiguredPlugin.h"
#include "ledgerbridge/host/InstallationLifecycle.h"
#include "ledgerbridge/host/PleoConnection.h"
#include "ledgerbridge/store/Leases.h"
#include "ledgerbridge/masterdata/MasterDataSync.h"

namespace ledgerbridge::masterdata {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
/// An incremental read asks for changes since the last sync's start minus this, so a record
/// the ERP changed while that sync ran (or a clock a little behind) is not missed.
constexpr std::int64_t kChangedSinceSlackMs = 10 * 60 * 1000;

std::string isoUtc(std::int64_t ms) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(ms * 1000), "%Y-%m-%dT%H:%M:%SZ");
}

/// The MasterDataWriter syncMasterDataAndActivate runs between PENDING_INTEGRATION and activation.
class Writer : public host::MasterDataWriter {
public:
    Writer(MasterDataSync& sync, SyncReport& report, std::string changedSince)
        : sync_(sync), report_(report), changedSince_(std::move(changedSince)) {}
    void write(pleo::PleoApi&, const std::string&) override { sync_.run(report_, changedSince_); }

private:
    MasterDataSync& sync_;
    SyncReport& report_;
    std::string changedSince_;
};

std::string fingerprintOf(const config::Config& config, const std::string& connection) {
    return config::environmentFingerprint(config.activeProfile(), config.connection(connection).companyId).value;
}

}  // namespace

NoMasterDataError::NoMasterDataError(const std::string& plugin, const std::string& connection)
    : PluginError("the plugin '" + plugin + "' of connection " + connection +
                  " does not read master data (no LB_CAP_MASTER_DATA)") {}

std::string syncDueReason(const config::Config& config, const std::string& connection, store::StateStore& store,
                          const NextFire& nextAfter, std::chrono::system_clock::time_point now) {
    auto last = store::SyncHistory(store).lastSucceeded(connection, fingerprintOf(config, connection));
    if (!last) return "first";
    if (!nextAfter) return "";
    const std::chrono::system_clock::time_point lastStart{std::chrono::milliseconds(last->startedAt)};
    return nextAfter(lastStart) <= now ? "schedule" : "";
}

namespace {
constexpr std::int64_t kSyncLeaseMs = 6 * 60 * 60 * 1000;  // a first sync of a big ERP at Pleo's budget takes minutes
}  // namespace

SyncReport syncConnection(const config::Config& config, const std::string& connection, store::StateStore& store,
                          const SyncOptions& given) {
    const auto started = std::chrono::steady_clock::now();
    const std::string fingerprint = fingerprintOf(config, connection);
    store::SyncHistory history(store);
    SyncOptions options = given;
    // Drift made in Pleo by hand (a renamed account, an archived tag) is invisible to the hash
    // comparison: a full comparison with Pleo runs on --full and when none succeeded lately.
    auto lastFull = history.lastSucceeded(connection, fingerprint, true);
    if (!lastFull || store::nowMs() - lastFull->startedAt > options.fullEveryDays * kDayMs) options.full = true;

    SyncReport report;
    report.connection = connection;
    report.dryRun = options.dryRun;
    report.full = options.full;
    std::string id;
    auto finish = [&](const std::string& outcome, const std::string& error) {
        report.outcome = outcome;
        report.error = error;
        report.elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        try {
            if (id.empty()) id = history.start(connection, fingerprint, options.full, options.dryRun);
            history.finish(id, outcome, report.toJson());
        } catch (const std::exception& e) {
            log::error("the sync's report could not be recorded", {{"connection", connection}, {"error", e.what()}});
        }
    };
    // One sync of a connection at a time (a cron `sync` beside the service's, two terminals):
    // two would read the same "before" from Pleo and both create what is missing. A killed
    // holder's lease is free at once (the store checks the holder's pid on this host); the
    // long TTL only bounds a holder on another host that vanished.
    store::Leases leases(store);
    store::ScopedLease lease(leases, "sync:" + fingerprint, kSyncLeaseMs, 0, "a master-data sync of connection " + connection);
    try {
        host::PleoConnection pleoConn(config, connection, store);
        pleo::PleoApi* api = &pleoConn.api();
        // Counts this sync's Pleo requests when the try block is left, either way.
        struct CountRequests {
            pleo::PleoApi& api;
            std::int64_t before;
            SyncReport& report;
            ~CountRequests() { report.pleoRequests = api.requestCount() - before; }
        } counting{*api, api->requestCount(), report};
        host::ConfiguredPlugin plugin(config, connection, store, options.cancel);
        loader::PluginSession& session = plugin.session();
        // Not a failed sync but no sync at all: nothing is recorded (the service asks before
        // every run of a connection whose plugin may not have the capability yet).
        if (!session.hasMasterData()) throw NoMasterDataError(plugin.manifest().name, connection);
        id = history.start(connection, fingerprint, options.full, options.dryRun);
        if (!options.full && (plugin.manifest().capabilities & LB_CAP_MASTER_DATA_CHANGED_SINCE)) {
            if (auto last = history.lastSucceeded(connection, fingerprint))
                report.changedSince = isoUtc(last->startedAt - kChangedSinceSlackMs);
        }
        store::MasterDataState state(store, connection, fingerprint);
        MasterDataSync sync(
            *api, pleoConn.connection().companyId,
            [&session](const sdk::MasterDataRequest& r) { return session.readMasterData(r); }, state, options);
        if (options.dryRun) {
            sync.run(report, report.changedSince);
        } else {
            Writer writer(sync, report, report.changedSince);
            report.installation = host::syncMasterDataAndActivate(*api, pleoConn.connection(), writer);
        }
    } catch (const NoMasterDataError&) {
        throw;
    } catch (const InterruptedError& e) {
        finish("interrupted", e.what());
        throw;
    } catch (const std::exception& e) {
        finish("failed", e.what());
        throw;
    }
    finish(report.refusals.empty() ? "ok" : "completed_with_refusals", "");
    return report;
}

}  // namespace ledgerbridge::masterdata
