// The checks `run`, `serve` and `config validate` share: see StartupChecks.h.
#include "ledgerbridge/cli/StartupChecks.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/config/Secret.h"
#include "ledgerbridge/config/Suggest.h"
#include "ledgerbridge/loader/HostServices.h"
#include "ledgerbridge/host/PluginManifest.h"
#include "ledgerbridge/loader/FileHash.h"
#include "ledgerbridge/loader/PluginLoader.h"
#include "ledgerbridge/service/Schedule.h"
#include "ledgerbridge/store/PluginHealth.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::cli {
namespace fs = std::filesystem;
namespace {

/// Crash bookkeeping for loading plugins only to read their manifests: nothing is recorded
/// (this is not a session), the fault directory is a scratch one removed afterwards, and the
/// quarantine is the state store's when there is one. The store is opened here, only when it
/// exists (validate creates nothing), and closed before `serve --daemon` forks.
class ProbeHealth : public loader::NoHealthRecords {
public:
    explicit ProbeHealth(const config::Config& config) {
        if (stateStoreExists(config)) {
            try {
                store_ = openStateStore(config);
                quarantine_ = std::make_unique<store::PluginHealth>(*store_);
            } catch (const std::exception&) {
                // A store that cannot be opened is refused by what comes next (`run` and
                // `serve` check it for damage) with its own message; here it only means no
                // quarantine is known.
                quarantine_.reset();
                store_.reset();
            }
        }
        std::string t = (fs::temp_directory_path() / "ledgerbridge-probe-XXXXXX").string();
        if (::mkdtemp(t.data())) dir_ = t;
    }
    ~ProbeHealth() override {
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }
    ProbeHealth(const ProbeHealth&) = delete;
    ProbeHealth& operator=(const ProbeHealth&) = delete;

