// The top-level commands of `ledgerbridge`, one factory per file in src/commands/.
#pragma once

#include "ledgerbridge/cli/Command.h"

namespace ledgerbridge::cli {

Command makeRootCommand();
Command makeConfigCommand();
Command makeAuthCommand();
Command makeRunCommand();
Command makeSyncCommand();
Command makeServeCommand();
Command makePluginsCommand();
Command makeHistoryCommand();
Command makeStatusCommand();
Command makeValidateCommand();
Command makePromoteCommand();
Command makeStateCommand();
Command makeVersionCommand();

/// Runs the whole CLI in-process (tests use it); `args` excludes the program name.
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ledgerbridge::cli
