// The host services a plugin gets during a run: logging through the redacting sink, key-value
// state in the state store under the connection's environment fingerprint, the connection's
// secret settings by name, the host's HTTP client and the target-side access token (both
// supplied by the caller, so this class stays free of network code), the clock and the run's
// cancellation flag.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>

#include "ledgerbridge/loader/HostServices.h"
#include "ledgerbridge/store/PluginState.h"

namespace ledgerbridge::host {

class StoreHostServices : public loader::HostServices {
public:
    using HttpFn = std::function<std::optional<loader::HttpResponse>(const loader::HttpRequest&, bool useTargetToken,
                                                                     std::string& error)>;
    using TokenFn = std::function<std::optional<std::string>()>;

    /// `fingerprint` scopes the plugin's state; `cancel` may be null.
    StoreHostServices(store::StateStore& store, std::string fingerprint, const std::atomic<bool>* cancel);

    void setHttp(HttpFn fn) { http_ = std::move(fn); }
    void setAccessToken(TokenFn fn) { token_ = std::move(fn); }
    /// A secret the plugin may ask for by name (registered with the Redactor).
    void setSecret(const std::string& name, const std::string& value);

    void log(const std::string& plugin, loader::LogLevel level, const std::string& message) override;
    std::optional<loader::HttpResponse> http(const std::string& plugin, const loader::HttpRequest& request,
                                             std::string& error) override;
    std::optional<std::string> kvGet(const std::string& plugin, const std::string& key) override;
    bool kvPut(const std::string& plugin, const std::string& key, const std::string& value) override;
    bool kvErase(const std::string& plugin, const std::string& key) override;
    std::optional<std::string> secret(const std::string& plugin, const std::string& name) override;
    std::optional<std::string> accessToken(const std::string& plugin) override;
    std::int64_t nowMs() override;
    bool cancelled() override;

private:
    store::PluginState state_;
    std::string fingerprint_;
    const std::atomic<bool>* cancel_;
    HttpFn http_;
    TokenFn token_;
    std::mutex mutex_;
    std::map<std::string, std::string> secrets_;
};

}  // namespace ledgerbridge::host
