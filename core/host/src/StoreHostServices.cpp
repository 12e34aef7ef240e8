// Host services backed by the state store: see StoreHostServices.h. Every method is noexcept
// in effect: a failure becomes an error result for the plugin, never an exception into it.
#include "ledgerbridge/host/StoreHostServices.h"

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::host {

StoreHostServices::StoreHostServices(store::StateStore& store, std::string fingerprint, const std::atomic<bool>* cancel)
    : state_(store), fingerprint_(std::move(fingerprint)), cancel_(cancel) {}

void StoreHostServices::setSecret(const std::string& name, const std::string& value) {
    if (value.size() >= 6) Redactor::global().add(value);
    std::lock_guard<std::mutex> lock(mutex_);
    secrets_[name] = value;
}

void StoreHostServices::log(const std::string& plugin, loader::LogLevel level, const std::string& message) {
    log::Level l = log::Level::Info;
    switch (level) {
        case loader::LogLevel::Debug: l = log::Level::Debug; break;
        case loader::LogLevel::Info: l = log::Level::Info; break;
        case loader::LogLevel::Warn: l = log::Level::Warn; break;
        case loader::LogLevel::Error: l = log::Level::Error; break;
    }
    log::write(l, message, {{"plugin", plugin}});
}

std::optional<loader::HttpResponse> StoreHostServices::http(const std::string& plugin, const loader::HttpRequest& request,
                                                            std::string& error) {
    if (!http_) {
        error = "this host offers no HTTP client to plugin '" + plugin + "'";
        return std::nullopt;
    }
    try {
        return http_(request, request.useTargetToken, error);
    } catch (const std::exception& e) {
        error = describe(e);
        return std::nullopt;
    }
}

std::optional<std::string> StoreHostServices::kvGet(const std::string& plugin, const std::string& key) {
    try {
        return state_.get(plugin, fingerprint_, key);
    } catch (const std::exception& e) {
        log::error("plugin state could not be read", {{"plugin", plugin}, {"error", e.what()}});
        return std::nullopt;
    }
}

bool StoreHostServices::kvPut(const std::string& plugin, const std::string& key, const std::string& value) {
    try {
        state_.put(plugin, fingerprint_, key, value);
        return true;
    } catch (const std::exception& e) {
        log::error("plugin state could not be written", {{"plugin", plugin}, {"error", e.what()}});
        return false;
    }
}

bool StoreHostServices::kvErase(const std::string& plugin, const std::string& key) {
    try {
        state_.erase(plugin, fingerprint_, key);
        return true;
    } catch (const std::exception& e) {
        log::error("plugin state could not be erased", {{"plugin", plugin}, {"error", e.what()}});
        return false;
    }
}

std::optional<std::string> StoreHostServices::secret(const std::string&, const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = secrets_.find(name);
    if (it == secrets_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> StoreHostServices::accessToken(const std::string& plugin) {
    log::warn("plugin " + plugin +
                  " asked for the target's access token itself; refused: the host does not hand the token to "
                  "plugins. Send the request through the host with the target token attached (useTargetToken); "
                  "it goes to the hosts the plugin's manifest declares (token_hosts) or target.token_hosts lists",
              {{"plugin", plugin}});
    return std::nullopt;
}

std::optional<std::string> StoreHostServices::targetToken(const std::string& plugin) {
    if (!token_) return std::nullopt;
    try {
        return token_();
    } catch (const std::exception& e) {
        log::error("no access token for the target", {{"plugin", plugin}, {"error", describe(e)}});
        return std::nullopt;
    }
}

std::int64_t StoreHostServices::nowMs() { return store::nowMs(); }

bool StoreHostServices::cancelled() { return cancel_ && cancel_->load(); }

}  // namespace ledgerbridge::host
