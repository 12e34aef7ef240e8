// Plugin crash bookkeeping: see PluginHealth.h.
#include "ledgerbridge/store/PluginHealth.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace ledgerbridge::store {
namespace {

PluginHealthRecord readRow(Statement& q) {
    PluginHealthRecord r;
    r.plugin = q.getColumn(0).getString();
    r.inCall = q.getColumn(1).getString();
    r.callPid = static_cast<long>(q.getColumn(2).getInt64());
    r.consecutiveCrashes = q.getColumn(3).getInt();
    r.quarantined = q.getColumn(4).getInt() != 0;
    r.reason = q.getColumn(5).getString();
    r.fileHash = q.getColumn(6).getString();
    return r;
}

const char* kSelect =
    "SELECT plugin, in_call, call_pid, consecutive_crashes, quarantined, reason, file_hash FROM plugin_health";

bool processAlive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH); }

}  // namespace

void PluginHealth::recordCallStart(const std::string& plugin, const std::string& call) {
    store_.transaction([&](Session& db) {
        Statement up(db,
                             "INSERT INTO plugin_health (plugin, in_call, call_started_at, call_pid, updated_at) "
                             "VALUES (?,?,?,?,?) ON CONFLICT(plugin) DO UPDATE SET in_call=excluded.in_call, "
                             "call_started_at=excluded.call_started_at, call_pid=excluded.call_pid, updated_at=excluded.updated_at");
        up.bind(1, plugin);
        up.bind(2, call);
        up.bind(3, nowMs());
        up.bind(4, static_cast<std::int64_t>(::getpid()));
        up.bind(5, nowMs());
        up.exec();
    }, StateStore::Durability::ProcessCrash);
}

void PluginHealth::recordCallEnd(const std::string& plugin) {
    store_.transaction([&](Session& db) {
        Statement up(db, "UPDATE plugin_health SET in_call = NULL, call_pid = NULL, updated_at = ? WHERE plugin = ?");
        up.bind(1, nowMs());
        up.bind(2, plugin);
        up.exec();
    }, StateStore::Durability::ProcessCrash);
}

void PluginHealth::recordCleanSession(const std::string& plugin) {
    store_.transaction([&](Session& db) {
        Statement up(db, "UPDATE plugin_health SET consecutive_crashes = 0, updated_at = ? WHERE plugin = ?");
        up.bind(1, nowMs());
        up.bind(2, plugin);
        up.exec();
    }, StateStore::Durability::ProcessCrash);
}

std::optional<std::string> PluginHealth::unfinishedCall(const std::string& plugin) {
    PluginHealthRecord r = get(plugin);
    if (r.inCall.empty()) return std::nullopt;
    if (r.callPid == static_cast<long>(::getpid()) || processAlive(r.callPid)) return std::nullopt;
    return r.inCall;
}

int PluginHealth::recordCrash(const std::string& plugin, const std::string& fileHash) {
    int count = 0;
    store_.transaction([&](Session& db) {
        // Another file than the one the streak belongs to: its streak and quarantine are not
        // this file's, so the count starts again.
        Statement up(db, "UPDATE plugin_health SET in_call = NULL, call_pid = NULL, "
                                 "consecutive_crashes = CASE WHEN ?1 <> '' AND file_hash IS NOT NULL AND file_hash <> ?1 "
                                 "THEN 1 ELSE consecutive_crashes + 1 END, "
                                 "quarantined = CASE WHEN ?1 <> '' AND file_hash IS NOT NULL AND file_hash <> ?1 "
                                 "THEN 0 ELSE quarantined END, "
                                 "file_hash = CASE WHEN ?1 <> '' THEN ?1 ELSE file_hash END, "
                                 "updated_at = ?2 WHERE plugin = ?3");
        up.bind(1, fileHash);
        up.bind(2, nowMs());
        up.bind(3, plugin);
        up.exec();
        Statement q(db, "SELECT consecutive_crashes FROM plugin_health WHERE plugin = ?");
        q.bind(1, plugin);
        if (q.executeStep()) count = q.getColumn(0).getInt();
    });
    return count;
}

std::string PluginHealth::faultDirectory() const {
    return (std::filesystem::path(store_.stateDir()) / "plugin-faults").string();
}

int PluginHealth::consecutiveCrashes(const std::string& plugin) { return get(plugin).consecutiveCrashes; }

void PluginHealth::quarantine(const std::string& plugin, const std::string& reason) {
    store_.transaction([&](Session& db) {
        Statement up(db, "INSERT INTO plugin_health (plugin, quarantined, reason, updated_at) VALUES (?,1,?,?) "
                                 "ON CONFLICT(plugin) DO UPDATE SET quarantined = 1, reason = excluded.reason, "
                                 "updated_at = excluded.updated_at");
        up.bind(1, plugin);
        up.bind(2, reason);
        up.bind(3, nowMs());
        up.exec();
    });
}

std::optional<std::string> PluginHealth::quarantined(const std::string& plugin, const std::string& fileHash) {
    PluginHealthRecord r = get(plugin);
    if (!r.quarantined) return std::nullopt;
    if (!fileHash.empty() && !r.fileHash.empty() && r.fileHash != fileHash) return std::nullopt;  // a predecessor's
    return r.reason;
}

PluginHealthRecord PluginHealth::get(const std::string& plugin) {
    PluginHealthRecord out;
    out.plugin = plugin;
    store_.read([&](Session& db) {
        Statement q(db, std::string(kSelect) + " WHERE plugin = ?");
        q.bind(1, plugin);
        if (q.executeStep()) out = readRow(q);
    });
    return out;
}

std::vector<PluginHealthRecord> PluginHealth::all() {
    std::vector<PluginHealthRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, std::string(kSelect) + " ORDER BY plugin");
        while (q.executeStep()) out.push_back(readRow(q));
    });
    return out;
}

void PluginHealth::enable(const std::string& plugin) {
    store_.transaction([&](Session& db) {
        Statement up(db, "UPDATE plugin_health SET quarantined = 0, consecutive_crashes = 0, reason = NULL, "
                                 "in_call = NULL, call_pid = NULL, updated_at = ? WHERE plugin = ?");
        up.bind(1, nowMs());
        up.bind(2, plugin);
        up.exec();
    });
}

}  // namespace ledgerbridge::store
