// A connection's plugin, ready to use: checked and loaded by the loader (crash quarantine in
// the state store), its host services (state under the connection's fingerprint, secrets,
// target HTTP with TLS verification and retries, the target's OAuth token when it needs one),
// and one session configured with the connection's settings — secret settings resolved from
// their references, path settings made absolute against the config file's folder.
// `ledgerbridge run` and `ledgerbridge plugins check` both start here. The session runs in a
// plugin host process of its own unless `[plugins] isolation = in-process` says otherwise
// (core/loader/README.md, "Plugins in their own process").
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/host/SqlitePluginHealth.h"
#include "ledgerbridge/host/StoreHostServices.h"
#include "ledgerbridge/host/TargetAuth.h"
#include "ledgerbridge/http/ResilientClient.h"
#include "ledgerbridge/loader/PluginLoader.h"
#include "ledgerbridge/loader/ProcessSession.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::host {

/// The plugin host process's settings from `[plugins]` (deadline, limits, quarantine_after).
loader::IsolationOptions isolationOptions(const config::Config& config);

class ConfiguredPlugin {
public:
    /// Throws ConfigError (unknown connection, a secret setting written inline, no target
    /// OAuth client), PluginError (cannot be loaded or configured, quarantined),
    /// ReauthorizationRequired/AuthError (the target's grant is missing or gone). `cancel` may be
    /// null; everything referenced must outlive this object.
    ConfiguredPlugin(const config::Config& config, const std::string& connection, store::StateStore& store,
                     const std::atomic<bool>* cancel);
    ~ConfiguredPlugin();

    /// The plugin's manifest (its name is the plugin's name).
    const sdk::Manifest& manifest() const { return manifest_; }
    /// The configured session (owned here; closes before the services it may call).
    loader::PluginSession& session() { return *session_; }
    /// Hands the session to a longer-lived owner (the export engine's target).
    std::unique_ptr<loader::PluginSession> takeSession() { return std::move(session_); }
    /// The settings as given to configure(), secrets included: do not print.
    const std::vector<std::pair<std::string, std::string>>& settings() const { return settings_; }
    /// Requests the plugin made to its target so far.
    std::int64_t targetRequests() const {
        std::lock_guard<std::mutex> lock(targetMutex_);
        return targetClient_ ? targetClient_->stats().requests : 0;
    }

private:
    SqlitePluginHealth health_;
    StoreHostServices services_;
    loader::PluginLoader loader_;
    std::shared_ptr<loader::LoadedPlugin> plugin_;  ///< in-process only
    sdk::Manifest manifest_;
    std::vector<std::pair<std::string, std::string>> settings_;
    std::unique_ptr<TargetAuth> targetAuth_;
    mutable std::mutex targetMutex_;  ///< guards the target client's creation at the first request
    std::unique_ptr<http::PocoHttpTransport> targetTransport_;
    std::unique_ptr<http::RateLimiter> targetLimiter_;
    std::unique_ptr<http::ResilientClient> targetClient_;
    std::unique_ptr<loader::PluginSession> session_;
};

}  // namespace ledgerbridge::host
