// `ledgerbridge serve`: placeholder until the service issue lands.
#include <ostream>

#include "ledgerbridge/cli/Commands.h"
#include "ledgerbridge/common/ExitCode.h"

namespace ledgerbridge::cli {

Command makeServeCommand() {
    return Command{"serve", "run connections on their schedules as a service (not yet available)", "ledgerbridge serve", "", {}, {},
                   [](Invocation& inv) {
                       inv.err() << "ledgerbridge: 'serve' is not yet available in this build\n";
                       return toInt(ExitCode::Failure);
                   }};
}

}  // namespace ledgerbridge::cli
