// The loader's crash-quarantine bookkeeping kept in the host's SQLite state store, so a crash
// in one run is counted at the next start of any ledgerbridge process using the same state.
#pragma once

#include "ledgerbridge/loader/PluginHealthStore.h"
#include "ledgerbridge/store/PluginHealth.h"

namespace ledgerbridge::host {

class SqlitePluginHealth : public loader::PluginHealthStore {
public:
    explicit SqlitePluginHealth(store::StateStore& store) : health_(store) {}

    void recordCallStart(const std::string& plugin, const std::string& operation) override {
        health_.recordCallStart(plugin, operation);
    }
    void recordCallEnd(const std::string& plugin) override { health_.recordCallEnd(plugin); }
    void recordCleanSession(const std::string& plugin) override { health_.recordCleanSession(plugin); }
    std::optional<std::string> unfinishedCall(const std::string& plugin) override { return health_.unfinishedCall(plugin); }
    int recordCrash(const std::string& plugin, const std::string& fileHash = {}) override {
        return health_.recordCrash(plugin, fileHash);
    }
    int consecutiveCrashes(const std::string& plugin) override { return health_.consecutiveCrashes(plugin); }
    void quarantine(const std::string& plugin, const std::string& reason) override { health_.quarantine(plugin, reason); }
    std::optional<std::string> quarantined(const std::string& plugin, const std::string& fileHash = {}) override {
        return health_.quarantined(plugin, fileHash);
    }
    void enable(const std::string& plugin) override { health_.enable(plugin); }
    std::string faultDirectory() const override { return health_.faultDirectory(); }

private:
    store::PluginHealth health_;
};

}  // namespace ledgerbridge::host
