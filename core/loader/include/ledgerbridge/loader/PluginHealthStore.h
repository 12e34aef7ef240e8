// Crash quarantine bookkeeping for plugins. The loader records "inside plugin X" before every
// call and clears it after; a record still there on the next start means the process died
// inside that plugin. It counts as the plugin's crash only when the process also left a fault
// record (FaultRecorder.h: a SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT during the call); otherwise
// it was killed from outside or its disk failed, and the record is cleared without counting.
// After three consecutive crashes the plugin is quarantined (refused) until a person runs
// `ledgerbridge plugins enable X`. This is the narrow interface the loader needs;
// the host's SQLite store implements it for production, FilePluginHealthStore for tests and kits.
#pragma once

#include <optional>
#include <string>

namespace ledgerbridge::loader {

/// Plugins are named by their manifest name (== file stem). Implementations must make
/// recordCallStart durable before returning (the process may die right after). Limitation by
/// design: one call in flight per plugin per store (the host serialises calls per plugin
/// instance; a store shared by workers keys its records per worker). All methods throw
/// StoreError/IoError when the backing store fails.
class PluginHealthStore {
public:
    virtual ~PluginHealthStore() = default;

    /// Durably notes that a call `operation` into `plugin` is starting.
    virtual void recordCallStart(const std::string& plugin, const std::string& operation) = 0;
    /// The call returned (successfully or with an error result): clears the note.
    virtual void recordCallEnd(const std::string& plugin) = 0;
    /// A session with the plugin ran to its close without a crash: the consecutive crash count
    /// goes back to zero. (Not on every call: a plugin that always crashes in push() still
    /// survives create() and configure() each time, and must be quarantined all the same.)
    virtual void recordCleanSession(const std::string& plugin) = 0;
    /// The operation of a call that started and never ended (a crash), if any.
    virtual std::optional<std::string> unfinishedCall(const std::string& plugin) = 0;
    /// Turns the unfinished call into a counted crash: clears the note, returns the new count.
    /// With a `fileHash` (FileHash.h) the streak belongs to that file: a crash of another file
    /// than the recorded one starts again at 1 and drops its predecessor's quarantine; "" counts
    /// for whichever file (in-process loading, which keeps its per-name marks).
    virtual int recordCrash(const std::string& plugin, const std::string& fileHash = {}) = 0;
    virtual int consecutiveCrashes(const std::string& plugin) = 0;
    /// Disables the plugin with a reason, until enable().
    virtual void quarantine(const std::string& plugin, const std::string& reason) = 0;
    /// The quarantine reason, when the plugin is disabled. With a `fileHash`: only when the
    /// quarantine is that file's or no particular file's (a replaced file starts clean).
    virtual std::optional<std::string> quarantined(const std::string& plugin, const std::string& fileHash = {}) = 0;
    /// Lifts the quarantine and forgets crashes (`ledgerbridge plugins enable X`).
    virtual void enable(const std::string& plugin) = 0;
    /// The directory where a process dying of a fault inside a plugin call leaves its record
    /// (beside the store: it must survive the process). The loader creates it.
    virtual std::string faultDirectory() const = 0;
};

/// Keeps no records: for a process that only loads a plugin while someone else keeps its
/// health (the plugin host child, whose parent sees how it ends; a start-up check that reads a
/// manifest). Nothing is quarantined unless a subclass says so.
class NoHealthRecords : public PluginHealthStore {
public:
    void recordCallStart(const std::string&, const std::string&) override {}
    void recordCallEnd(const std::string&) override {}
    void recordCleanSession(const std::string&) override {}
    std::optional<std::string> unfinishedCall(const std::string&) override { return std::nullopt; }
    int recordCrash(const std::string&, const std::string& = {}) override { return 0; }
    int consecutiveCrashes(const std::string&) override { return 0; }
    void quarantine(const std::string&, const std::string&) override {}
    std::optional<std::string> quarantined(const std::string&, const std::string& = {}) override { return std::nullopt; }
    void enable(const std::string&) override {}
    std::string faultDirectory() const override { return {}; }
};

/// One small text file per plugin in a directory (created if missing), replaced atomically
/// (temp file, fsync, rename). Throws IoError naming the file when it cannot be read or written.
class FilePluginHealthStore : public PluginHealthStore {
public:
    explicit FilePluginHealthStore(std::string directory);

    void recordCallStart(const std::string& plugin, const std::string& operation) override;
    void recordCallEnd(const std::string& plugin) override;
    void recordCleanSession(const std::string& plugin) override;
    std::optional<std::string> unfinishedCall(const std::string& plugin) override;
    int recordCrash(const std::string& plugin, const std::string& fileHash = {}) override;
    int consecutiveCrashes(const std::string& plugin) override;
    void quarantine(const std::string& plugin, const std::string& reason) override;
    std::optional<std::string> quarantined(const std::string& plugin, const std::string& fileHash = {}) override;
    void enable(const std::string& plugin) override;
    std::string faultDirectory() const override { return directory_; }

private:
    struct Record {
        std::string inside;  ///< operation in flight, empty when none
        int crashes = 0;
        std::string quarantineReason;  ///< empty when enabled
        std::string file;              ///< SHA-256 of the file the streak belongs to; empty = any
    };
    Record read(const std::string& plugin) const;
    void write(const std::string& plugin, const Record& record) const;
    std::string pathOf(const std::string& plugin) const;

    std::string directory_;
};

}  // namespace ledgerbridge::loader
