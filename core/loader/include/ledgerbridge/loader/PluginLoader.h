// The plugin loader: checks a plugin file before any of its code runs (location, file type,
// owner, permissions, quarantine, entry symbol and ABI major via boost::dll::library_info),
// loads it rtld_now | rtld_local (never unloaded), negotiates the ABI minor, and opens guarded
// sessions whose every call is bracketed by crash-quarantine records and whose failures come
// back as PluginError naming the plugin.
//
// Typical use by the export engine:
//     loader::PluginLoader loader({pluginDir}, services, healthStore);
//     auto plugin = loader.load(pluginDir + "/csv.so");          // throws PluginError
//     auto session = plugin->open();                              // creates an instance
//     session->configure({{"output_dir", "/srv/out"}});           // throws PluginError
//     loader::PushResult r = session->push(entries);              // outcomes, even partial
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/loader/HostServices.h"
#include "ledgerbridge/loader/PluginHealthStore.h"
#include "ledgerbridge/model.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::loader {

/// Consecutive crashes after which a plugin is quarantined.
inline constexpr int kQuarantineAfterCrashes = 3;

struct PluginInspection;

struct LoaderOptions {
    /// Directories plugins may be loaded from (nothing else is). Must exist.
    std::vector<std::string> pluginDirectories;
    /// When set, inspect() and list() learn a plugin's manifest through this instead of loading
    /// it into this process: it fills `manifest`, `abiMajor` and `abiMinor`, or throws the
    /// refusal. isolatedDescriber() (ProcessSession.h) reads it in a plugin host process, so a
    /// plugin that crashes while loading cannot take `plugins list` down with it.
    std::function<void(const std::string& path, PluginInspection& out)> describe;
};

/// What `ledgerbridge plugins inspect FILE` shows: file facts first, manifest after loading.
struct PluginInspection {
    std::string path;               ///< canonical path
    std::vector<std::string> entrySymbols;
    std::string refusal;            ///< why the file would be refused before loading; empty if fine
    bool loaded = false;
    sdk::Manifest manifest;         ///< valid when loaded
    unsigned abiMajor = 0, abiMinor = 0;
};

/// One row of `ledgerbridge plugins list`.
struct PluginListing {
    std::string path, name, version, abi, capabilities, maturity;
    std::string status;  ///< "ok", or the refusal sentence (quarantined, bad ABI, unsafe file, ...)
};

/// "idempotency-keys,lookup,dry-run,attachments" for the LB_CAP_* bits set ("none" when none).
std::string capabilityNames(std::uint32_t capabilities);

/// The result of a push: the outcomes the plugin reported (one per entry it attempted, in
/// report order) and how the call ended. Entries without an outcome were not attempted.
struct PushResult {
    std::vector<sdk::Outcome> outcomes;
    lb_status status = LB_OK;  ///< LB_OK, LB_ERR_CANCELLED, or another error
    std::string message;       ///< "plugin 'x' (<path>): push failed (...): ..." when not OK
    bool ok() const { return status == LB_OK; }
};

/// A batch that reached the plugin after its deadline (PluginSession::pushBefore): the plugin
/// was not called, nothing was pushed. Busy, like a lost lease: the run that holds the
/// connection's lease now decides those entries.
class PushTooLateError : public LockBusyError {
public:
    using LockBusyError::LockBusyError;
};

/// One plugin instance, as the engine, the sync and `plugins check` use it: in this process
/// (LoadedPlugin::open) or in a plugin host process of its own (ProcessSession.h). Not
/// thread-safe: one call at a time. Every method throws PluginError naming the plugin when the
/// plugin returns an error, an exception crosses the boundary or (out of process) the plugin
/// host process dies, overruns its deadline or breaks the protocol.
class PluginSession {
public:
    virtual ~PluginSession() = default;

