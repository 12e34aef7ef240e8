// Validation, promotion and the production gate: see Promotion.h.
#include "ledgerbridge/host/Promotion.h"

#include <Poco/DigestStream.h>
#include <Poco/SHA2Engine.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Secret.h"
#include "ledgerbridge/host/ConfiguredPlugin.h"
#include "ledgerbridge/host/ConnectionRunner.h"
#include "ledgerbridge/host/SqlitePluginHealth.h"
#include "ledgerbridge/loader/HostServices.h"
#include "ledgerbridge/loader/PluginLoader.h"
#include "ledgerbridge/oauth/ConnectionAuth.h"
#include "ledgerbridge/store/Promotions.h"

namespace ledgerbridge::host {
namespace fs = std::filesystem;

namespace {

std::string sha256Hex(std::istream& in) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) sha.update(buf, static_cast<std::size_t>(in.gcount()));
    return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string currentUser() {
    const char* u = std::getenv("USER");
    if (!u || !*u) u = std::getenv("LOGNAME");
    return u && *u ? u : "uid " + std::to_string(::getuid());
}

/// The configuration as it matters for behaviour, the same in staging and production: per
/// connection its plugin, schedule, credential kind and settings (secret references shown as
/// references' kinds only); company ids, endpoints, client ids and state paths excluded, and
/// the settings naming the target's books (`identityKeys`: per plugin its manifest's target
/// identity; tenant_id for every plugin), which differ between environments by design.
std::string canonicalConfig(const config::Config& config,
                            const std::map<std::string, std::set<std::string>>& identityKeys) {
    std::ostringstream out;
    std::map<std::string, const config::Connection*> byName;
    for (const auto& c : config.connections) byName[c.name] = &c;
    for (const auto& [name, c] : byName) {
        out << "[connection." << name << "]\nplugin = " << c->plugin << "\ncredential = " << c->credential << "\n";
        if (!c->schedule.empty()) out << "schedule = " << c->schedule << "\n";
        for (const auto& [k, v] : c->settings) {
            if (k == "tenant_id") continue;  // the target tenant differs between environments by design
            if (auto it = identityKeys.find(c->plugin); it != identityKeys.end() && it->second.count(k)) continue;
            out << "setting." << k << " = " << (config::isSecretReference(v.value) ? "(secret)" : v.value) << "\n";
        }
        if (c->target.configured()) out << "target.scopes = " << c->target.scopes << "\n";
    }
    return out.str();
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) out.push_back(l);
    return out;
}

/// "- was: ... / + now: ..." for every line that differs (order-insensitive within each side).
std::string differences(const std::string& was, const std::string& now) {
    auto a = lines(was), b = lines(now);
    std::set<std::string> sa(a.begin(), a.end()), sb(b.begin(), b.end());
    std::ostringstream out;
    for (const auto& l : a)
        if (!sb.count(l)) out << "    - validated: " << l << "\n";
    for (const auto& l : b)
        if (!sa.count(l)) out << "    + now:       " << l << "\n";
    return out.str();
}

const char* kFix = "run `ledgerbridge validate --environment staging` (with a pending export job in staging), then "
                   "`ledgerbridge promote --to production`";

}  // namespace

ReleaseSnapshot snapshotOf(const config::Config& config, store::StateStore& store) {
    ReleaseSnapshot s;
    SqlitePluginHealth health(store);
    loader::BasicHostServices services;
    loader::PluginLoader pluginLoader(loader::LoaderOptions{{config.pluginDir}}, services, health);
    std::set<std::string> names;
    for (const auto& c : config.connections) names.insert(c.plugin);
    std::map<std::string, std::set<std::string>> identityKeys;
    for (const auto& name : names) {
        std::string path = (fs::path(config.pluginDir) / (name + ".so")).string();
        auto plugin = pluginLoader.load(path);
        std::ifstream in(path, std::ios::binary);
        s.plugins += name + " " + plugin->manifest().version + " " + sha256Hex(in) + "\n";
        const auto& identity = plugin->manifest().targetIdentity;
        identityKeys[name].insert(identity.begin(), identity.end());
    }
    s.configText = canonicalConfig(config, identityKeys);
    std::istringstream text(s.configText);
    s.configHash = sha256Hex(text);
    return s;
}

