// Validation, promotion and the production gate: see Promotion.h.
#include "ledgerbridge/host/Promotion.h"

#include <Poco/DigestStream.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
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
#include "ledgerbridge/host/PluginManifest.h"
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

/// One connection as it matters for the books, the same in staging and production (see
/// ReleaseSnapshot in Promotion.h for what is left out and why).
std::string canonicalSection(const config::Connection& c, const sdk::Manifest& manifest) {
    std::ostringstream out;
    out << "[connection." << c.name << "]\nplugin = " << c.plugin << "\ncredential = " << c.credential << "\n";
    for (const auto& [k, v] : c.settings) {
        if (k == "tenant_id") continue;  // the target tenant differs between environments by design
        // So do the books a plugin names as its target identity (BC: environment, company).
        if (std::find(manifest.targetIdentity.begin(), manifest.targetIdentity.end(), k) != manifest.targetIdentity.end())
            continue;
        bool path = false;
        for (const auto& spec : manifest.settings) path = path || (spec.key == k && spec.type == sdk::SettingType::Path);
        if (path) continue;  // where files go differs by design (staging.ini and production.ini)
        out << "setting." << k << " = " << (config::isSecretReference(v.value) ? "(secret)" : v.value) << "\n";
    }
    if (c.target.configured()) out << "target.scopes = " << c.target.scopes << "\n";
    if (c.autoExport.enabled) {
        out << "auto_export = on\nauto_export_max_entries = " << c.autoExport.maxEntries << "\n";
        for (const auto& r : c.autoExport.reviewStatus) out << "auto_export_review_status = " << r << "\n";
        for (const auto& f : c.autoExport.families) out << "auto_export_family = " << f << "\n";
    }
    return out.str();
}

/// The sections of a recorded configuration text, by connection name (records made before
/// validations were per connection hold several).
std::map<std::string, std::string> sectionsOf(const std::string& text) {
    std::map<std::string, std::string> out;
    std::string name;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        if (l.rfind("[connection.", 0) == 0 && l.back() == ']') name = l.substr(12, l.size() - 13);
        if (!name.empty()) out[name] += l + "\n";
    }
    return out;
}

/// The "name version sha256" line of `plugin` in a recorded plugins text, or "".
std::string pluginLineOf(const std::string& plugins, const std::string& plugin) {
    std::istringstream in(plugins);
    for (std::string l; std::getline(in, l);)
        if (l.rfind(plugin + " ", 0) == 0) return l;
    return {};
}

std::string sha256Of(const std::string& text) {
    std::istringstream in(text);
    return sha256Hex(in);
}

/// Why the active environment is not Pleo's staging as Pleo runs it ("" when it is): a custom
/// profile (the simulator), or staging with its host names re-pointed by `resolve`.
std::string localReason(const config::EnvironmentProfile& p) {
    if (!p.builtIn) return "environment '" + p.name + "' is a custom profile (" + p.apiUrl + "), not Pleo's staging";
    if (!p.resolve.empty()) return "environment '" + p.name + "' re-points Pleo's host names with resolve";
    return {};
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

const char* kFix = "run `ledgerbridge --config STAGING.ini validate` (with a pending export job in staging), then "
                   "`ledgerbridge --config PRODUCTION.ini promote --to production --from STAGING.ini` (or without "
                   "--from when one file holds both environments)";

}  // namespace

ReleaseSnapshot snapshotOf(const config::Config& config, store::StateStore& store) {
    ReleaseSnapshot s;
    SqlitePluginHealth health(store);
    std::map<std::string, std::pair<std::string, sdk::Manifest>> plugins;  // name -> line, manifest
    for (const auto& c : config.connections) {
        if (plugins.count(c.plugin)) continue;
        std::string path = (fs::path(config.pluginDir) / (c.plugin + ".so")).string();
        // Read like a run reads it (PluginManifest.h): a plugin that crashes while loading fails
        // `validate`, `promote` and the production gate of `run`/`auth login`, never ends them.
        sdk::Manifest manifest = pluginManifest(config, path, health);
        std::ifstream in(path, std::ios::binary);
        plugins[c.plugin] = {c.plugin + " " + manifest.version + " " + sha256Hex(in), std::move(manifest)};
    }
    for (const auto& [name, p] : plugins) s.plugins += p.first + "\n";
    for (const auto& c : config.connections)
        s.connections[c.name] = ConnectionSnapshot{plugins[c.plugin].first, canonicalSection(c, plugins[c.plugin].second)};
    for (const auto& [name, c] : s.connections) s.configText += c.section;
    s.configHash = sha256Of(s.configText);
    return s;
}