    /// The plugin's self-description (read before any session call).
    virtual const sdk::Manifest& manifest() const = 0;
    /// Validated against the manifest by the host (unknown key, missing required, type) and
    /// again inside the plugin; the message names every bad key. Values of settings the
    /// manifest marks secret are registered with the Redactor first.
    virtual void configure(const std::vector<std::pair<std::string, std::string>>& settings) = 0;
    virtual void check() = 0;
    /// The dry run: documents and the entries the plugin would reject (see sdk::PluginClient::plan).
    virtual sdk::PlanResult plan(const std::vector<sdk::Entry>& entries) = 0;
    /// Never throws for an error result (the outcomes before it matter): see PushResult.
    /// Throws PluginError when an exception crossed the boundary or the plugin's process ended:
    /// then the batch's outcomes are unknown to the caller, which resolves them by lookup.
    virtual PushResult push(const std::vector<sdk::Entry>& entries) = 0;
    /// push, unless the steady clock (milliseconds) is past `notAfterSteadyMs` when the batch
    /// reaches the plugin: then the plugin is not called and PushTooLateError is thrown. A run
    /// gives the time until which its lease surely holds, so a run paused past its lease never
    /// writes into the books after another run took over. In this process the check is made
    /// just before the call; a plugin host checks it on its side (ProcessSession).
    virtual PushResult pushBefore(const std::vector<sdk::Entry>& entries, std::int64_t notAfterSteadyMs);
    virtual sdk::Outcome lookup(const sdk::Entry& entry) = 0;
    /// Whether the plugin reads master data (ABI 1.1 slot filled and LB_CAP_MASTER_DATA set).
    virtual bool hasMasterData() const = 0;
    /// One page of master data (sdk::PluginClient::readMasterData); nullopt when the target has
    /// no such kind (the plugin answered LB_ERR_UNSUPPORTED, or has no master data at all): the
    /// sync then leaves that kind in Pleo alone. Throws PluginError for any other failure.
    virtual std::optional<sdk::MasterDataPage> readMasterData(const sdk::MasterDataRequest& request) = 0;
};

/// Validates `settings` against the manifest (PluginError naming every bad key, as the
/// plugin's configure would) and registers the values of secret settings with the Redactor.
/// Both session kinds do this before the settings reach the plugin.
void prepareSettings(const std::string& label, const sdk::Manifest& manifest,
                     const std::vector<std::pair<std::string, std::string>>& settings);

/// A loaded, negotiated plugin library. Stays loaded until the process exits.
class LoadedPlugin : public std::enable_shared_from_this<LoadedPlugin> {
public:
    const std::string& name() const { return manifest_.name; }
    const std::string& path() const { return path_; }
    const sdk::Manifest& manifest() const { return manifest_; }
    unsigned abiMajor() const { return api_->abi_major; }
    unsigned abiMinor() const { return api_->abi_minor; }
    /// Whether the plugin's table has the master-data slot filled (ABI 1.1).
    bool hasMasterDataSlot() const;
    /// Creates a new instance (the plugin's create()). Throws PluginError.
    std::unique_ptr<PluginSession> open() const;

    /// "plugin 'name' (path)": how messages name this plugin.
    std::string label() const;

private:
    friend class PluginLoader;
    LoadedPlugin(std::string path, const lb_plugin_api* api, sdk::Manifest manifest, HostServices& services,
                 PluginHealthStore& health);
    std::string path_;
    const lb_plugin_api* api_;
    sdk::Manifest manifest_;
    HostServices& services_;
    PluginHealthStore& health_;
    friend class InProcessSession;
};

/// Loads plugins. `services` and `health` are not owned and must outlive the loader and every
/// plugin and session it returns. Thread-safe.
class PluginLoader {
public:
    PluginLoader(LoaderOptions options, HostServices& services, PluginHealthStore& health);

    /// Checks and loads `path` (the same file again returns the same plugin). Throws
    /// PluginError with one sentence naming the file, what was expected and what was found:
    /// outside the plugin directories, not a regular file, unsafe owner or permissions,
    /// quarantined, no or wrong entry symbol, incompatible ABI, file name != manifest name.
    std::shared_ptr<LoadedPlugin> load(const std::string& path);

    /// Everything knowable about `path`; loads it only when the pre-load checks pass and
    /// `allowLoad` is true. Never throws for a bad plugin (see `refusal`).
    PluginInspection inspect(const std::string& path, bool allowLoad);

    /// Every *.so in the plugin directories, in name order.
    std::vector<std::string> candidates() const;

    /// Inspects (and loads, when safe) every candidate; never throws for a bad plugin.
    std::vector<PluginListing> list();

private:
    std::string checkFile(const std::string& path) const;
    void checkHealth(const std::string& name, const std::string& path);

    LoaderOptions options_;
    HostServices& services_;
    PluginHealthStore& health_;
    std::string faultDirectory_;
    bool faultsRecorded_ = false;  ///< false: the directory is unusable, every leftover mark counts
    std::mutex mutex_;
    std::vector<std::shared_ptr<LoadedPlugin>> loaded_;
};

}  // namespace ledgerbridge::loader