bool validateEnvironment(const config::Config& config, store::StateStore& store, std::ostream& out,
                         const std::atomic<bool>* cancel) {
    if (config.environment == "production")
        throw UsageError("validate checks a non-production environment (staging, or the local simulator) before a "
                         "promotion; run it with --environment staging.");
    if (config.connections.empty()) throw ConfigError("no [connection.NAME] to validate");
    ReleaseSnapshot snap = snapshotOf(config, store);
    std::ostringstream details;
    bool all = true;
    out << "Validating environment '" << config.environment << "' (" << config.connections.size() << " connection"
        << (config.connections.size() == 1 ? "" : "s") << ")\n";
    for (const auto& c : config.connections) {
        out << "  " << c.name << " (" << c.plugin << "):\n";
        std::string failure;
        try {
            oauth::ConnectionAuth auth(config, c.name, store);
            auth.source().authorizationHeader();
            out << "    credential   ok\n";
            {
                ConfiguredPlugin plugin(config, c.name, store, cancel);
                plugin.session().check();
            }
            out << "    plugin check ok\n";
            ConnectionRunner runner(config, store);
            RunOptions runOptions;
            runOptions.cancel = cancel;
            exporter::RunReport report = runner.run(c.name, runOptions);
            std::int64_t completed = 0, posted = 0, rejected = 0;
            for (const auto& j : report.jobs) {
                if (j.finalEvent == "completed") ++completed;
                posted += j.posted + j.alreadyPosted;
                rejected += j.rejected;
            }
            if (report.outcome != "ok")
                failure = "the export run ended " + report.outcome + (report.error.empty() ? "" : ": " + report.error);
            else if (completed == 0)
                failure = "no export job was pending, so nothing was proved; create one in Pleo (Export in the web "
                          "app) and validate again";
            else if (rejected > 0)
                failure = std::to_string(rejected) + " entries were rejected; a validation needs every entry successful";
            else
                out << "    export       ok (" << completed << " job" << (completed == 1 ? "" : "s") << ", " << posted
                    << " entries posted)\n";
        } catch (const std::exception& e) {
            failure = describe(e);
        }
        if (!failure.empty()) {
            all = false;
            out << "    FAILED: " << failure << "\n";
            details << c.name << ": failed: " << failure << "\n";
        } else {
            details << c.name << ": passed\n";
        }
    }
    store::ValidationRecord rec;
    rec.environment = config.environment;
    rec.passed = all;
    rec.plugins = snap.plugins;
    rec.configHash = snap.configHash;
    rec.configText = snap.configText;
    rec.details = details.str();
    rec.user = currentUser();
    std::string id = store::Promotions(store).recordValidation(rec);
    out << (all ? "PASSED" : "FAILED") << " — recorded as " << id << " with plugins:\n";
    for (const auto& l : lines(snap.plugins)) out << "  " << l << "\n";
    if (all) out << "Next: ledgerbridge promote --to production\n";
    return all;
}

void promoteToProduction(const config::Config& config, store::StateStore& store, bool dryRun, std::ostream& out) {
    store::Promotions promotions(store);
    auto validation = promotions.latestPassingValidation("production");
    if (!validation)
        throw EnvironmentMismatchError("Promotion refused: no passing validation is recorded. First " + std::string(kFix) + ".");
    ReleaseSnapshot now = snapshotOf(config, store);
    std::string problems;
    if (now.plugins != validation->plugins)
        problems += "  the plugins differ from the ones validated (" + validation->id + "):\n" +
                    differences(validation->plugins, now.plugins);
    if (now.configHash != validation->configHash)
        problems += "  the configuration differs from the one validated (" + validation->id + "):\n" +
                    differences(validation->configText, now.configText);
    const config::EnvironmentProfile& prod = config.profiles.at("production");
    const config::EnvironmentProfile* staging =
        config.profiles.count(validation->environment) ? &config.profiles.at(validation->environment) : nullptr;
    if (prod.clientId.empty())
        problems += "  [environment.production] has no client_id: production needs its own Pleo OAuth client\n";
    else if (staging && staging->clientId == prod.clientId)
        problems += "  [environment.production] client_id is the " + validation->environment +
                    " one; production needs its own Pleo OAuth client\n";
    if (prod.clientSecret.empty())
        problems += "  [environment.production] has no client_secret reference (file:/path or env:VARIABLE)\n";
    else if (staging && staging->clientSecret.reference == prod.clientSecret.reference)
        problems += "  [environment.production] client_secret points at the " + validation->environment +
                    " secret; give production its own\n";
    if (!problems.empty())
        throw EnvironmentMismatchError("Promotion to production refused:\n" + problems + "Fix these, then " + kFix + ".");

    out << "Promotion to production " << (dryRun ? "would be accepted" : "accepted") << ": validation " << validation->id
        << " (" << validation->environment << ", by " << validation->user << ") covers exactly these plugins:\n";
    for (const auto& l : lines(now.plugins)) out << "  " << l << "\n";
    if (dryRun) {
        out << "(dry run: nothing recorded)\n";
        return;
    }
    store::PromotionRecord rec;
    rec.toEnvironment = "production";
    rec.validationId = validation->id;
    rec.plugins = now.plugins;
    rec.configHash = now.configHash;
    rec.user = currentUser();
    std::string id = promotions.recordPromotion(rec);
    out << "Recorded as " << id << " by " << rec.user << ".\n"
        << "Production starts with its own, empty state: its tokens, export ledger and cursors are bound to\n"
        << "production's environment fingerprints. Authorise each connection against production:\n";
    for (const auto& c : config.connections) {
        out << "  ledgerbridge --environment production auth login --connection " << c.name << "\n";
        if (c.target.configured())
            out << "  ledgerbridge --environment production auth login --connection " << c.name << " --target\n";
    }
    out << "then set `environment = production` in the configuration (or pass --environment production).\n";
}

void requirePromotion(const config::Config& config, store::StateStore& store) {
    if (config.environment != "production") return;
    auto promotion = store::Promotions(store).latestPromotion("production");
    if (!promotion)
        throw EnvironmentMismatchError("environment = production, but nothing has been promoted to production yet; " +
                                       std::string(kFix) + ".");
    ReleaseSnapshot now = snapshotOf(config, store);
    if (now.plugins != promotion->plugins || now.configHash != promotion->configHash)
        throw EnvironmentMismatchError("environment = production, but the plugins or the configuration changed since "
                                       "the promotion " + promotion->id + " (by " + promotion->user + "):\n" +
                                       differences(promotion->plugins, now.plugins) + "Validate the change first: " + kFix + ".");
}

}  // namespace ledgerbridge::host
