// `ledgerbridge validate` and `ledgerbridge promote`: staging → production, only for what was
// proved in staging. The logic (and the production gate that `run`, `serve` and `auth login`
// apply) is in core/host/src/Promotion.cpp.
#include <atomic>
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
    const config::Config& cfg = app.config(true);
    static std::atomic<bool> never{false};
    return host::validateEnvironment(cfg, app.store(), inv.out(), &never) ? 0 : toInt(ExitCode::Failure);
}

int promote(Invocation& inv) {
    std::string to = inv.required("to");
    if (to != "production") throw UsageError("promote --to takes production (the only environment that is promoted to)");
    AppContext app(inv);
    host::promoteToProduction(app.config(), app.store(), inv.flag("dry-run"), inv.out());
    return 0;
}

}  // namespace

Command makeValidateCommand() {
    return Command{
        "validate",
        "prove every connection end to end in staging, and record it for a promotion",
        "ledgerbridge validate --environment staging",
        "For each connection of the (non-production) environment: its credential works, its\n"
        "plugin loads and passes its check, and a real pending export job completes with every\n"
        "entry successful. The result is recorded with the plugins (name, version, SHA-256 of the\n"
        "file) and the configuration it exercised. Exit 0 only when every connection passed.",
        {},
        {},
        validate};
}

Command makePromoteCommand() {
    return Command{
        "promote",
        "promote the validated plugins and configuration to production",
        "ledgerbridge promote --to production [--dry-run]",
        "Refuses without a passing validation of the same plugins and configuration (and shows\n"
        "what differs), or when production has no OAuth client of its own. Then records who\n"
        "promoted what and when, and lists the production logins to run. Production's tokens,\n"
        "ledger and cursors start empty. Exit code 6 when refused.",
        {{"to", "ENVIRONMENT", "production"}, {"dry-run", "", "check and show, record nothing"}},
        {},
        promote};
}

}  // namespace ledgerbridge::cli
