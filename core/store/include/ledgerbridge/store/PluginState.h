// Plugin-scoped key-value state, bound to the environment fingerprint: what a plugin keeps
// between runs (a cursor, a cached account list). Plugins reach it through the host services.
#pragma once

#include <optional>
#include <string>

#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::store {

class PluginState {
public:
    explicit PluginState(StateStore& store) : store_(store) {}

    std::optional<std::string> get(const std::string& plugin, const std::string& fingerprint, const std::string& key);
    void put(const std::string& plugin, const std::string& fingerprint, const std::string& key, const std::string& value);
    bool erase(const std::string& plugin, const std::string& fingerprint, const std::string& key);

private:
    StateStore& store_;
};

}  // namespace ledgerbridge::store