    std::optional<std::string> quarantined(const std::string& plugin, const std::string& fileHash = {}) override {
        if (!quarantine_) return std::nullopt;
        try {
            return quarantine_->quarantined(plugin, fileHash);
        } catch (const std::exception&) {
            return std::nullopt;  // a damaged store: see the constructor
        }
    }
    std::string faultDirectory() const override { return dir_; }

private:
    std::unique_ptr<store::StateStore> store_;
    std::unique_ptr<store::PluginHealth> quarantine_;
    std::string dir_;
};

config::Origin originOf(const config::Config& config, const std::string& key, const config::Origin& fallback) {
    auto it = config.values.find(key);
    return it == config.values.end() ? fallback : it->second.origin;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

class Checker {
public:
    Checker(const config::Config& config, const std::string& zoneinfoDir)
        : config_(config), zoneinfoDir_(zoneinfoDir), health_(config),
          loader_(loader::LoaderOptions{{config.pluginDir}, {}}, services_, health_) {}

    void schedules(const config::Connection& c) {
        for (const auto& [keyName, text] : {std::pair<std::string, std::string>{"schedule", c.schedule},
                                            {"sync_schedule", c.syncSchedule}}) {
            if (text.empty() || (keyName == "sync_schedule" && text == "off")) continue;
            try {
                service::Schedule::parse(text, c.name, zoneinfoDir_, keyName);
            } catch (const ConfigError& e) {
                const std::string key = "connection." + c.name + "." + keyName;
                out.problems.push_back({originOf(config_, key, c.origin), "", e.what(), {}});
            }
        }
    }

    void plugin(const config::Connection& c) {
        const std::string key = "connection." + c.name + ".plugin";
        const config::Origin at = originOf(config_, key, c.origin);
        const Probe& probe = probeOf(c.plugin);
        if (!probe.quarantine.empty()) {
            out.warnings.push_back({at, key, "plugin '" + c.plugin + "' is quarantined because " + probe.quarantine,
                                    "runs of this connection are refused until `ledgerbridge plugins enable " +
                                        c.plugin + "`"});
            return;
        }
        if (!probe.manifest) {
            out.problems.push_back({at, key, probe.refusal, probe.hint});
            return;
        }
        settings(c, *probe.manifest);
    }

    StartupChecks out;

private:
    struct Probe {
        std::optional<sdk::Manifest> manifest;
        std::string refusal, hint, quarantine;
    };

    /// Reads each plugin's manifest once (10,000 connections share a handful of plugins): in a
    /// plugin host process unless `[plugins] isolation = in-process`, so a plugin that crashes
    /// while loading is reported here instead of ending `serve` or `run`.
    const Probe& probeOf(const std::string& name) {
        auto [it, fresh] = probes_.try_emplace(name);
        Probe& p = it->second;
        if (!fresh) return p;
        const fs::path path = fs::path(config_.pluginDir) / (name + ".so");
        std::string sha256;  // quarantine is per file: a replaced file is not refused
        try {
            if (fs::is_regular_file(path)) sha256 = loader::fileSha256(path.string());
        } catch (const std::exception&) {
            // unreadable: the load below refuses it with the loader's own sentence
        }
        if (auto why = health_.quarantined(name, sha256)) {
            p.quarantine = *why;
            return p;
        }
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            std::vector<std::string> installed;
            try {
                for (const auto& candidate : loader_.candidates()) installed.push_back(fs::path(candidate).stem().string());
            } catch (const std::exception&) {
                // no readable plugin folder: the hint below says where it should be
            }
            p.refusal = "plugin '" + name + "' is not installed: " + path.string() + " does not exist" +
                        config::didYouMean(name, installed);
            p.hint = installed.empty() ? "install it into [plugins] dir " + config_.pluginDir + ", or fix dir"
                                       : "installed in " + config_.pluginDir + ": " + joined(installed);
            return p;
        }
        try {
            p.manifest = host::pluginManifest(config_, path.string(), health_);
        } catch (const std::exception& e) {
            p.refusal = "plugin '" + name + "' cannot be loaded: " + e.what();
            p.hint = "`ledgerbridge plugins inspect " + path.string() + "` shows the file's details";
        }
        return p;
    }

    /// The SDK's own validateSettings (what configure() applies), each problem placed on its line.
    void settings(const config::Connection& c, const sdk::Manifest& manifest) {
        const auto& specs = manifest.settings;
        const std::string prefix = "connection." + c.name + ".setting.";
        std::vector<std::pair<std::string, std::string>> given;
        std::vector<std::string> declared;
        for (const auto& s : specs) declared.push_back(s.key);
        for (const auto& [key, value] : c.settings) {
            given.emplace_back(key, value.value);
            for (const auto& s : specs)
                if (s.key == key && s.secret && !config::isSecretReference(value.value))
                    out.problems.push_back({value.origin, prefix + key,
                                            "plugin '" + c.plugin + "' declares this setting secret; it is written inline",
                                            "write env:VARIABLE or file:/path instead of the value"});
        }
        try {
            sdk::validateSettings(specs, given);
        } catch (const sdk::SettingsError& e) {
            for (const auto& [key, message] : e.problems()) {
                auto set = c.settings.find(key);
                const config::Origin at = set == c.settings.end() ? c.origin : set->second.origin;
                std::string text = "plugin '" + c.plugin + "': " + message, hint;
                if (set != c.settings.end() && message == "unknown setting") {
                    text += config::didYouMean(key, declared);
                    hint = "its settings: " + (declared.empty() ? std::string("none") : joined(declared));
                } else if (set == c.settings.end()) {
                    for (const auto& s : specs)
                        if (s.key == key) hint = "add setting." + key + " = ... under [connection." + c.name + "]" +
                                                 (s.description.empty() ? "" : ": " + s.description);
                }
                out.problems.push_back({at, prefix + key, text, hint});
            }
        }
    }

    const config::Config& config_;
    std::string zoneinfoDir_;
    loader::BasicHostServices services_;
    ProbeHealth health_;
    loader::PluginLoader loader_;
    std::map<std::string, Probe> probes_;
};

}  // namespace

StartupChecks checkStartup(const config::Config& config, bool forService, const std::string& zoneinfoDir) {
    Checker checker(config, zoneinfoDir);
    for (const auto& c : config.connections) {
        checker.schedules(c);
        checker.plugin(c);
    }
    if (forService && !config.service.webhookSecret.empty()) {
        const config::SecretRef& ref = config.service.webhookSecret;
        if (std::string why = config::checkSecret(ref); !why.empty()) checker.out.problems.push_back({ref.origin, ref.key, why, {}});
    }
    return checker.out;
}

}  // namespace ledgerbridge::cli
