// Crash bookkeeping for plugins. Before each call into a plugin the host records "inside
// plugin X, call Y" and clears it afterwards; a record still set at the next start means the
// process died inside the plugin. Three consecutive crashes quarantine the plugin until a
// person runs `ledgerbridge plugins enable X`.
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

struct PluginHealthRecord {
    std::string plugin;
    std::string inCall;        ///< the call in progress ("" when none)
    long callPid = 0;
    int consecutiveCrashes = 0;
    bool quarantined = false;
    std::string reason;
};

class PluginHealth {
public:
    explicit PluginHealth(StateStore& store) : store_(store) {}

    /// Called before entering the plugin.
    void recordCallStart(const std::string& plugin, const std::string& call);
    /// Called after the plugin returned (with any result): the call did not crash the process,
    /// so the crash streak is reset.
    void recordCallEnd(const std::string& plugin);
    /// Counts a call left open by a process that is gone as a crash (and quarantines at
    /// `threshold`). Returns the record after the check.
    PluginHealthRecord checkForCrash(const std::string& plugin, int threshold = 3);
    PluginHealthRecord get(const std::string& plugin);
    std::vector<PluginHealthRecord> all();
    /// Lifts the quarantine and resets the crash count.
    void enable(const std::string& plugin);

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
