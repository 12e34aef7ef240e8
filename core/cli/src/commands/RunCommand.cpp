// `ledgerbridge run`: placeholder until the export engine issue lands.
#include <ostream>

#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/ExitCode.h"

namespace ledgerbridge::cli {

Command makeRunCommand() {
    return Command{"run", "export pending Pleo export jobs to the target systems (not yet available)", "ledgerbridge run", "", {}, {},
                   [](Invocation& inv) {
                       inv.err() << "ledgerbridge: 'run' is not yet available in this build\n";
                       return toInt(ExitCode::Failure);
                   }};
}

}  // namespace ledgerbridge::cli
