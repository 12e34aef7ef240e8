// The master-data sync: reads every kind from the ERP through the plugin (all pages), compares
// it with what the store says was last written to Pleo, and only for what changed reads Pleo's
// records of that kind and creates, updates or archives there what differs. See README.md for
// how records are matched, what is archived, and how drift made in Pleo by hand is caught.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/masterdata/SyncReport.h"
#include "ledgerbridge/model.hpp"
#include "ledgerbridge/pleo/PleoApi.h"
#include "ledgerbridge/store/MasterDataState.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::masterdata {

struct SyncOptions {
    bool dryRun = false;   ///< read everything, write nothing (not to Pleo, not to the store)
    bool full = false;     ///< compare every ERP record with Pleo, not only those whose hash changed
    int fullEveryDays = 7; ///< a sync is full by itself when no full one succeeded in this many days
    std::size_t pageSize = 500;
    const std::atomic<bool>* cancel = nullptr;
};

/// One page of one kind from the ERP; nullopt: the ERP has no such kind (loader::PluginSession).
using PageReader = std::function<std::optional<sdk::MasterDataPage>(const sdk::MasterDataRequest&)>;

/// The sync of one connection's master data, without the plumbing (tests drive it directly).
class MasterDataSync {
public:
    MasterDataSync(pleo::PleoApi& api, std::string companyId, PageReader read, store::MasterDataState& state,
                   SyncOptions options)
        : api_(api), company_(std::move(companyId)), read_(std::move(read)), state_(state), options_(options) {}

    /// Syncs every kind into `report` (counts, refusals, dry-run changes). `changedSince`
    /// non-empty: accounts, dimension values and suppliers are read incrementally (tax codes and
    /// dimensions are always read whole: the others refer to them). Throws on what stops the
    /// whole sync (Pleo or the ERP unreachable, auth, the store); refusals do not.
    void run(SyncReport& report, const std::string& changedSince = {});

private:
    void syncKind(sdk::MasterKind kind, SyncReport& report, const std::string& changedSince);
    void checkCancel() const;

    pleo::PleoApi& api_;
    std::string company_;
    PageReader read_;
    store::MasterDataState& state_;
    SyncOptions options_;
    struct Context;
    std::shared_ptr<Context> context_;
};

/// `ledgerbridge sync` for one connection: its Pleo client and plugin, the store's state and
/// history, the sync, and — when it succeeded and was not a dry run — the installation's
/// activation (core/host/InstallationLifecycle). The report is recorded in the store's sync
/// history whatever the outcome. Throws what stops the connection before or during the sync
/// (config, credential, plugin, Pleo); the history then shows the sync as failed.
SyncReport syncConnection(const config::Config& config, const std::string& connection, store::StateStore& store,
                          const SyncOptions& options);

/// The connection's plugin has no master-data capability: there is nothing to sync (and no
/// sync is recorded).
class NoMasterDataError : public PluginError {
public:
    NoMasterDataError(const std::string& plugin, const std::string& connection);
};

/// The first fire time of a schedule after a moment (service::Schedule::nextAfter); empty = off.
using NextFire = std::function<std::chrono::system_clock::time_point(std::chrono::system_clock::time_point)>;

/// Why the service should sync `connection` before its run at `now`, or "" when not: "first"
/// when no sync has succeeded in its environment yet (a new login), "schedule" when the
/// sync_schedule fired since the last successful sync started.
std::string syncDueReason(const config::Config& config, const std::string& connection, store::StateStore& store,
                          const NextFire& nextAfter, std::chrono::system_clock::time_point now);

}  // namespace ledgerbridge::masterdata
