// `ledgerbridge validate` and `ledgerbridge promote`: staging → production, only for what was
// proved in staging. The logic (and the production gate that `run`, `serve` and `auth login`
// apply) is in core/host/src/Promotion.cpp.
#include <atomic>
#include <filesystem>
#include <memory>
#include <ostream>

#include "ledgerbridge/cli/AppContext.h"
#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/ExitCode.h"
#include "ledgerbridge/host/Promotion.h"

namespace ledgerbridge::cli {
namespace {

int validate(Invocation& inv) {
    AppContext app(inv);
    const config::Config& cfg = app.startupConfig(false);  // a configuration `run` would refuse proves nothing
    std::vector<std::string> only;
    if (auto name = inv.option("connection")) only = app.selectedConnections();
    static std::atomic<bool> never{false};
    return host::validateEnvironment(cfg, app.store(), inv.out(), &never, only) ? 0 : toInt(ExitCode::Failure);
}

int promote(Invocation& inv) {
    std::string to = inv.required("to");
    if (to != "production") throw UsageError("promote --to takes production (the only environment that is promoted to)");
    AppContext app(inv);
    host::PromoteOptions options;
    options.dryRun = inv.flag("dry-run");
    options.acceptLocalValidation = inv.flag("accept-local-validation");
    // The layout of config/staging.ini and config/production.ini: staging's validations are in
    // staging's own state directory.
    std::unique_ptr<config::Config> from;
    std::unique_ptr<store::StateStore> validations;
    if (auto path = inv.option("from")) {
        from = std::make_unique<config::Config>(config::loadConfigOrThrow(*path, {}, false));
        if (!stateStoreExists(*from))
            throw ConfigError(*path + ": its state directory " + from->stateDir +
                              " holds no state, so no validation; run `ledgerbridge --config " + *path +
                              " validate` first");
        validations = openStateStore(*from);
        options.validations = validations.get();
        options.fromConfig = from.get();
    }
    host::promoteToProduction(app.config(), app.store(), options, inv.out());
    return 0;
}

}  // namespace

Command makeValidateCommand() {
    return Command{
        "validate",
        "prove every connection end to end in staging, and record it for a promotion",
        "ledgerbridge validate [--connection NAME] [--environment staging]",
        "It exports real entries: for each connection of the (non-production) environment, or only\n"
        "--connection NAME, its credential works, its plugin loads and passes its check, and a real\n"
        "pending export job is delivered to the target and completes with every entry successful.\n"
        "Each connection's result is recorded with its plugin (name, version, SHA-256 of the file)\n"
        "and its settings; passes of single connections combine for `promote`. A custom environment\n"
        "(the simulator) is recorded as local. Exit 0 only when every connection passed.",
        {{"connection", "NAME", "validate only this connection"}},
        {},
        validate};
}

Command makePromoteCommand() {
    return Command{
        "promote",
        "promote the validated plugins and configuration to production",
        "ledgerbridge --config production.ini promote --to production [--from staging.ini]\n"
        "             [--accept-local-validation] [--dry-run]",
        "Every production connection needs a passing validation of the same plugin (version and file\n"
        "hash) and the same settings; paths, schedules, company ids and endpoints may differ. Refused\n"
        "(exit 6) naming per connection what differs, what was never validated, what was validated\n"
        "only against a local environment (accepted with --accept-local-validation), or when\n"
        "production has no OAuth client of its own. Then records who promoted what and when, and\n"
        "lists the production logins to run. --from: the staging configuration whose state holds\n"
        "the validations (separate files and state directories); without it, this configuration's.",
        {{"to", "ENVIRONMENT", "production"},
         {"from", "PATH", "the staging configuration file whose validations count"},
         {"accept-local-validation", "", "accept validations made against a local environment (the simulator)"},
         {"dry-run", "", "check and show, record nothing"}},
        {},
        promote};
}

}  // namespace ledgerbridge::cli
