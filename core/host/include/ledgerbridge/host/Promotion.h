// Staging → production, as Pleo itself promotes partner integrations: only what was proved in
// staging goes to production.
//
//   validate   every connection of a non-production environment end to end — its credential
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
#include <string>
#include <vector>

#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::host {

/// What a validation or promotion is about.
struct ReleaseSnapshot {
    std::string plugins;     ///< "name version sha256" per plugin the connections use, sorted
    std::string configText;  ///< canonical connections (no company ids, no secret values)
    std::string configHash;  ///< SHA-256 of configText
};

/// Loads the connections' plugins (the loader's checks apply) to read versions and hash files.
ReleaseSnapshot snapshotOf(const config::Config& config, store::StateStore& store);

/// Runs `ledgerbridge validate` for the active (non-production) environment; prints progress
/// and a verdict per connection to `out`; records the result. Returns true when all passed.
/// Throws UsageError in production.
bool validateEnvironment(const config::Config& config, store::StateStore& store, std::ostream& out,
                         const std::atomic<bool>* cancel);

/// Runs `ledgerbridge promote --to production` (dryRun: check and print only). Throws
/// EnvironmentMismatchError with every difference when the promotion is refused.
void promoteToProduction(const config::Config& config, store::StateStore& store, bool dryRun, std::ostream& out);

/// The gate: throws EnvironmentMismatchError (exit code 6) with the commands that fix it when
/// the active environment is production and no promotion of these plugins and this
/// configuration is recorded. Does nothing for other environments.
void requirePromotion(const config::Config& config, store::StateStore& store);

}  // namespace ledgerbridge::host
