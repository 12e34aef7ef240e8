// The master-data sync's memory (core/masterdata): per connection (and environment
// fingerprint), kind and ERP id, the hash of the record as last written to Pleo and Pleo's id
// for it; and the history of syncs with their reports. With it an unchanged ERP record costs
// no Pleo request: the sync compares the ERP's hash with the one kept here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct SyncedRecord {
    std::string hash;    ///< of the record as written to Pleo
    std::string pleoId;  ///< Pleo's id of it
};

/// One connection's synced state in one environment.
class MasterDataState {
public:
    MasterDataState(StateStore& store, std::string connection, std::string fingerprint)
        : store_(store), connection_(std::move(connection)), fingerprint_(std::move(fingerprint)) {}

    /// Every record of `kind` ("account", "tax_code", ...), by ERP id.
    std::map<std::string, SyncedRecord> load(const std::string& kind);
    /// Records (or replaces) one record right after Pleo took it, so a sync killed at any point
    /// resumes from what Pleo really holds.
    void put(const std::string& kind, const std::string& erpId, const SyncedRecord& record);
    void erase(const std::string& kind, const std::string& erpId);

private:
    StateStore& store_;
    std::string connection_, fingerprint_;
};

struct SyncRecord {
    std::string id, connection;
    std::int64_t startedAt = 0, finishedAt = 0;  ///< finishedAt 0: running, or the process died
    std::string outcome;                         ///< "ok", "completed_with_refusals", "failed", "interrupted"
    bool full = false, dryRun = false;
    std::string reportJson;
};

/// The history of syncs (`ledgerbridge history --syncs`).
class SyncHistory {
public:
    explicit SyncHistory(StateStore& store) : store_(store) {}
    std::string start(const std::string& connection, const std::string& fingerprint, bool full, bool dryRun);
    void finish(const std::string& id, const std::string& outcome, const std::string& reportJson);
    /// Newest first; `connection` empty = all.
    std::vector<SyncRecord> recent(std::size_t limit, const std::string& connection = {});
    /// The newest finished sync (not a dry run) of the connection in the environment whose
    /// outcome is ok or completed_with_refusals; `fullOnly` = only full ones.
    std::optional<SyncRecord> lastSucceeded(const std::string& connection, const std::string& fingerprint,
                                            bool fullOnly = false);

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
