// A connection's plugin, loaded and configured: see ConfiguredPlugin.h.
#include "ledgerbridge/host/ConfiguredPlugin.h"

#include <Poco/String.h>

#include <filesystem>
#include <mutex>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Fingerprint.h"
#include "ledgerbridge/config/Secret.h"
#include "ledgerbridge/host/TargetIdentity.h"
#include "ledgerbridge/host/TargetTokenHosts.h"
#include "ledgerbridge/loader/ProcessSession.h"

namespace ledgerbridge::host {
namespace fs = std::filesystem;

loader::IsolationOptions isolationOptions(const config::Config& config) {
    loader::IsolationOptions o;
    o.hostExecutable = loader::pluginHostExecutable();
    o.pluginDirectories = {config.pluginDir};
    o.callDeadline = std::chrono::seconds(config.plugins.callDeadlineSeconds);
    o.addressSpaceBytes = static_cast<std::uint64_t>(config.plugins.maxMemoryMb) << 20;
    o.cpuSeconds = static_cast<std::uint64_t>(config.plugins.maxCpuSeconds);
    o.openFiles = static_cast<std::uint64_t>(config.plugins.maxOpenFiles);
    o.quarantineAfter = config.plugins.quarantineAfter;
    return o;
}

ConfiguredPlugin::ConfiguredPlugin(const config::Config& config, const std::string& name, store::StateStore& store,
                                   const std::atomic<bool>* cancel)
    : health_(store),
      services_(store, config::environmentFingerprint(config.activeProfile(), config.connection(name).companyId).value, cancel),
      loader_(loader::LoaderOptions{{config.pluginDir}, {}}, services_, health_) {
    const config::Connection& conn = config.connection(name);
    const std::string pluginPath = (fs::path(config.pluginDir) / (conn.plugin + ".so")).string();
    if (config.plugins.mode == "in-process") {
        plugin_ = loader_.load(pluginPath);
        manifest_ = plugin_->manifest();
    } else {
        // The child that serves the session starts at its first call (a run with no work starts none).
        session_ = std::make_unique<loader::ProcessSession>(isolationOptions(config), pluginPath, services_, health_);
        manifest_ = session_->manifest();
    }
    // The plugin's state belongs to the books it writes to (TargetIdentity.h).
    services_.setFingerprint(targetFingerprint(config.activeProfile(), conn, manifest_).value);

    const fs::path configDir = config.file.empty() ? fs::current_path() : fs::path(config.file).parent_path();
    for (const auto& [key, value] : conn.settings) {
        bool secret = false, path = false;
        for (const auto& spec : manifest_.settings)
            if (spec.key == key) {
                secret = spec.secret;
                path = spec.type == sdk::SettingType::Path;
            }
        if (secret) {
            if (!config::isSecretReference(value.value))
                throw ConfigError(value.origin.str() + ": connection." + name + ".setting." + key + ": plugin '" +
                                  conn.plugin + "' declares this setting secret; write env:VARIABLE or "
                                  "file:/path instead of the value");
            std::string resolved = config::resolveSecret({value.value, value.origin, "connection." + name + ".setting." + key});
            services_.setSecret(key, resolved);
            settings_.emplace_back(key, resolved);
        } else if (path && !value.value.empty() && fs::path(value.value).is_relative()) {
            // Like every path in the config file: relative to the file's folder, not to
            // wherever the process happens to be started.
            settings_.emplace_back(key, (configDir / value.value).lexically_normal().string());
        } else {
            settings_.emplace_back(key, value.value);
        }
    }

    // The target system's OAuth grant, when the plugin authorises with one (Xero): checked
    // now, so a missing or revoked grant stops with the command that fixes it.
    if (TargetAuth::needed(conn, manifest_.oauth)) {
        targetAuth_ = std::make_unique<TargetAuth>(config, conn, manifest_.oauth, store, false,
                                                   targetIdentity(conn, manifest_));
        targetAuth_->accessToken();
        services_.setTargetToken([this]() -> std::optional<std::string> { return targetAuth_->accessToken(); });
    }

    // The plugin's own requests to its target: the same TLS rules (system CAs plus the
    // environment's CA file, so a local test double can be trusted; the process's shared TLS
    // context for that file), retries and Retry-After. Requests without an idempotency key are
    // not resent after a network error. Built at the plugin's first request: a file plugin
    // that never makes one costs no transport.
    const config::EnvironmentProfile& profile = config.activeProfile();
    const std::string pluginName = conn.plugin;
    auto targetClient = [this, name, pluginName, caFile = profile.caFile, allowHttp = profile.allowHttp,
                         cancel]() -> http::ResilientClient& {
        std::lock_guard<std::mutex> lock(targetMutex_);
        if (!targetClient_) {
            config::EnvironmentProfile targetProfile;
            targetProfile.name = "target of " + name;
            targetProfile.caFile = caFile;
            targetProfile.allowHttp = allowHttp;
            targetTransport_ = std::make_unique<http::PocoHttpTransport>(targetProfile);
            targetLimiter_ = std::make_unique<http::RateLimiter>(0);  // the plugin knows its target's limits
            targetClient_ = std::make_unique<http::ResilientClient>(pluginName, *targetTransport_, *targetLimiter_,
                                                                    http::RetryOptions{}, cancel);
        }
        return *targetClient_;
    };
    // The token goes only to the hosts declared for the target (TargetTokenHosts.h).
    const TargetTokenHosts tokenHosts = TargetTokenHosts::of(conn, manifest_);
    services_.setHttp([this, name, pluginName, targetClient, tokenHosts](const loader::HttpRequest& request,
                                                                         bool useTargetToken, std::string& error)
                          -> std::optional<loader::HttpResponse> {
        if (useTargetToken) {
            if (auto refused = tokenHosts.refusal(request.url)) {
                error = "connection '" + name + "': plugin " + pluginName + " asked for " + request.method +
                        " with the target token; refused, nothing sent: " + *refused;
                log::warn(error, {{"plugin", pluginName}, {"connection", name}});
                return std::nullopt;
            }
        }
        http::HttpRequest out;
        out.method = request.method;
        out.url = request.url;
        bool idempotent = request.method == "GET" || request.method == "PUT" || request.method == "DELETE";
        for (const auto& [k, v] : request.headers) {
            if (Poco::icompare(k, "Content-Type") == 0)
                out.contentType = v;
            else
                out.headers.emplace_back(k, v);
            if (Poco::icompare(k, "Idempotency-Key") == 0) idempotent = true;
        }
        out.body = request.body;
        if (useTargetToken) {
            auto token = services_.targetToken(pluginName);
            if (!token) {
                error = "connection '" + name + "' has no access token for " + pluginName + "'s target system";
                return std::nullopt;
            }
            out.headers.emplace_back("Authorization", "Bearer " + *token);
        }
        http::HttpResponse r = targetClient().send(out, idempotent);
        return loader::HttpResponse{r.status, r.headers, r.body};
    });

    // Opened last, after everything it may call during its life.
    if (plugin_) session_ = plugin_->open();
    session_->configure(settings_);
}

ConfiguredPlugin::~ConfiguredPlugin() {
    session_.reset();  // close before the services it may call
}

}  // namespace ledgerbridge::host
