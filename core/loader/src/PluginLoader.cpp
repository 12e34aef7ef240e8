// The loader: checks, quarantine, library_info, load and negotiation, manifest.
#include "ledgerbridge/loader/PluginLoader.h"

#include <unistd.h>

#include <cstddef>
#include <filesystem>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/library.hpp"
#include "ledgerbridge/loader/FaultRecorder.h"

namespace ledgerbridge::loader {

namespace {
sdk::Manifest manifestFromC(const std::string& path, const lb_manifest* m) {
    if (!m || !m->name)
        throw PluginError(path + ": describe() returned no manifest; expected a name, version and target system");
    using sdk::detail::str;
    sdk::Manifest out;
    out.name = str(m->name);
    out.version = str(m->version);
    out.targetSystem = str(m->target_system);
    out.description = str(m->description);
    out.maturity = static_cast<sdk::Maturity>(m->maturity);
    out.capabilities = m->capabilities;
    for (std::size_t i = 0; m->settings && i < m->setting_count; ++i) {
        const lb_setting_spec& s = m->settings[i];
        out.settings.push_back(sdk::SettingSpec{
            str(s.key), static_cast<sdk::SettingType>(s.type),
            s.default_value ? std::optional<std::string>(s.default_value) : std::nullopt, s.secret != 0,
            str(s.description)});
    }
    if (m->oauth) out.oauth = sdk::OAuthSpec{str(m->oauth->authorize_url), str(m->oauth->token_url), str(m->oauth->scopes)};
    // Since 1.1; a plugin built before has a shorter manifest and declares no token hosts.
    if (m->struct_size >= offsetof(lb_manifest, token_host_count) + sizeof(m->token_host_count))
        for (std::size_t i = 0; m->token_hosts && i < m->token_host_count; ++i)
            if (m->token_hosts[i]) out.tokenHosts.push_back(m->token_hosts[i]);
    // Appended within 1.1; a manifest that ends before it declares no target identity.
    if (m->struct_size >= LB_MANIFEST_SIZE_TARGET_IDENTITY)
        for (std::size_t i = 0; m->target_identity && i < m->target_identity_count; ++i)
            if (m->target_identity[i]) out.targetIdentity.push_back(m->target_identity[i]);
    return out;
}

/// The SDK names the canonical path; messages name the path the caller gave.
std::string relabel(std::string message, const std::string& real, const std::string& given) {
    if (message.compare(0, real.size(), real) == 0) message = given + message.substr(real.size());
    return message;
}

std::string stemOf(const std::string& path) { return std::filesystem::path(path).stem().string(); }
}  // namespace

PluginLoader::PluginLoader(LoaderOptions options, HostServices& services, PluginHealthStore& health)
    : options_(std::move(options)), services_(services), health_(health) {
    installFaultHandlers();
    faultDirectory_ = health_.faultDirectory();
    if (faultDirectory_.empty()) return;  // the plugin host process: its parent reads the signal from waitpid
    std::error_code ec;
    std::filesystem::create_directories(faultDirectory_, ec);
    if (!ec) std::filesystem::permissions(faultDirectory_, std::filesystem::perms::owner_all, ec);
    faultsRecorded_ = !ec && ::access(faultDirectory_.c_str(), W_OK) == 0;
    if (!faultsRecorded_)
        log::warn("Plugin faults cannot be recorded in " + faultDirectory_ +
                  "; every process that dies inside a plugin call will count as that plugin's crash.");
}

void PluginLoader::checkHealth(const std::string& name, const std::string& path) {
    const std::optional<std::string> op = health_.unfinishedCall(name);
    // Always taken (after the mark was read, so a failing store loses no record): a record never
    // outlives the mark it explains.
    const std::optional<FaultRecord> fault = takeFault(faultDirectory_, name);
    if (op) {
        if (!fault && faultsRecorded_) {
            // The process died inside the call without a fault of its own: SIGKILL, the OOM
            // killer, a power cut, or the host's disk failing. Not the plugin's doing.
            health_.recordCallEnd(name);
            log::warn("The last process stopped while inside plugin " + name + " (" + *op +
                          ") without a fault in the plugin (killed from outside, out of memory, or its state disk "
                          "failed); not counted as a plugin crash.",
                      {{"plugin", name}});
        } else {
            const int crashes = health_.recordCrash(name);
            log::warn("Plugin " + name + " crashed the process" + (fault ? " with " + signalName(fault->signal) : "") +
                          " during " + *op + " (" + std::to_string(crashes) + " in a row).",
                      {{"plugin", name}});
            if (crashes >= kQuarantineAfterCrashes)
                health_.quarantine(name, "it crashed the process " + std::to_string(crashes) +
                                             " times in a row (last inside " + *op + ")");
        }
    }
    if (auto reason = health_.quarantined(name))
        throw PluginError(path + ": refused: plugin '" + name + "' is quarantined because " + *reason +
                          "; fix or replace it, then run `ledgerbridge plugins enable " + name + "`");
}

std::shared_ptr<LoadedPlugin> PluginLoader::load(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string real = checkFile(path);
    for (const auto& p : loaded_)
        if (p->path() == real) return p;
    // The quarantine key is the file stem; the manifest name must match it (checked below), so
    // a quarantined plugin is refused before any of its code runs.
    const std::string stem = stemOf(real);
    checkHealth(stem, path);
    try {
        sdk::inspectLibrary(real);  // reads the file only
    } catch (const sdk::LibraryError& e) {
        throw PluginError(relabel(e.what(), real, path));
    }
    // From here the plugin's code runs (static initialisers, entry point, describe): a crash
    // here counts towards quarantine like any other call.
    health_.recordCallStart(stem, "load");
    const lb_plugin_api* api = nullptr;
    sdk::Manifest manifest;
    try {
        FaultScope inside(faultDirectory_, stem, "load");
        api = sdk::openLibrary(real);
        manifest = manifestFromC(path, api->describe());
    } catch (const sdk::LibraryError& e) {
        health_.recordCallEnd(stem);
        throw PluginError(relabel(e.what(), real, path));
    } catch (...) {
        health_.recordCallEnd(stem);
        throw;
    }
    health_.recordCallEnd(stem);
    if (manifest.name != stem)
        throw PluginError(path + ": refused: expected the file to be named after the plugin (" + manifest.name +
                          ".so), found " + stem + ".so");
    std::shared_ptr<LoadedPlugin> plugin(new LoadedPlugin(real, api, std::move(manifest), services_, health_));
    loaded_.push_back(plugin);
    log::info("Loaded plugin " + plugin->name() + " " + plugin->manifest().version + " (ABI " +
                  std::to_string(plugin->abiMajor()) + "." + std::to_string(plugin->abiMinor()) + ").",
              {{"plugin", plugin->name()}, {"path", real}});
    return plugin;
}

PluginInspection PluginLoader::inspect(const std::string& path, bool allowLoad) {
    PluginInspection out;
    out.path = path;
    try {
        out.path = checkFile(path);
        out.entrySymbols = sdk::inspectLibrary(out.path).entrySymbols;
        if (allowLoad && options_.describe) {
            options_.describe(path, out);
            out.loaded = true;
        } else if (allowLoad) {
            auto plugin = load(path);
            out.loaded = true;
            out.manifest = plugin->manifest();
            out.abiMajor = plugin->abiMajor();
            out.abiMinor = plugin->abiMinor();
        }
    } catch (const std::exception& e) {
        out.refusal = e.what();
    }
    return out;
}

std::string capabilityNames(std::uint32_t capabilities) {
    static const std::pair<std::uint32_t, const char*> names[] = {{LB_CAP_IDEMPOTENCY_KEYS, "idempotency-keys"},
                                                                  {LB_CAP_LOOKUP, "lookup"},
                                                                  {LB_CAP_DRY_RUN, "dry-run"},
                                                                  {LB_CAP_ATTACHMENTS, "attachments"},
                                                                  {LB_CAP_MASTER_DATA, "master-data"},
                                                                  {LB_CAP_MASTER_DATA_CHANGED_SINCE, "changed-since"}};
    std::string out;
    for (const auto& [bit, name] : names)
        if (capabilities & bit) out += (out.empty() ? "" : ",") + std::string(name);
    return out.empty() ? "none" : out;
}

std::vector<PluginListing> PluginLoader::list() {
    std::vector<PluginListing> out;
    for (const std::string& path : candidates()) {
        const PluginInspection i = inspect(path, true);
        PluginListing row;
        row.path = i.path;
        row.name = i.loaded ? i.manifest.name : stemOf(path);
        if (i.loaded) {
            row.version = i.manifest.version;
            row.abi = std::to_string(i.abiMajor) + "." + std::to_string(i.abiMinor);
            row.capabilities = capabilityNames(i.manifest.capabilities);
            row.maturity = i.manifest.maturity == sdk::Maturity::Stable ? "stable" : "alpha";
        }
        row.status = i.refusal.empty() ? "ok" : i.refusal;
        out.push_back(std::move(row));
    }
    return out;
}

LoadedPlugin::LoadedPlugin(std::string path, const lb_plugin_api* api, sdk::Manifest manifest, HostServices& services,
                           PluginHealthStore& health)
    : path_(std::move(path)), api_(api), manifest_(std::move(manifest)), services_(services), health_(health) {}

std::string LoadedPlugin::label() const { return "plugin '" + manifest_.name + "' (" + path_ + ")"; }

}  // namespace ledgerbridge::loader
