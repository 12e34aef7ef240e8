// Crash bookkeeping for plugins. Before each call into a plugin the host records "inside
// plugin X, call Y" and clears it afterwards; a record still set at the next start means the
// process died inside the plugin. Three consecutive crashes quarantine the plugin until a
// person runs `ledgerbridge plugins enable X`.
#pragma once

#include <optional>
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
    std::string fileHash;  ///< SHA-256 of the file the streak belongs to ("" = any file)
};

class PluginHealth {
public:
    explicit PluginHealth(StateStore& store) : store_(store) {}

    /// Durably notes that `call` into `plugin` is starting (with this process's pid).
    void recordCallStart(const std::string& plugin, const std::string& call);
    /// The call returned (with any result): clears the note. The crash streak is kept.
    void recordCallEnd(const std::string& plugin);
    /// A session ran to its close without a crash: the crash streak goes back to zero.
    void recordCleanSession(const std::string& plugin);
    /// The call that started and never ended because its process died, if any. A call of a
    /// process that is still alive (another worker) is not reported.
    std::optional<std::string> unfinishedCall(const std::string& plugin);
    /// Turns the unfinished call into a counted crash; returns the new streak. With a
    /// `fileHash` (the .so's SHA-256) the streak belongs to that file: a crash of another file
    /// than the recorded one starts a new streak at 1 and drops its predecessor's quarantine.
    int recordCrash(const std::string& plugin, const std::string& fileHash = {});
    int consecutiveCrashes(const std::string& plugin);
    void quarantine(const std::string& plugin, const std::string& reason);
    /// The reason, while quarantined. With a `fileHash`: only when the quarantine is that
    /// file's (or belongs to no particular file).
    std::optional<std::string> quarantined(const std::string& plugin, const std::string& fileHash = {});
    /// Lifts the quarantine and resets the crash count.
    void enable(const std::string& plugin);

    /// `<state dir>/plugin-faults`: where a process that dies of a fault inside a plugin call
    /// leaves its record (core/loader's FaultRecorder); a file, because a signal handler cannot
    /// write to SQLite.
    std::string faultDirectory() const;

    PluginHealthRecord get(const std::string& plugin);
    std::vector<PluginHealthRecord> all();

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
