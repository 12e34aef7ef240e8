// Plugin key-value state: see PluginState.h.
#include "ledgerbridge/store/PluginState.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace ledgerbridge::store {

std::optional<std::string> PluginState::get(const std::string& plugin, const std::string& fingerprint,
                                            const std::string& key) {
    std::optional<std::string> out;
    store_.read([&](SQLite::Database& db) {
        SQLite::Statement q(db, "SELECT value FROM plugin_state WHERE plugin = ? AND fingerprint = ? AND key = ?");
        q.bind(1, plugin);
        q.bind(2, fingerprint);
        q.bind(3, key);
        if (q.executeStep()) {
            const auto& c = q.getColumn(0);
            out = std::string(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
        }
    });
    return out;
}

void PluginState::put(const std::string& plugin, const std::string& fingerprint, const std::string& key,
                      const std::string& value) {
    store_.transaction([&](SQLite::Database& db) {
        SQLite::Statement up(db, "INSERT OR REPLACE INTO plugin_state (plugin, fingerprint, key, value, updated_at) "
                                 "VALUES (?,?,?,?,?)");
        up.bind(1, plugin);
        up.bind(2, fingerprint);
        up.bind(3, key);
        up.bind(4, value.data(), static_cast<int>(value.size()));
        up.bind(5, nowMs());
        up.exec();
    });
}

bool PluginState::erase(const std::string& plugin, const std::string& fingerprint, const std::string& key) {
    bool existed = false;
    store_.transaction([&](SQLite::Database& db) {
        SQLite::Statement del(db, "DELETE FROM plugin_state WHERE plugin = ? AND fingerprint = ? AND key = ?");
        del.bind(1, plugin);
        del.bind(2, fingerprint);
        del.bind(3, key);
        existed = del.exec() > 0;
    });
    return existed;
}

}  // namespace ledgerbridge::store
