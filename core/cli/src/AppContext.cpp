// Lazy, ordered process setup for command handlers: see AppContext.h.
#include "ledgerbridge/cli/AppContext.h"

#include <cstdlib>
#include <filesystem>

#include "ledgerbridge/cli/StartupChecks.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::cli {

AppContext::AppContext(const Invocation& invocation) : invocation_(invocation) { configureLogging(invocation, nullptr); }

AppContext::~AppContext() = default;

std::string AppContext::configPath() const {
    if (auto c = invocation_.option("config")) return *c;
    if (const char* env = std::getenv("LEDGERBRIDGE_CONFIG"); env && *env) return env;
    return "ledgerbridge.ini";
}

std::vector<std::string> AppContext::selectedConnections() {
    const config::Config& cfg = config(true);
    std::vector<std::string> names;
    if (auto only = invocation_.option("connection")) {
        cfg.connection(*only);  // throws ConfigError naming the known connections
        names.push_back(*only);
    } else {
        for (const auto& c : cfg.connections) names.push_back(c.name);
    }
    if (names.empty())
        throw ConfigError(configPath() + ": no [connection.NAME] section; add one per Pleo company (see config/demo.ini)");
    return names;
}

const config::Config& AppContext::config(bool checkSecrets) {
    if (!config_) {
        config::Overrides o;
        o.environment = invocation_.option("environment");
        o.stateDir = invocation_.option("state-dir");
        config_ = std::make_unique<config::Config>(config::loadConfigOrThrow(configPath(), o, checkSecrets));
        configureLogging(invocation_, config_.get());
    }
    return *config_;
}

const config::Config& AppContext::startupConfig(bool forService) {
    const config::Config& cfg = config(true);
    const StartupChecks checks = checkStartup(cfg, forService);
    for (const auto& w : checks.warnings) log::warn(w.str());
    if (!checks.problems.empty()) throw ConfigError(config::problemsReport(cfg.file, checks.problems));
    return cfg;
}

store::StateStore& AppContext::store() {
    if (!store_) store_ = openStateStore(config());
    return *store_;
}

store::StateStore& AppContext::checkedStore() {
    store::StateStore& s = store();
    if (!storeChecked_) {
        const auto took = s.checkIntegrity();
        storeChecked_ = true;
        log::debug("state database checked", {{"path", s.path()}, {"ms", took.count()}});
    }
    return s;
}

std::unique_ptr<store::StateStore> openStateStore(const config::Config& config) {
    if (config.stateUrl.empty()) return std::make_unique<store::StateStore>(config.stateDir);
    const std::string password = config.statePassword.empty() ? "" : config::resolveSecret(config.statePassword);
    return std::make_unique<store::StateStore>(config.stateDir, store::PostgresLocation{config.stateUrl, password});
}

bool stateStoreExists(const config::Config& config) {
    std::error_code ec;
    return !config.stateUrl.empty() || std::filesystem::exists(std::filesystem::path(config.stateDir) / "ledgerbridge.db", ec);
}

void configureLogging(const Invocation& invocation, const config::Config* config) {
    std::string level = invocation.option("log-level").value_or(config ? config->logLevel : "info");
    std::string format = invocation.option("log-format").value_or(config ? config->logFormat : "auto");
    log::configure(log::parseLevel(level), log::parseFormat(format));
    if (config && !config->logFile.empty()) log::setFile(config->logFile);
}

}  // namespace ledgerbridge::cli