bool validateEnvironment(const config::Config& config, store::StateStore& store, std::ostream& out,
                         const std::atomic<bool>* cancel, const std::vector<std::string>& connections) {
    if (config.environment == "production")
        throw UsageError("validate checks a non-production environment (staging, or the local simulator) before a "
                         "promotion; run it with --environment staging.");
    if (config.connections.empty()) throw ConfigError("no [connection.NAME] to validate");
    std::vector<const config::Connection*> selected;
    for (const auto& c : config.connections)
        if (connections.empty() || std::find(connections.begin(), connections.end(), c.name) != connections.end())
            selected.push_back(&c);
    ReleaseSnapshot snap = snapshotOf(config, store);
    const config::EnvironmentProfile& profile = config.activeProfile();
    const std::string local = localReason(profile);
    // Said before anything happens: this is not a dry run.
    out << "Validating environment '" << config.environment << "' (" << profile.apiUrl << "), " << selected.size()
        << " connection" << (selected.size() == 1 ? "" : "s") << ".\n"
        << "This exports real entries: every pending export job of each connection is delivered to its target system\n"
        << "(the plugin's files or ERP) and the results are reported to Pleo. Use a staging company and a target that\n"
        << "may receive test entries.\n";
    if (!local.empty())
        out << "Note: " << local << "; `promote` accepts this validation only with --accept-local-validation.\n";
    bool all = true;
    std::vector<std::string> ids;
    for (const config::Connection* c : selected) {
        out << "  " << c->name << " (" << c->plugin << "):\n";
        std::string failure;
        try {
            oauth::ConnectionAuth auth(config, c->name, store);
            auth.source().authorizationHeader();
            out << "    credential   ok\n";
            {
                ConfiguredPlugin plugin(config, c->name, store, cancel);
                plugin.session().check();
            }
            out << "    plugin check ok\n";
            ConnectionRunner runner(config, store);
            RunOptions runOptions;
            runOptions.cancel = cancel;
            exporter::RunReport report = runner.run(c->name, runOptions);
            std::int64_t completed = 0, posted = 0, earlier = 0, rejected = 0;
            for (const auto& j : report.jobs) {
                if (j.finalEvent == "completed") ++completed;
                // A job's `posted` counts what this job posted and `alreadyPosted` what an earlier
                // job had posted (reported again, not re-posted); the proof counts each entry once
                // (the old report counted those twice: a 10-entry job read "20 posted").
                posted += j.posted + j.alreadyPosted;
                earlier += j.alreadyPosted;
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
                    << " entries posted" << (earlier > 0 ? ", " + std::to_string(earlier) + " of them by an earlier job" : "")
                    << ")\n";
        } catch (const std::exception& e) {
            failure = describe(e);
        }
        if (!failure.empty()) {
            all = false;
            out << "    FAILED: " << failure << "\n";
        }
        // One record per connection: `validate --connection A` and `--connection B` combine.
        const ConnectionSnapshot& cs = snap.connections.at(c->name);
        store::ValidationRecord rec;
        rec.environment = config.environment;
        rec.passed = failure.empty();
        rec.plugins = cs.plugin + "\n";
        rec.configText = cs.section;
        rec.configHash = sha256Of(cs.section);
        rec.details = c->name + (failure.empty() ? ": passed" : ": failed: " + failure) + "\nproof: " +
                      (local.empty() ? "pleo-staging" : "local: " + local) + "\n";
        rec.user = currentUser();
        ids.push_back(store::Promotions(store).recordValidation(rec));
    }
    out << (all ? "PASSED" : "FAILED") << " — recorded as ";
    for (std::size_t k = 0; k < ids.size(); ++k) out << (k ? ", " : "") << ids[k];
    out << " with plugins:\n";
    std::set<std::string> used;
    for (const config::Connection* c : selected) used.insert(snap.connections.at(c->name).plugin);
    for (const auto& l : used) out << "  " << l << "\n";
    if (all) out << "Next: ledgerbridge promote --to production (passes of single connections combine)\n";
    return all;
}

namespace {

/// A validation record as it concerns one connection.
struct Proof {
    const store::ValidationRecord* record = nullptr;
    std::string plugin, section;
    bool local = false;
};

/// Every passing proof of connection `name`, newest first.
std::vector<Proof> proofsOf(const std::vector<store::ValidationRecord>& records, const std::string& name,
                            const std::string& pluginName) {
    std::vector<Proof> out;
    for (const auto& r : records) {
        const auto sections = sectionsOf(r.configText);
        auto it = sections.find(name);
        if (it == sections.end()) continue;
        // Older records: one for every connection, passed as a whole, without a proof line.
        const bool local = r.details.find("\nproof: local") != std::string::npos ||
                           (r.details.find("\nproof: ") == std::string::npos && r.environment != "staging");
        out.push_back(Proof{&r, pluginLineOf(r.plugins, pluginName), it->second, local});
    }
    return out;
}

std::string when(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
    return buf;
}

}  // namespace

void promoteToProduction(const config::Config& config, store::StateStore& store, const PromoteOptions& options,
                         std::ostream& out) {
    const std::vector<store::ValidationRecord> records =
        store::Promotions(options.validations ? *options.validations : store).passingValidations("production");
    if (records.empty())
        throw EnvironmentMismatchError("Promotion refused: no passing validation is recorded" +
                                       std::string(options.validations ? " in the --from configuration's state" : "") +
                                       ". First " + std::string(kFix) + ".");
    ReleaseSnapshot now = snapshotOf(config, store);
    std::string problems, accepted;
    std::set<std::string> usedIds, environments;
    for (const auto& c : config.connections) {
        const ConnectionSnapshot& cs = now.connections.at(c.name);
        const std::vector<Proof> proofs = proofsOf(records, c.name, c.plugin);
        if (proofs.empty()) {
            problems += "  " + c.name + ": never validated; run `ledgerbridge --config STAGING.ini validate --connection " +
                        c.name + "`\n";
            continue;
        }
        const Proof* match = nullptr;
        const Proof* localMatch = nullptr;
        for (const Proof& p : proofs) {
            if (p.plugin != cs.plugin || p.section != cs.section) continue;
            if (!p.local) {
                match = &p;
                break;
            }
            if (!localMatch) localMatch = &p;
        }
        if (!match && localMatch && options.acceptLocalValidation) match = localMatch;
        if (match) {
            usedIds.insert(match->record->id);
            environments.insert(match->record->environment);
            accepted += "  " + c.name + ": " + cs.plugin + "\n    validated " + match->record->id + " in " +
                        match->record->environment + (match->local ? " (local, accepted by --accept-local-validation)" : "") +
                        " by " + match->record->user + ", " + when(match->record->at) + "\n";
            continue;
        }
        if (localMatch) {
            problems += "  " + c.name + ": validated only against a local environment (" + localMatch->record->environment +
                        ", " + localMatch->record->id + "), which is no proof that Pleo's staging accepted it; validate "
                        "against staging, or pass --accept-local-validation to accept it\n";
            continue;
        }
        const Proof& newest = proofs.front();
        problems += "  " + c.name + ": differs from its newest validation (" + newest.record->id + ", " +
                    newest.record->environment + "):\n";
        if (newest.plugin != cs.plugin)
            problems += "    - validated: plugin " + (newest.plugin.empty() ? "(none recorded)" : newest.plugin) +
                        "\n    + now:       plugin " + cs.plugin + "\n";
        problems += differences(newest.section, cs.section);
    }
    const config::EnvironmentProfile& prod = config.profiles.at("production");
    const config::Config& staged = options.fromConfig ? *options.fromConfig : config;
    const config::EnvironmentProfile* staging = nullptr;
    for (const auto& e : environments)
        if (staged.profiles.count(e)) staging = &staged.profiles.at(e);
    if (prod.clientId.empty())
        problems += "  [environment.production] has no client_id: production needs its own Pleo OAuth client\n";
    else if (staging && staging->clientId == prod.clientId)
        problems += "  [environment.production] client_id is the " + staging->name +
                    " one; production needs its own Pleo OAuth client\n";
    if (prod.clientSecret.empty())
        problems += "  [environment.production] has no client_secret reference (file:/path or env:VARIABLE)\n";
    else if (staging && staging->clientSecret.reference == prod.clientSecret.reference)
        problems += "  [environment.production] client_secret points at the " + staging->name +
                    " secret; give production its own\n";
    if (!problems.empty())
        throw EnvironmentMismatchError("Promotion to production refused:\n" + problems + "Fix these, then " + kFix + ".");

    out << "Promotion to production " << (options.dryRun ? "would be accepted" : "accepted")
        << "; every connection was validated with exactly its plugin and settings (paths, schedules, company ids and "
           "endpoints may differ):\n"
        << accepted;
    if (options.dryRun) {
        out << "(dry run: nothing recorded)\n";
        return;
    }
    std::string validationIds;
    for (const auto& id : usedIds) validationIds += (validationIds.empty() ? "" : ",") + id;
    store::PromotionRecord rec;
    rec.toEnvironment = "production";
    rec.validationId = validationIds;
    rec.plugins = now.plugins;
    rec.configHash = now.configHash;
    rec.user = currentUser();
    std::string id = store::Promotions(store).recordPromotion(rec);
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
