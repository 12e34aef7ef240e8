// Assembling one run of one connection: see ConnectionRunner.h.
#include "ledgerbridge/host/ConnectionRunner.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <filesystem>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/config/Secret.h"
#include "ledgerbridge/host/PluginTarget.h"
#include "ledgerbridge/host/SqlitePluginHealth.h"
#include "ledgerbridge/host/StoreHostServices.h"
#include "ledgerbridge/host/TargetAuth.h"
#include "ledgerbridge/http/ResilientClient.h"
#include "ledgerbridge/loader/PluginLoader.h"
#include "ledgerbridge/oauth/ConnectionAuth.h"
#include "ledgerbridge/oauth/TestHooks.h"
#include "ledgerbridge/pleo/ExportsClient.h"
#include "ledgerbridge/store/Connections.h"

namespace ledgerbridge::host {
namespace fs = std::filesystem;

ConnectionRunner::ConnectionRunner(const config::Config& config, store::StateStore& store)
    : config_(config), store_(store) {}

ConnectionRunner::~ConnectionRunner() = default;

std::string ConnectionRunner::reportsDir() const { return (fs::path(config_.stateDir) / "reports").string(); }

exporter::RunReport ConnectionRunner::run(const std::string& name, const RunOptions& options) {
    const config::Connection& conn = config_.connection(name);
    oauth::ConnectionAuth auth(config_, name, store_);
    const config::EnvironmentProfile& profile = auth.profile();
    const config::Fingerprint& fp = auth.fingerprint();
    store::Connections(store_).bind({name, fp.value, profile.name, fp.description, conn.companyId, conn.plugin, 0});

    // The plugin: checked and loaded by the loader, configured with the connection's settings.
    SqlitePluginHealth health(store_);
    StoreHostServices services(store_, fp.value, options.cancel);
    loader::PluginLoader pluginLoader(loader::LoaderOptions{{config_.pluginDir}}, services, health);
    std::string pluginFile = (fs::path(config_.pluginDir) / (conn.plugin + ".so")).string();
    auto plugin = pluginLoader.load(pluginFile);
    std::vector<std::pair<std::string, std::string>> settings;
    const fs::path configDir = config_.file.empty() ? fs::current_path() : fs::path(config_.file).parent_path();
    for (const auto& [key, value] : conn.settings) {
        bool secret = false, path = false;
        for (const auto& spec : plugin->manifest().settings)
            if (spec.key == key) {
                secret = spec.secret;
                path = spec.type == sdk::SettingType::Path;
            }
        if (secret) {
            if (!config::isSecretReference(value.value))
                throw ConfigError(value.origin.str() + ": connection." + name + ".setting." + key +
                                  ": plugin '" + conn.plugin + "' declares this setting secret; write env:VARIABLE or "
                                  "file:/path instead of the value");
            std::string resolved = config::resolveSecret({value.value, value.origin, "connection." + name + ".setting." + key});
            services.setSecret(key, resolved);
            settings.emplace_back(key, resolved);
        } else if (path && !value.value.empty() && fs::path(value.value).is_relative()) {
            // Like every path in the config file: relative to the file's folder, not to
            // wherever the process happens to be started.
            settings.emplace_back(key, (configDir / value.value).lexically_normal().string());
        } else {
            settings.emplace_back(key, value.value);
        }
    }

    // The target system's OAuth grant, when the plugin authorises with one (Xero): checked
    // now, so a missing or revoked grant stops the run with the command that fixes it.
    std::unique_ptr<TargetAuth> targetAuth;
    if (TargetAuth::needed(conn, plugin->manifest().oauth)) {
        targetAuth = std::make_unique<TargetAuth>(config_, conn, plugin->manifest().oauth, store_);
        targetAuth->accessToken();
        services.setAccessToken([&targetAuth]() -> std::optional<std::string> { return targetAuth->accessToken(); });
    }

    // Pleo, through the host's HTTP client with the connection's credential.
    pleo::ClientOptions pleoOptions;
    pleoOptions.cancel = options.cancel;
    pleo::ExportsClient pleo(profile, auth.source(), pleoOptions);

    // The plugin's own requests to its target: the same TLS rules (system CAs plus the
    // environment's CA file, so a local test double can be trusted), retries and Retry-After.
    // Requests without an idempotency key are not resent after a network error.
    config::EnvironmentProfile targetProfile;
    targetProfile.name = "target of " + name;
    targetProfile.caFile = profile.caFile;
    targetProfile.allowHttp = profile.allowHttp;
    oauth::PocoHttpTransport targetTransport(targetProfile);
    http::RateLimiter targetLimiter(0);
    http::ResilientClient target(conn.plugin, targetTransport, targetLimiter, {}, options.cancel);
    services.setHttp([&](const loader::HttpRequest& request, bool useTargetToken, std::string& error)
                         -> std::optional<loader::HttpResponse> {
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
            auto token = services.accessToken(conn.plugin);
            if (!token) {
                error = "connection '" + name + "' has no access token for " + conn.plugin + "'s target system";
                return std::nullopt;
            }
            out.headers.emplace_back("Authorization", "Bearer " + *token);
        }
        http::HttpResponse r = target.send(out, idempotent);
        return loader::HttpResponse{r.status, r.headers, r.body};
    });

    // Opened after the services it may call during its life, so it closes before they go.
    auto session = plugin->open();
    session->configure(settings);
    PluginTarget pluginTarget(plugin, std::move(session));

    exporter::EngineSettings es = options.engine;
    es.dryRun = options.dryRun;
    es.interactive = options.interactive;
    es.cancel = options.cancel;
    es.onStep = [](const std::string& step) { oauth::testhooks::crashPoint(("export:" + step).c_str()); };
    es.receiptDir = (fs::path(config_.stateDir) / "receipts").string();
    if (options.dryRun) {
        fs::create_directories(reportsDir());
        es.dryRunReport = (fs::path(reportsDir()) /
                           ("plan-" + name + "-" + Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y%m%dT%H%M%SZ") + ".jsonl"))
                              .string();
    }
    exporter::Engine engine(store_, pleo, pluginTarget, exporter::RunTarget{name, conn.companyId, profile.name, fp.value}, es);
    exporter::RunReport report = engine.run();
    if (options.dryRun)
        report.outputHint = es.dryRunReport;
    else
        for (const auto& [key, value] : settings)
            if (key == "output_dir") report.outputHint = value;
    return report;
}

}  // namespace ledgerbridge::host
