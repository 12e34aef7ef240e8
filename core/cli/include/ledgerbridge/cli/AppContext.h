// What a command handler needs from the process, created lazily and in a safe order: first
// the configuration (so a bad file stops everything before anything is written), then the
// logging it asks for, then the state store.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ledgerbridge/cli/Command.h"
#include "ledgerbridge/config/Config.h"
#include "ledgerbridge/store/StateStore.h"

namespace ledgerbridge::cli {

class AppContext {
public:
    explicit AppContext(const Invocation& invocation);
    ~AppContext();

    /// The configuration file this invocation uses: --config, else $LEDGERBRIDGE_CONFIG, else
    /// ./ledgerbridge.ini.
    std::string configPath() const;

    /// Loads and validates the configuration (once), then applies its logging settings.
    /// `checkSecrets` also resolves the secrets the selected environment needs. Throws
    /// ConfigError listing every problem.
    const config::Config& config(bool checkSecrets = false);
    /// config(true), then every start-up check (cli::checkStartup; `forService`: serve's too):
    /// what `run` and `serve` start with. Throws ConfigError whose text is the one `config
    /// validate` prints for the same file; logs the warnings.
    const config::Config& startupConfig(bool forService);

    /// The connections a command works on: --connection NAME (checked against the config) or
    /// every configured one. Throws ConfigError naming the known ones, or when there are none.
    std::vector<std::string> selectedConnections();

    /// Opens the configured state store (once): see openStateStore. Throws IoError/StoreError.
    store::StateStore& store();
    /// The store, checked once for damage (StateStore::checkIntegrity) before work that writes
    /// the ledger starts: `run` and `serve`. Throws StoreError saying how to recover.
    store::StateStore& checkedStore();

private:
    const Invocation& invocation_;
    std::unique_ptr<config::Config> config_;
    std::unique_ptr<store::StateStore> store_;
    bool storeChecked_ = false;
};

/// The state store `config` names: PostgreSQL when [state] url is set (its password resolved
/// from [state] password), else the SQLite file in [state] dir. Throws IoError/StoreError/ConfigError.
std::unique_ptr<store::StateStore> openStateStore(const config::Config& config);
/// Whether `config`'s state store exists already (a PostgreSQL one is assumed to).
bool stateStoreExists(const config::Config& config);

/// Applies --log-level/--log-format (over the config's values) to the log sink.
void configureLogging(const Invocation& invocation, const config::Config* config);

}  // namespace ledgerbridge::cli
