// Plugin crash bookkeeping: see PluginHealth.h.
#include "ledgerbridge/store/PluginHealth.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace ledgerbridge::store {
namespace {

PluginHealthRecord readRow(SQLite::Statement& q) {
    PluginHealthRecord r;
    r.plugin = q.getColumn(0).getString();
    r.inCall = q.getColumn(1).getString();
    r.callPid = static_cast<long>(q.getColumn(2).getInt64());
    r.consecutiveCrashes = q.getColumn(3).getInt();
    r.quarantined = q.getColumn(4).getInt() != 0;
    r.reason = q.getColumn(5).getString();
    return r;
}

const char* kSelect = "SELECT plugin, in_call, call_pid, consecutive_crashes, quarantined, reason FROM plugin_health";

bool processAlive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH); }

}  // namespace

void PluginHealth::recordCallStart(const std::string& plugin, const std::string& call) {
    store_.transaction([&](SQLite::Database& db) {
        SQLite::Statement up(db,
                             "INSERT INTO plugin_health (plugin, in_call, call_started_at, call_pid, updated_at) "
                             "VALUES (?,?,?,?,?) ON CONFLICT(plugin) DO UPDATE SET in_call=excluded.in_call, "
                             "call_started_at=excluded.call_started_at, call_pid=excluded.call_pid, updated_at=excluded.updated_at");
        up.bind(1, plugin);
        up.bind(2, call);
        up.bind(3, nowMs());
        up.bind(4, static_cast<std::int64_t>(::getpid()));
        up.bind(5, nowMs());
        up.exec();
    });
}

void PluginHealth::recordCallEnd(const std::string& plugin) {
    store_.transaction([&](SQLite::Database& db) {
        SQLite::Statement up(db, "UPDATE plugin_health SET in_call = NULL, call_pid = NULL, consecutive_crashes = 0, "
                                 "updated_at = ? WHERE plugin = ?");
        up.bind(1, nowMs());
        up.bind(2, plugin);
        up.exec();
    });
}

PluginHealthRecord PluginHealth::checkForCrash(const std::string& plugin, int threshold) {
    PluginHealthRecord out;
    out.plugin = plugin;
    store_.transaction([&](SQLite::Database& db) {
        SQLite::Statement q(db, std::string(kSelect) + " WHERE plugin = ?");
        q.bind(1, plugin);
        if (!q.executeStep()) return;
        out = readRow(q);
        if (out.inCall.empty() || processAlive(out.callPid)) return;
        out.consecutiveCrashes += 1;
        std::string crashedIn = out.inCall;
        out.inCall.clear();
        if (out.consecutiveCrashes >= threshold && !out.quarantined) {
            out.quarantined = true;
            out.reason = "the process died inside plugin '" + plugin + "' (" + crashedIn + ") " +
                         std::to_string(out.consecutiveCrashes) + " times in a row";
        }
        SQLite::Statement up(db, "UPDATE plugin_health SET in_call = NULL, call_pid = NULL, consecutive_crashes = ?, "
                                 "quarantined = ?, reason = ?, updated_at = ? WHERE plugin = ?");
        up.bind(1, out.consecutiveCrashes);
        up.bind(2, out.quarantined ? 1 : 0);
        up.bind(3, out.reason);
        up.bind(4, nowMs());
        up.bind(5, plugin);
        up.exec();
    });
    return out;
}

PluginHealthRecord PluginHealth::get(const std::string& plugin) {
    PluginHealthRecord out;
    out.plugin = plugin;
    store_.read([&](SQLite::Database& db) {
        SQLite::Statement q(db, std::string(kSelect) + " WHERE plugin = ?");
        q.bind(1, plugin);
        if (q.executeStep()) out = readRow(q);
    });
    return out;
}

std::vector<PluginHealthRecord> PluginHealth::all() {
    std::vector<PluginHealthRecord> out;
    store_.read([&](SQLite::Database& db) {
        SQLite::Statement q(db, std::string(kSelect) + " ORDER BY plugin");
        while (q.executeStep()) out.push_back(readRow(q));
    });
    return out;
}

void PluginHealth::enable(const std::string& plugin) {
    store_.transaction([&](SQLite::Database& db) {
        SQLite::Statement up(db, "UPDATE plugin_health SET quarantined = 0, consecutive_crashes = 0, reason = NULL, "
                                 "in_call = NULL, call_pid = NULL, updated_at = ? WHERE plugin = ?");
        up.bind(1, nowMs());
        up.bind(2, plugin);
        up.exec();
    });
}

}  // namespace ledgerbridge::store
