// Plugin key-value state: see PluginState.h.
#include "ledgerbridge/store/PluginState.h"


namespace ledgerbridge::store {

std::optional<std::string> PluginState::get(const std::string& plugin, const std::string& fingerprint,
                                            const std::string& key) {
    std::optional<std::string> out;
    store_.read([&](Session& db) {
        Statement q(db, "SELECT value FROM plugin_state WHERE plugin = ? AND fingerprint = ? AND key = ?");
        q.bind(1, plugin);
        q.bind(2, fingerprint);
        q.bind(3, key);
        if (q.executeStep()) out = q.getColumn(0).getBlob();
    });
    return out;
}

void PluginState::put(const std::string& plugin, const std::string& fingerprint, const std::string& key,
                      const std::string& value) {
    store_.transaction([&](Session& db) {
        Statement up(db, "INSERT INTO plugin_state (plugin, fingerprint, key, value, updated_at) VALUES (?,?,?,?,?) "
                         "ON CONFLICT (plugin, fingerprint, key) DO UPDATE SET value = excluded.value, "
                         "updated_at = excluded.updated_at");
        up.bind(1, plugin);
        up.bind(2, fingerprint);
        up.bind(3, key);
        up.bindBlob(4, value);
        up.bind(5, nowMs());
        up.exec();
    });
}

bool PluginState::erase(const std::string& plugin, const std::string& fingerprint, const std::string& key) {
    bool existed = false;
    store_.transaction([&](Session& db) {
        Statement del(db, "DELETE FROM plugin_state WHERE plugin = ? AND fingerprint = ? AND key = ?");
        del.bind(1, plugin);
        del.bind(2, fingerprint);
        del.bind(3, key);
        existed = del.exec() > 0;
    });
    return existed;
}

}  // namespace ledgerbridge::store
