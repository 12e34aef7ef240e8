// Staging → production, as Pleo itself promotes partner integrations: only what was proved in
// staging goes to production.
//
//   validate   every connection (or one: --connection) of a non-production environment end to end — its credential
//              works, its plugin loads and passes its check, and a real export job completes
//              with every entry successful — recorded with the plugins (name, version, SHA-256
//              of the file) and the configuration (canonical, environment-independent, no
//              secrets) it exercised.
//   promote    refuses unless the newest passing validation matches today's plugins and
//              configuration (showing what differs) and production has its own OAuth client;
//              then records who promoted what, and says which logins production needs. Its
//              ledger, cursors and tokens start empty: they are bound to production's own
//              environment fingerprints.
//   the gate   `run`, `serve` and `auth login` refuse environment = production unless a
//              promotion of exactly these plugins and this configuration is recorded.
#pragma once

#include <atomic>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::host {

/// What a validation or promotion is about. The canonical configuration holds what must be the
/// same in staging and production — per connection its plugin, credential kind, target scopes,
/// automatic-export filters and plugin settings except paths (the manifest's path settings),
/// secrets (as "(secret)"), tenant_id and the settings the manifest names as its target
/// identity (Business Central's environment and company) — and leaves out what differs by
/// design: company ids, endpoints, client ids, state and output paths, schedules.
struct ConnectionSnapshot {
    std::string plugin;      ///< "name version sha256" of the connection's plugin file
    std::string section;     ///< the connection's canonical "[connection.NAME]" lines
};
struct ReleaseSnapshot {
    std::string plugins;     ///< "name version sha256" per plugin the connections use, sorted
    std::string configText;  ///< every connection's section, by name
    std::string configHash;  ///< SHA-256 of configText
    std::map<std::string, ConnectionSnapshot> connections;
};

/// Reads the connections' plugins' manifests (pluginManifest: in a plugin host process unless
/// isolation = in-process) and hashes their files.
ReleaseSnapshot snapshotOf(const config::Config& config, store::StateStore& store);

/// Runs `ledgerbridge validate` for the active (non-production) environment: says first that
/// it exports real entries, then for each of `connections` (empty: all) proves the credential,
/// the plugin's check and a pending job completed with every entry posted; prints a verdict
/// per connection and records one validation per connection (so passes of single connections
/// combine). Returns true when all passed. Throws UsageError in production.
bool validateEnvironment(const config::Config& config, store::StateStore& store, std::ostream& out,
                         const std::atomic<bool>* cancel, const std::vector<std::string>& connections = {});

struct PromoteOptions {
    bool dryRun = false;             ///< check and print only
    /// Accept validations made against a local environment (a custom profile such as the
    /// simulator, or staging re-pointed with `resolve`) as proof for production.
    bool acceptLocalValidation = false;
    /// Where the validations are recorded: the staging configuration's state store (the layout
    /// of config/staging.ini and config/production.ini), or null for the production one (one
    /// file with both environments). `fromConfig` is that configuration, for its client id.
    store::StateStore* validations = nullptr;
    const config::Config* fromConfig = nullptr;
};

/// Runs `ledgerbridge promote --to production`: every production connection needs a passing
/// validation of the same plugin (version and file hash) and the same canonical section (passes
/// of single connections combine; the newest match counts). Throws EnvironmentMismatchError
/// naming per connection what differs, what was never validated, or what was only validated
/// locally; records the promotion in `store` otherwise.
void promoteToProduction(const config::Config& config, store::StateStore& store, const PromoteOptions& options,
                         std::ostream& out);

/// The gate: throws EnvironmentMismatchError (exit code 6) with the commands that fix it when
/// the active environment is production and no promotion of these plugins and this
/// configuration is recorded. Does nothing for other environments.
void requirePromotion(const config::Config& config, store::StateStore& store);

}  // namespace ledgerbridge::host
