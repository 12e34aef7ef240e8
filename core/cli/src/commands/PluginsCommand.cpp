// `ledgerbridge plugins`: placeholder until the plugin SDK issue lands.
#include <ostream>

#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/ExitCode.h"

namespace ledgerbridge::cli {

Command makePluginsCommand() {
    return Command{"plugins", "list, inspect, check and enable export plugins (not yet available)", "ledgerbridge plugins", "", {}, {},
                   [](Invocation& inv) {
                       inv.err() << "ledgerbridge: 'plugins' is not yet available in this build\n";
                       return toInt(ExitCode::Failure);
                   }};
}

}  // namespace ledgerbridge::cli
