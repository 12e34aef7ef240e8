// The host services a plugin gets during a run: logging through the redacting sink, key-value
// state in the state store under the connection's environment fingerprint, the connection's
// secret settings by name, the host's HTTP client and the target-side access token (both
// supplied by the caller, so this class stays free of network code), the clock and the run's
// cancellation flag. The target token is for the host's own HTTP service, which attaches it to
// requests to the target's declared hosts; a plugin asking for the token itself
// (host().accessToken(), the ABI's access_token) gets none.
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

    /// Re-scopes the plugin's state (the target fingerprint, once the manifest is known);
    /// called before the plugin's first call.
    void setFingerprint(std::string fingerprint) { fingerprint_ = std::move(fingerprint); }
    void setHttp(HttpFn fn) { http_ = std::move(fn); }
    /// Where the target's bearer token comes from (TargetAuth), for targetToken().
    void setTargetToken(TokenFn fn) { token_ = std::move(fn); }
    /// The target's current access token, for the host's HTTP service to attach to a request it
    /// has checked against the declared token hosts. Never handed to the plugin. nullopt (and an
    /// error logged) when there is no grant or it cannot be refreshed.
    std::optional<std::string> targetToken(const std::string& plugin);
    /// A secret the plugin may ask for by name (registered with the Redactor).
    void setSecret(const std::string& name, const std::string& value);

    void log(const std::string& plugin, loader::LogLevel level, const std::string& message) override;
    std::optional<loader::HttpResponse> http(const std::string& plugin, const loader::HttpRequest& request,
                                             std::string& error) override;
    std::optional<std::string> kvGet(const std::string& plugin, const std::string& key) override;
    bool kvPut(const std::string& plugin, const std::string& key, const std::string& value) override;
    bool kvErase(const std::string& plugin, const std::string& key) override;
    std::optional<std::string> secret(const std::string& plugin, const std::string& name) override;
    /// The plugin's own request for the raw token: refused (nullopt, and a warning naming the
    /// plugin). A plugin holding the token could send it to any URL, past the token-host check;
    /// it asks the host to attach it instead (HttpRequest::useTargetToken).
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
