// What `run` and `serve` check before they start, beyond reading the file: every connection's
// schedules, its plugin installed and loadable (the loader's file checks, the manifest read and
// the ABI negotiated, no export run), and its settings against that plugin's manifest; for the
// service also the webhook secret. `config validate` calls the same function, so a
// configuration that validates starts, and one that does not is refused with the same lines.
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/config/Config.h"

namespace ledgerbridge::cli {

struct StartupChecks {
    std::vector<config::Problem> problems;  ///< refuse to start
    std::vector<config::Problem> warnings;  ///< worth saying, not a reason to refuse (a quarantined plugin)
};

/// `forService`: also what only `serve` needs (the webhook secret). A plugin quarantined in the
/// state store (read when the database exists; nothing is created) is not loaded — its code must
/// not run — and is a warning: runs refuse it themselves and tell Pleo. `zoneinfoDir` as in
/// service::TimeZone::load.
StartupChecks checkStartup(const config::Config& config, bool forService, const std::string& zoneinfoDir = {});

}  // namespace ledgerbridge::cli
